import type { Deficit } from '../../domain/evaluation.ts';
import type { Body, EntryStatus } from '../../domain/vocabulary.ts';

/**
 * Plain-text messages with the facts a person needs: what happened, what to do, by when.
 * Each template takes the `data` stored on the outbox row: its shape is TemplateData's, so a
 * message enqueued with the wrong data does not compile.
 */
type Greeting = { fullName: string };
/** The compliance period a message is about (a partial first year included). */
type CompliancePeriod = { periodStart: string; periodEnd: string };
type Decision = Greeting & { reasons: string | null };

export interface TemplateData {
  welcome: Greeting;
  compliance_reminder: Greeting & { periodEnd: string; daysLeft: number; deficits: Deficit[] };
  compliance_in_grace: Greeting & CompliancePeriod & { deficits: Deficit[]; graceEndsOn: string };
  compliance_grace_reminder: Greeting & { periodEnd: string; graceEndsOn: string; deficits: Deficit[] };
  compliance_met: Greeting & CompliancePeriod;
  compliance_lapsed: Greeting & { reason: string };
  /** One call enqueues either adjustment's mail with the same data: `until` is null for an exemption. */
  compliance_exempted: Greeting & CompliancePeriod & { until: string | null; reason: string };
  compliance_extended: Greeting & CompliancePeriod & { until: string | null; reason: string };
  application_submitted: Greeting & { body: Body | null };
  application_returned: Decision;
  application_approved: Decision;
  application_rejected: Decision;
  status_changed: Greeting & { from: EntryStatus | null; status: EntryStatus; reason: string };
  claim_account: Greeting & { link: string; expiresOn: string };
  verify_email: Greeting & { link: string; hours: number };
  registration_account_exists: Greeting & { resetPage: string };
  password_reset: Greeting & { link: string; resetPage: string };
}
export type TemplateName = keyof TemplateData;

type Rendered = { subject: string; text: string };

/** One line per unmet requirement: "- cpd hours: 6 of 10 (4 more)". */
const listDeficits = (deficits: Deficit[]) => deficits.map((x) => `- ${x.metric.replaceAll('_', ' ')}: ${x.achieved} of ${x.required} (${x.shortfall} more)`).join('\n');

const sign = '\n\nSEND Mediator Register (College of Mediators and Civil Mediation Council)';

export const templates: { [T in TemplateName]: (d: TemplateData[T]) => Rendered } = {
  welcome: (d) => ({
    subject: 'Your SEND Mediator Register account',
    text: `Hello ${d.fullName},\n\nYour account on the SEND Mediator Register has been created with this email address. You can now sign in, complete your profile and start an application.${sign}`,
  }),
  compliance_reminder: (d) => ({
    subject: `CPD and practice: ${d.daysLeft} days left in your register year`,
    text: `Hello ${d.fullName},\n\nYour current register year ends on ${d.periodEnd} and your log is still short of the annual requirements:\n${listDeficits(d.deficits)}\n\nPlease log the CPD and practice you have done (or plan it) before ${d.periodEnd}. Entries dated in the year count; after it ends you will have a grace period to catch up.${sign}`,
  }),
  compliance_in_grace: (d) => ({
    subject: `Your register year ended short of the requirements: grace period until ${d.graceEndsOn}`,
    text: `Hello ${d.fullName},\n\nYour register year ${d.periodStart} to ${d.periodEnd} has been assessed and these requirements were not met:\n${listDeficits(d.deficits)}\n\nYou are in a grace period until ${d.graceEndsOn}. Log entries dated within ${d.periodStart} to ${d.periodEnd} by then; if the requirements are still not met after ${d.graceEndsOn}, your register entry will lapse. If illness, parental leave or similar kept you from practice, ask your body about an exemption or extension.${sign}`,
  }),
  compliance_grace_reminder: (d) => ({
    subject: `Your grace period ends on ${d.graceEndsOn}`,
    text: `Hello ${d.fullName},\n\nYour grace period for the register year ending ${d.periodEnd} ends on ${d.graceEndsOn}, and these requirements are still not met:\n${listDeficits(d.deficits)}\n\nLog the missing entries (dated within that year) by ${d.graceEndsOn}, or your register entry will lapse.${sign}`,
  }),
  compliance_met: (d) => ({
    subject: 'You now meet the annual requirements',
    text: `Hello ${d.fullName},\n\nThe entries you logged for the register year ${d.periodStart} to ${d.periodEnd} now meet the annual requirements. Your grace period has ended and your entry stays on the register. Nothing more to do for that year.${sign}`,
  }),
  compliance_lapsed: (d) => ({
    subject: 'Your register entry has lapsed',
    text: `Hello ${d.fullName},\n\nYour entry on the SEND Mediator Register has lapsed: ${d.reason} It no longer appears in the public register.\n\nTo be reinstated, complete and log the missing CPD and practice, then contact your body (College of Mediators or Civil Mediation Council), which can reinstate your entry.${sign}`,
  }),
  compliance_exempted: (d) => ({
    subject: 'Exemption from the annual requirements',
    text: `Hello ${d.fullName},\n\nYour body has exempted you from the CPD and practice requirements for the register year ${d.periodStart} to ${d.periodEnd}. Reason recorded: ${d.reason}\n\nNothing more to do for that year.${sign}`,
  }),
  compliance_extended: (d) => ({
    subject: `Grace period extended to ${d.until}`,
    text: `Hello ${d.fullName},\n\nYour body has extended the grace period for the register year ${d.periodStart} to ${d.periodEnd} until ${d.until}. Reason recorded: ${d.reason}\n\nLog entries dated within that year by ${d.until} to meet the requirements.${sign}`,
  }),
  application_submitted: (d) => ({
    subject: 'We have received your application',
    text: `Hello ${d.fullName},\n\nYour application to join the SEND Mediator Register has been submitted to the joint panel of assessors. There is nothing more to do now: we will email you when an assessor has reviewed it, or if we need more information.${sign}`,
  }),
  application_returned: (d) => ({
    subject: 'Your application needs more information',
    text: `Hello ${d.fullName},\n\nYour application to join the SEND Mediator Register has been returned to you for more information:\n\n${d.reasons}\n\nPlease sign in, update the evidence asked for and submit the application again.${sign}`,
  }),
  application_approved: (d) => ({
    subject: 'You are on the SEND Mediator Register',
    text: `Hello ${d.fullName},\n\nYour application has been approved and you are now an accredited SEND mediator on the public register. Each register year (1 April to 31 March) you will need to log your CPD and practice hours: sign in to see what is required and how much time you have.${sign}`,
  }),
  application_rejected: (d) => ({
    subject: 'Your application was not approved',
    text: `Hello ${d.fullName},\n\nYour application to join the SEND Mediator Register was not approved, for these reasons:\n\n${d.reasons}\n\nYou may apply again once you meet the standards. If you believe the decision is wrong, you can use your body's complaints procedure.${sign}`,
  }),
  status_changed: (d) => ({
    subject: `Your register status is now ${d.status}`,
    text: `Hello ${d.fullName},\n\nYour entry on the SEND Mediator Register has changed from ${d.from} to ${d.status}.\n\nReason: ${d.reason}\n\nIf you have questions, contact your body (College of Mediators or Civil Mediation Council).${sign}`,
  }),
  claim_account: (d) => ({
    subject: 'Claim your account on the SEND Mediator Register',
    text: `Hello ${d.fullName},\n\nYou are on the SEND Mediator Register as an accredited mediator (grandfathered from the 2018 standards): you do not need to apply again. To sign in, open this single-use link and choose a password by ${d.expiresOn}:\n\n${d.link}\n\nIf the link has expired, ask your body to send a new one, or ask for a password reset with this email address. Each register year you will need to log your CPD and practice hours.${sign}`,
  }),
  verify_email: (d) => ({
    subject: 'Confirm your email to create your SEND Mediator Register account',
    text: `Hello ${d.fullName},\n\nSomeone, probably you, asked to create an account on the SEND Mediator Register with this email address. To create it, open this link within ${d.hours} hours and enter the password you chose when registering:\n\n${d.link}\n\nIf you did not ask for this, ignore this email: no account is created without it.${sign}`,
  }),
  registration_account_exists: (d) => ({
    subject: 'Someone tried to register with your email address',
    text: `Hello ${d.fullName},\n\nSomeone tried to create an account on the SEND Mediator Register with this email address, which already has an account. If it was you, sign in with your password; if you have forgotten it, ask for a password reset link here:\n\n${d.resetPage}\n\nIf it was not you, you need do nothing: your account is unchanged.${sign}`,
  }),
  password_reset: (d) => ({
    subject: 'Reset your SEND Mediator Register password',
    text: `Hello ${d.fullName},\n\nSomeone, probably you, asked to reset the password of your account on the SEND Mediator Register. To choose a new password, open this single-use link within one hour:\n\n${d.link}\n\nSetting a new password signs you out everywhere. If the link has expired, ask for a new one at ${d.resetPage}\n\nIf you did not ask for this, ignore this email: your password is unchanged.${sign}`,
  }),
};

/**
 * Renders a stored message. The outbox row's template and data come back from the database
 * untyped; they were typed when enqueued (OutgoingMessage).
 */
export function renderTemplate(name: string, data: Record<string, unknown>): Rendered {
  const render = (templates as unknown as Record<string, ((d: Record<string, unknown>) => Rendered) | undefined>)[name];
  if (!render) throw new Error(`Unknown notification template: ${name}`);
  return render(data);
}

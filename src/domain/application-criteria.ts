import type { Body, Verdict } from './vocabulary.ts';

/**
 * The eight criteria of the 2024 standards and the checks an application must pass before it
 * can be submitted. Thresholds come from the register settings (a versioned table), never literals here.
 */
export const CRITERIA = ['membership', 'foundation_training', 'send_training', 'supported_practice', 'insurance', 'supervision', 'declaration', 'dbs'] as const;
export type Criterion = (typeof CRITERIA)[number];
/** `dbs` is optional by default (docs/domain.md "Applications (the 2024 standards)"). */
export const REQUIRED_CRITERIA: readonly Criterion[] = CRITERIA.filter((c) => c !== 'dbs');
/** An assessor's verdicts, on some or all of the criteria. */
export type Verdicts = Partial<Record<Criterion, Verdict>>;

/** Roles a mediator can have had in a supported SEND case. */
export const SUPPORTED_CASE_ROLES = ['observed', 'co_mediated', 'led_under_supervision'] as const;

/**
 * An application's evidence, per criterion, as stored and checked here. The API validates the same
 * shape (schemas/applications.ts, which asserts it matches this type); dates are ISO calendar dates.
 */
export interface Evidence {
  membership?: { body: Body; membershipNumber: string };
  foundation_training?: { provider: string; completedOn: string; hours: number; assessedByRolePlay: boolean; assessedByWrittenAssignment: boolean };
  send_training?: { providerId: string; completedOn: string; hours: number };
  supported_practice?: { cases: { date: string; role: (typeof SUPPORTED_CASE_ROLES)[number]; hours: number; supervisor: string }[] };
  insurance?: { insurer: string; coverGbp: number; expiresOn: string };
  supervision?: { supervisorName: string; supervisorContact?: string };
  declaration?: { agreesToCodeOfConduct: boolean; agreesToComplaintsProcedure: boolean; fitAndProper: boolean };
  dbs?: { certificateDate: string };
}

export interface Thresholds {
  foundationHours: number;
  sendTrainingHours: number;
  supportedCases: number;
  insuranceCoverGbp: number;
}

export interface Problem {
  criterion: Criterion;
  field: string;
  message: string;
}

/** Is the provider on the approved list on that date? */
export type ProviderApproval = (providerId: string, on: string) => boolean;

/** Every missing or failing criterion, for a submission on `today`. Empty means it may be submitted. */
export function checkCriteria(evidence: Evidence, thresholds: Thresholds, providerApprovedOn: ProviderApproval, today: string): Problem[] {
  const problems: Problem[] = [];
  const fail = (criterion: Criterion, field: string, message: string) => problems.push({ criterion, field, message });
  for (const c of REQUIRED_CRITERIA) if (!evidence[c]) fail(c, c, 'evidence is missing');

  const f = evidence.foundation_training;
  if (f) {
    if (f.hours < thresholds.foundationHours) fail('foundation_training', 'hours', `must be at least ${thresholds.foundationHours} hours (given ${f.hours})`);
    if (!f.assessedByRolePlay || !f.assessedByWrittenAssignment) fail('foundation_training', 'assessment', 'must have been assessed by role play and a written assignment');
    if (f.completedOn > today) fail('foundation_training', 'completedOn', 'must not be in the future');
  }
  const s = evidence.send_training;
  if (s) {
    if (s.hours < thresholds.sendTrainingHours) fail('send_training', 'hours', `must be at least ${thresholds.sendTrainingHours} hours (given ${s.hours})`);
    if (s.completedOn > today) fail('send_training', 'completedOn', 'must not be in the future');
    if (!providerApprovedOn(s.providerId, s.completedOn)) fail('send_training', 'providerId', 'the provider was not an approved SEND training provider on the completion date');
  }
  const p = evidence.supported_practice;
  if (p) {
    if (p.cases.length < thresholds.supportedCases) fail('supported_practice', 'cases', `needs at least ${thresholds.supportedCases} supported SEND cases (given ${p.cases.length})`);
    p.cases.forEach((c, i) => {
      if (c.date > today) fail('supported_practice', `cases.${i}.date`, 'must not be in the future');
    });
  }
  const ins = evidence.insurance;
  if (ins) {
    if (ins.coverGbp < thresholds.insuranceCoverGbp) fail('insurance', 'coverGbp', `cover must be at least GBP ${thresholds.insuranceCoverGbp.toLocaleString('en-GB')}`);
    if (ins.expiresOn <= today) fail('insurance', 'expiresOn', 'must expire after the submission date');
  }
  const d = evidence.declaration;
  if (d && !(d.agreesToCodeOfConduct && d.agreesToComplaintsProcedure && d.fitAndProper)) {
    fail('declaration', 'declaration', 'every declaration must be agreed');
  }
  if (evidence.dbs && evidence.dbs.certificateDate > today) fail('dbs', 'certificateDate', 'must not be in the future');
  return problems;
}

/** Approval needs a `met` verdict on every required criterion. */
export function unmetCriteria(verdicts: Verdicts): Criterion[] {
  return REQUIRED_CRITERIA.filter((c) => verdicts[c] !== 'met');
}

import { canApply, type ApplicationAction } from '../../domain/application-lifecycle.ts';
import { notFound, problem } from '../../errors.ts';
import type { RequestContext } from '../../lib/context.ts';
import type { Joined } from './applications-repository.ts';

/** Who may read or act on an application, and what of it each reader sees. */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * An application as the one asking may read it. Staff see everything. The applicant sees their
 * evidence, the status and the decision with its reasons (a returned application's reasons say what
 * to fix), but not the panel's working: the verdicts per criterion, the recommendation and the
 * notes are advice to the admin who decides, and are not the decision. An applicant who is also
 * staff reads their own application as its applicant.
 */
export function applicationFor(ctx: RequestContext, { application: a, applicantName, applicantUserId }: Joined) {
  const shown = {
    id: a.id,
    mediatorId: a.mediatorId,
    applicantName,
    status: a.status,
    body: a.body,
    standardsVersion: a.standardsVersion,
    evidence: a.evidence,
    decisionReasons: a.decisionReasons,
    submittedAt: iso(a.submittedAt),
    settingsVersion: a.settingsVersion,
    assessedAt: iso(a.assessedAt),
    decidedAt: iso(a.decidedAt),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
  if (applicantUserId === ctx.actor.id) return shown;
  return { ...shown, verdicts: a.verdicts, recommendation: a.recommendation, assessmentNotes: a.assessmentNotes };
}

/**
 * Who may see it: the owner; assessors once it has been submitted; admins of its body; registrars.
 * Until it is submitted it is the applicant's private working copy, and so is a draft withdrawn
 * without ever being submitted: for anyone else it does not exist.
 */
export function assertVisible(ctx: RequestContext, row: Joined | undefined): Joined {
  const { actor } = ctx;
  if (!row) throw notFound('The application');
  if (row.applicantUserId === actor.id) return row;
  if (actor.role === 'mediator' || row.application.submittedAt === null) throw notFound('The application');
  if (actor.role === 'admin' && row.application.body !== actor.body) throw problem('other-body', 'This application belongs to the other body.');
  return row;
}

export function assertOwner(ctx: RequestContext, row: Joined | undefined): Joined {
  if (!row || row.applicantUserId !== ctx.actor.id) throw notFound('The application');
  return row;
}

export function assertState(row: Joined, action: ApplicationAction) {
  if (!canApply(action, row.application.status)) {
    throw problem('wrong-application-state', `The application is ${row.application.status.replace('_', ' ')}; it cannot be ${action === 'editEvidence' ? 'edited' : `${action}ed`} now.`);
  }
}

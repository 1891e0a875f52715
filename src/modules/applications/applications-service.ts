import { z } from 'zod';
import type { Db, Queryable } from '../../db/client.ts';
import { ACTION_FROM, type ApplicationAction } from '../../domain/application-lifecycle.ts';
import { checkCriteria, REQUIRED_CRITERIA, unmetCriteria, type Criterion, type Evidence, type Verdicts } from '../../domain/application-criteria.ts';
import type { Body, Decision } from '../../domain/vocabulary.ts';
import { problem } from '../../errors.ts';
import { londonDate, type Clock } from '../../lib/clock.ts';
import type { RequestContext, UserContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { EvidenceSchemas, ReviewStatusSchema, type ReviewStatus } from '../../../schemas/applications.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { enqueueNotifications } from '../notifications/outbox.ts';
import { accredit } from '../register-entries/register-entries-service.ts';
import { applicationFor, assertOwner, assertState, assertVisible } from './application-access.ts';
import { applicationQueue, insertApplication, loadApplication, updateApplicationFrom, type Joined, type Row } from './applications-repository.ts';
import { mediatorOfUser, updateMediator } from '../mediators/mediators-repository.ts';
import { providerById } from '../training-providers/training-providers-repository.ts';
import { currentSettings } from '../settings/settings-repository.ts';

/** The queue pages newest change first: the last item's updatedAt and id. */
const queueCursor = keysetCursor(z.tuple([cursorKey.timestamp, cursorKey.id]));

/** Applications against the 2024 standards: evidence, submission, assessment, decision. */
export function createApplicationsService({ db, clock }: { db: Db; clock: Clock }) {
  /** Moves an application inside `tx`, guarded on its current status so concurrent moves cannot both win. */
  async function transition(tx: Queryable, row: Joined, action: ApplicationAction, changes: Partial<Row>) {
    const after = await updateApplicationFrom(tx, row.application.id, ACTION_FROM[action], { ...changes, updatedAt: clock() });
    if (!after) throw problem('concurrent-change', 'The application was changed by someone else at the same time; reload it.');
    return after;
  }

  const audit = (tx: Queryable, ctx: RequestContext, action: string, before: Row, after: Row) =>
    recordAudit(tx, ctx, {
      action,
      entityType: 'application',
      entityId: after.id,
      before: { status: before.status, verdicts: before.verdicts },
      after: { status: after.status, verdicts: after.verdicts, recommendation: after.recommendation, decisionReasons: after.decisionReasons },
    });

  async function providerApprovals(q: Queryable, evidence: Evidence) {
    const id = evidence.send_training?.providerId;
    const provider = id ? await providerById(q, id) : undefined;
    return (providerId: string, on: string) => !!provider && provider.id === providerId && provider.approvedFrom <= on && (provider.approvedUntil === null || on <= provider.approvedUntil);
  }

  return {
    async create(ctx: UserContext) {
      return db.transaction(async (tx) => {
        const me = await mediatorOfUser(tx, ctx.actor.id);
        if (!me) throw problem('not-a-mediator', 'Only mediators with a profile can apply.');
        if (me.status) throw problem('already-on-register', 'You are already on the register; accredited mediators do not apply again.');
        const created = await insertApplication(tx, me.id);
        if (!created) throw problem('open-application-exists', 'You already have an open application; continue or withdraw it first.');
        await recordAudit(tx, ctx, { action: 'application.created', entityType: 'application', entityId: created.id, after: { status: created.status } });
        return applicationFor(ctx, { application: created, applicantName: me.fullName, applicantUserId: me.userId, applicantEmail: '' });
      });
    },

    async get(ctx: RequestContext, id: string) {
      return applicationFor(ctx, assertVisible(ctx, await loadApplication(db, id)));
    },

    async putEvidence(ctx: RequestContext, id: string, criterion: Criterion, body: unknown) {
      const parsed = EvidenceSchemas[criterion].safeParse(body);
      if (!parsed.success) {
        throw problem(
          'validation-failed',
          `The evidence for ${criterion} is invalid.`,
          parsed.error.issues.map((i) => ({ in: 'body' as const, field: i.path.join('.') || '(root)', message: i.message })),
        );
      }
      return db.transaction(async (tx) => {
        const row = assertOwner(ctx, await loadApplication(tx, id, true));
        assertState(row, 'editEvidence');
        const evidence = { ...row.application.evidence, [criterion]: parsed.data };
        const body = criterion === 'membership' ? (parsed.data as Evidence['membership'])!.body : row.application.body;
        const after = await transition(tx, row, 'editEvidence', { evidence, body });
        await recordAudit(tx, ctx, { action: 'application.evidence_updated', entityType: 'application', entityId: id, after: { criterion } });
        return applicationFor(ctx, { ...row, application: after });
      });
    },

    async submit(ctx: RequestContext, id: string) {
      return db.transaction(async (tx) => {
        const row = assertOwner(ctx, await loadApplication(tx, id, true));
        assertState(row, 'submit');
        const today = londonDate(clock());
        const { version: settingsVersion, settings } = await currentSettings(tx);
        const problems = checkCriteria(row.application.evidence, settings.applicationThresholds, await providerApprovals(tx, row.application.evidence), today);
        if (problems.length) {
          throw problem(
            'application-incomplete',
            `The application cannot be submitted: ${problems.length} criterion check${problems.length > 1 ? 's' : ''} failed.`,
            problems.map((p) => ({ in: 'body', field: p.field === p.criterion ? p.criterion : `${p.criterion}.${p.field}`, message: p.message })),
          );
        }
        const after = await transition(tx, row, 'submit', { status: 'submitted', submittedAt: clock(), verdicts: {}, settingsVersion });
        await enqueueNotifications(tx, [{ recipient: row.applicantEmail, userId: row.applicantUserId, template: 'application_submitted', data: { fullName: row.applicantName, body: after.body } }]);
        await audit(tx, ctx, 'application.submitted', row.application, after);
        return applicationFor(ctx, { ...row, application: after });
      });
    },

    async withdraw(ctx: RequestContext, id: string) {
      return db.transaction(async (tx) => {
        const row = assertOwner(ctx, await loadApplication(tx, id, true));
        assertState(row, 'withdraw');
        const after = await transition(tx, row, 'withdraw', { status: 'withdrawn' });
        await audit(tx, ctx, 'application.withdrawn', row.application, after);
        return applicationFor(ctx, { ...row, application: after });
      });
    },

    /** Submitted applications only (see assertVisible), whatever status they have reached since. */
    async queue(ctx: RequestContext, query: { status?: ReviewStatus; body?: Body; limit: number; cursor?: string }) {
      if (ctx.actor.role === 'admin' && query.body && query.body !== ctx.actor.body) throw problem('other-body', 'Admins see their own body’s applications.');
      const after = queueCursor.decode(query.cursor);
      const body = ctx.actor.role === 'admin' ? ctx.actor.body : query.body;
      const page = await keysetPage(
        query.limit,
        (count) => applicationQueue(db, { statuses: query.status ? [query.status] : ReviewStatusSchema.options, body, after }, count),
        ({ application: last }) => queueCursor.encode([last.updatedAt.toISOString(), last.id]),
      );
      return { items: page.items.map((row) => applicationFor(ctx, row)), nextCursor: page.nextCursor };
    },

    /** Verdicts on some criteria keep it under assessment; once every required one has a verdict it is assessed. */
    async assess(ctx: UserContext, id: string, input: { verdicts: Verdicts; recommendation?: string; notes?: string }) {
      return db.transaction(async (tx) => {
        const row = assertVisible(ctx, await loadApplication(tx, id, true));
        if (row.applicantUserId === ctx.actor.id) throw problem('own-record', 'Nobody assesses their own application.');
        assertState(row, 'assess');
        const verdicts = { ...row.application.verdicts, ...input.verdicts };
        const complete = REQUIRED_CRITERIA.every((c) => verdicts[c] !== undefined);
        const after = await transition(tx, row, 'assess', {
          verdicts,
          status: complete ? 'assessed' : 'under_assessment',
          recommendation: input.recommendation ?? row.application.recommendation,
          assessmentNotes: input.notes ?? row.application.assessmentNotes,
          assessedBy: ctx.actor.id,
          assessedAt: complete ? clock() : null,
        });
        await audit(tx, ctx, complete ? 'application.assessed' : 'application.assessment_saved', row.application, after);
        return applicationFor(ctx, { ...row, application: after });
      });
    },

    /** Approval creates the register entry in the same transaction; two concurrent decisions: one wins, one 409. */
    async decide(ctx: UserContext, id: string, input: { outcome: Decision; reasons?: string }) {
      return db.transaction(async (tx) => {
        const row = assertVisible(ctx, await loadApplication(tx, id, true));
        if (row.applicantUserId === ctx.actor.id) throw problem('own-record', 'Nobody decides their own application.');
        assertState(row, 'decide');
        const a = row.application;
        if (input.outcome === 'approved') {
          const unmet = unmetCriteria(a.verdicts);
          if (unmet.length) {
            throw problem(
              'verdicts-not-met',
              'Approval needs a "met" verdict on every required criterion.',
              unmet.map((c) => ({ in: 'body', field: `verdicts.${c}`, message: `is ${a.verdicts[c] ?? 'not assessed'}` })),
            );
          }
        }
        const now = clock();
        const after = await transition(tx, row, 'decide', { status: input.outcome, decisionReasons: input.reasons ?? null, decidedBy: ctx.actor.id, decidedAt: now });
        if (input.outcome === 'approved') {
          const today = londonDate(now);
          const ev = a.evidence;
          const reason = `Application ${a.id} approved (2024 standards)`;
          const membership = { body: ev.membership!.body, membershipNumber: ev.membership!.membershipNumber };
          await accredit(tx, ctx, now, [
            { id: a.mediatorId, reason, route: 'standards_2024', standardsVersion: a.standardsVersion, ...membership, firstAccreditedOn: today, complianceStartOn: today },
          ]);
          if (ev.insurance) {
            await updateMediator(tx, a.mediatorId, { insurer: ev.insurance.insurer, insuranceCoverGbp: ev.insurance.coverGbp, insuranceExpiresOn: ev.insurance.expiresOn });
          }
        }
        const template = input.outcome === 'approved' ? 'application_approved' : input.outcome === 'rejected' ? 'application_rejected' : 'application_returned';
        await enqueueNotifications(tx, [{ recipient: row.applicantEmail, userId: row.applicantUserId, template, data: { fullName: row.applicantName, reasons: input.reasons ?? null } }]);
        await audit(tx, ctx, `application.${input.outcome}`, a, after);
        return applicationFor(ctx, { ...row, application: after });
      });
    },
  };
}

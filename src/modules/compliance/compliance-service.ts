import { z } from 'zod';
import type { Db, Queryable } from '../../db/client.ts';
import { notFound, problem } from '../../errors.ts';
import type { AdjustmentKind, ComplianceOutcome } from '../../domain/vocabulary.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestContext, UserContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { toRun, type ComplianceJob } from './compliance-job.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { enqueueNotifications } from '../notifications/outbox.ts';
import { loadComplianceRules } from './compliance-rules.ts';
import { adjustInGrace, assessmentsPage, findAdjustable, findAssessment, insertAdjustment } from './assessments-repository.ts';
import { runsPage } from './compliance-repository.ts';

/** Assessments page by period start (newest first), then id; runs by start time, then id. */
const assessmentCursor = keysetCursor(z.tuple([cursorKey.date, cursorKey.id]));
const runCursor = keysetCursor(z.tuple([cursorKey.timestamp, cursorKey.id]));

const toAssessment = <R extends { assessedAt: Date; closedAt: Date | null }>(r: R) => ({ ...r, assessedAt: r.assessedAt.toISOString(), closedAt: r.closedAt?.toISOString() ?? null });

async function assessmentOf(q: Queryable, mediatorId: string, periodStart: string) {
  const row = await findAssessment(q, mediatorId, periodStart);
  return row ? toAssessment(row) : null;
}

/** Assessments, runs and admin decisions on periods (exemptions and extensions). */
export function createComplianceService({ db, clock, job }: { db: Db; clock: Clock; job: ComplianceJob }) {
  return {
    run: (asOf?: string) => job.runCompliance(asOf),

    /** Admins see their own body's mediators; registrars see both. Newest periods first. */
    async listAssessments(ctx: RequestContext, query: { period?: number; outcome?: ComplianceOutcome; limit: number; cursor?: string }) {
      const after = assessmentCursor.decode(query.cursor);
      const filter = {
        body: ctx.actor.role === 'admin' ? ctx.actor.body : undefined,
        outcome: query.outcome,
        startsBetween: query.period === undefined ? undefined : (await loadComplianceRules(db)).registerYear(query.period),
        after,
      };
      const page = await keysetPage(
        query.limit,
        (count) => assessmentsPage(db, filter, count),
        (last) => assessmentCursor.encode([last.periodStart, last.id]),
      );
      return { items: page.items.map(toAssessment), nextCursor: page.nextCursor };
    },

    async listRuns(query: { limit: number; cursor?: string }) {
      const after = runCursor.decode(query.cursor);
      const page = await keysetPage(
        query.limit,
        (count) => runsPage(db, after, count),
        (last) => runCursor.encode([last.startedAt.toISOString(), last.id]),
      );
      return { items: page.items.map(toRun), nextCursor: page.nextCursor };
    },

    /**
     * An exemption marks the period `exempt`; an extension moves its grace end. Applied at once to
     * a period in grace; one not yet assessed takes it when the job assesses it. A closed period
     * (compliant, non-compliant, exempt) cannot be changed.
     */
    async adjust(ctx: UserContext, mediatorId: string, input: { period: number; kind: AdjustmentKind; until?: string; reason: string }) {
      const m = await findAdjustable(db, mediatorId);
      if (!m || m.status === null) throw notFound('The register entry');
      if (m.userId === ctx.actor.id) throw problem('own-record', 'Nobody exempts or extends their own compliance period; another admin of the body or a registrar must.');
      if (ctx.actor.role === 'admin' && ctx.actor.body !== m.body) throw problem('other-body', 'This entry belongs to the other body.');
      const period = (await loadComplianceRules(db)).periodIn(m, input.period);
      if (!period) {
        throw problem('no-compliance-period', `The mediator has no compliance period in register year ${input.period}.`, [
          { in: 'body', field: 'period', message: 'no obligations in that register year' },
        ]);
      }
      if (input.until !== undefined && input.until <= period.periodEnd) {
        throw problem('extension-too-short', 'An extension must run past the end of the period.', [{ in: 'body', field: 'until', message: `must be after ${period.periodEnd}` }]);
      }
      const existing = await assessmentOf(db, mediatorId, period.periodStart);
      if (existing?.closedAt) throw problem('period-closed', `The ${existing.periodStart} period is already closed as ${existing.outcome}.`);

      return db.transaction(async (tx) => {
        const adjustment = await insertAdjustment(tx, {
          mediatorId,
          periodStart: period.periodStart,
          kind: input.kind,
          until: input.until ?? null,
          reason: input.reason,
          decidedBy: ctx.actor.id,
          createdAt: clock(),
        });
        if (!adjustment) throw problem('period-already-exempt', 'This period is already exempt.');
        const applied = await adjustInGrace(tx, mediatorId, period.periodStart, { kind: input.kind, until: input.until, now: clock() });
        // The period was closed between the check above and this transaction: refuse, write nothing.
        if (!applied && existing) throw problem('period-closed', 'The period was closed in the meantime.');
        await enqueueNotifications(tx, [
          {
            recipient: m.email,
            userId: m.userId,
            template: input.kind === 'exemption' ? 'compliance_exempted' : 'compliance_extended',
            data: { fullName: m.fullName, periodStart: period.periodStart, periodEnd: period.periodEnd, until: input.until ?? null, reason: input.reason },
          },
        ]);
        await recordAudit(tx, ctx, {
          action: `compliance.${input.kind}_granted`,
          entityType: 'mediator',
          entityId: mediatorId,
          before: existing ? { outcome: existing.outcome, graceEndsOn: existing.graceEndsOn } : null,
          after: { periodStart: period.periodStart, kind: input.kind, until: input.until ?? null, reason: input.reason },
        });
        return {
          id: adjustment.id,
          mediatorId,
          periodStart: adjustment.periodStart,
          kind: adjustment.kind,
          until: adjustment.until,
          reason: adjustment.reason,
          createdAt: adjustment.createdAt.toISOString(),
          assessment: existing ? await assessmentOf(tx, mediatorId, period.periodStart) : null,
        };
      });
    },
  };
}

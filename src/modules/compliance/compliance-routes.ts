import { AdjustmentBodySchema, AdjustmentSchema, AssessmentPageSchema, AssessmentQuerySchema, RunBodySchema, RunPageSchema, RunSummarySchema } from '../../../schemas/compliance-admin.ts';
import { IdParamsSchema, PageQuerySchema, problemResponses } from '../../../schemas/common.ts';
import { MyComplianceSchema } from '../../../schemas/compliance.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createComplianceJob } from './compliance-job.ts';
import { createComplianceService } from './compliance-service.ts';
import { scheduleCompliance } from './schedule.ts';
import { createComplianceViewService } from './view-service.ts';

/** The compliance job on its schedule, its admin routes, and each mediator's view of where they stand. */
export const complianceModule: Module = async (app, { db, clock, config }) => {
  const job = createComplianceJob({
    db,
    clock,
    removedVisibleYears: config.REGISTER_REMOVED_VISIBLE_YEARS,
    onUpkeepError: (err) => app.log.error({ err }, 'upkeep after the compliance run failed (the run stands)'),
  });
  const compliance = createComplianceService({ db, clock, job });
  const complianceView = createComplianceViewService({ db, clock });
  const stopSchedule = scheduleCompliance({
    cron: config.COMPLIANCE_CRON,
    clock,
    run: job.runCompliance,
    onError: (err) => app.log.error({ err }, 'scheduled compliance run failed'),
  });
  app.addHook('onClose', async () => stopSchedule());

  const tags = ['compliance'];

  app.get('/v1/me/compliance', {
    config: { access: ['mediator'] },
    schema: {
      tags,
      summary: "Where you stand: the current period, each requirement's progress and shortfall, days left; past assessments",
      response: { 200: MyComplianceSchema, ...problemResponses },
    },
    handler: async (req) => complianceView.view(userContext(req)),
  });

  app.post('/v1/admin/jobs/compliance', {
    config: { access: ['registrar'] },
    schema: {
      tags,
      summary: 'Run the compliance job for a date (once per date: a repeat returns the first run)',
      body: RunBodySchema.optional(),
      response: { 200: RunSummarySchema, ...problemResponses },
    },
    handler: async (req) => compliance.run(req.body?.asOf),
  });

  app.get('/v1/admin/jobs/runs', {
    config: { access: ['admin', 'registrar'] },
    schema: { tags, summary: 'Compliance job runs, newest first, with their counts', querystring: PageQuerySchema, response: { 200: RunPageSchema, ...problemResponses } },
    handler: async (req) => compliance.listRuns(req.query),
  });

  app.get('/v1/admin/compliance', {
    config: { access: ['admin', 'registrar'] },
    schema: {
      tags,
      summary: 'Compliance assessments with their deficits (an admin sees their own body)',
      querystring: AssessmentQuerySchema,
      response: { 200: AssessmentPageSchema, ...problemResponses },
    },
    handler: async (req) => compliance.listAssessments(userContext(req), req.query),
  });

  app.post('/v1/admin/mediators/:id/exemptions', {
    config: { access: ['admin', 'registrar'] },
    schema: {
      tags,
      summary: 'Exempt a period, or extend its grace',
      description: 'Never for one’s own entry (403): staff who are also on the register have another admin of the body or a registrar decide.',
      params: IdParamsSchema,
      body: AdjustmentBodySchema,
      response: { 201: AdjustmentSchema, ...problemResponses },
    },
    handler: async (req, reply) => reply.code(201).send(await compliance.adjust(userContext(req), req.params.id, req.body)),
  });
};

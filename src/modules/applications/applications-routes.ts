import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApplicationSchema, AssessmentBodySchema, CriterionParamsSchema, DecisionBodySchema, EvidenceBodySchema, ReviewQuerySchema } from '../../../schemas/applications.ts';
import { IdParamsSchema, page, problemResponses } from '../../../schemas/common.ts';
import type { ApplicationsService } from './applications-service.ts';

export const applicationsRoutes: FastifyPluginAsyncZod<{ applications: ApplicationsService }> = async (app, { applications }) => {
  const security = [{ bearerAuth: [] }];
  const response = { 200: ApplicationSchema, ...problemResponses };

  app.post('/v1/applications', {
    config: { access: ['mediator'] },
    schema: { tags: ['applications'], summary: 'Start a draft application (409 if one is open)', security, response: { 201: ApplicationSchema, ...problemResponses } },
    handler: async (req, reply) => reply.code(201).send(await applications.create(req.ctx)),
  });

  app.get('/v1/applications/:id', {
    config: { access: ['mediator', 'assessor', 'admin', 'registrar'] },
    schema: {
      tags: ['applications'],
      summary: 'An application with its evidence (and, for staff, the assessment)',
      description:
        'The applicant sees their own application at every stage, with the decision and its reasons, but not the assessment panel’s verdicts, recommendation or notes. Staff see an application once it has been submitted, all of it; before that (a draft, or a draft withdrawn unsubmitted) it is 404 to anyone but its applicant.',
      security,
      params: IdParamsSchema,
      response,
    },
    handler: async (req) => applications.get(req.ctx, req.params.id),
  });

  app.put('/v1/applications/:id/criteria/:criterion', {
    config: { access: ['mediator'] },
    schema: { tags: ['applications'], summary: 'Evidence for one criterion (draft or returned only)', security, params: CriterionParamsSchema, body: EvidenceBodySchema, response },
    handler: async (req) => applications.putEvidence(req.ctx, req.params.id, req.params.criterion, req.body),
  });

  app.post('/v1/applications/:id/submit', {
    config: { access: ['mediator'] },
    schema: { tags: ['applications'], summary: 'Submit: 200, or 422 listing every unmet criterion', security, params: IdParamsSchema, response },
    handler: async (req) => applications.submit(req.ctx, req.params.id),
  });

  app.post('/v1/applications/:id/withdraw', {
    config: { access: ['mediator'] },
    schema: { tags: ['applications'], summary: 'Withdraw before a decision', security, params: IdParamsSchema, response },
    handler: async (req) => applications.withdraw(req.ctx, req.params.id),
  });

  app.get('/v1/review/applications', {
    config: { access: ['assessor', 'admin', 'registrar'] },
    schema: { tags: ['review'], summary: 'The review queue: submitted applications, whatever their status since (admins see their own body)', security, querystring: ReviewQuerySchema, response: { 200: page(ApplicationSchema), ...problemResponses } },
    handler: async (req) => applications.queue(req.ctx, req.query),
  });

  app.post('/v1/review/applications/:id/assessment', {
    config: { access: ['assessor'] },
    schema: { tags: ['review'], summary: 'Verdicts per criterion, a recommendation and notes', security, params: IdParamsSchema, body: AssessmentBodySchema, response },
    handler: async (req) => applications.assess(req.ctx, req.params.id, req.body),
  });

  app.post('/v1/review/applications/:id/decision', {
    config: { access: ['admin', 'registrar'] },
    schema: { tags: ['review'], summary: "Approve, reject or return (admin of the applicant's body, or registrar)", security, params: IdParamsSchema, body: DecisionBodySchema, response },
    handler: async (req) => applications.decide(req.ctx, req.params.id, req.body),
  });
};

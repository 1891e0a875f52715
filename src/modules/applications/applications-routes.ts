import { ApplicationSchema, AssessmentBodySchema, CriterionParamsSchema, DecisionBodySchema, EvidenceBodySchema, ReviewQuerySchema } from '../../../schemas/applications.ts';
import { IdParamsSchema, page, problemResponses } from '../../../schemas/common.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createApplicationsService } from './applications-service.ts';

/** Applications for accreditation: the applicant's draft and submission, the review queue, assessment and decision. */
export const applicationsModule: Module = async (app, { db, clock }) => {
  const applications = createApplicationsService({ db, clock });
  const response = { 200: ApplicationSchema, ...problemResponses };

  app.post('/v1/applications', {
    config: { access: ['mediator'] },
    schema: { tags: ['applications'], summary: 'Start a draft application (409 if one is open)', response: { 201: ApplicationSchema, ...problemResponses } },
    handler: async (req, reply) => reply.code(201).send(await applications.create(userContext(req))),
  });

  app.get('/v1/applications/:id', {
    config: { access: ['mediator', 'assessor', 'admin', 'registrar'] },
    schema: {
      tags: ['applications'],
      summary: 'An application with its evidence (and, for staff, the assessment)',
      description:
        'The applicant sees their own application at every stage, with the decision and its reasons, but not the assessment panel’s verdicts, recommendation or notes. Staff see an application once it has been submitted, all of it; before that (a draft, or a draft withdrawn unsubmitted) it is 404 to anyone but its applicant.',
      params: IdParamsSchema,
      response,
    },
    handler: async (req) => applications.get(userContext(req), req.params.id),
  });

  app.put('/v1/applications/:id/criteria/:criterion', {
    config: { access: ['mediator'] },
    schema: { tags: ['applications'], summary: 'Evidence for one criterion (draft or returned only)', params: CriterionParamsSchema, body: EvidenceBodySchema, response },
    handler: async (req) => applications.putEvidence(userContext(req), req.params.id, req.params.criterion, req.body),
  });

  app.post('/v1/applications/:id/submit', {
    config: { access: ['mediator'] },
    schema: { tags: ['applications'], summary: 'Submit: 200, or 422 listing every unmet criterion', params: IdParamsSchema, response },
    handler: async (req) => applications.submit(userContext(req), req.params.id),
  });

  app.post('/v1/applications/:id/withdraw', {
    config: { access: ['mediator'] },
    schema: { tags: ['applications'], summary: 'Withdraw before a decision', params: IdParamsSchema, response },
    handler: async (req) => applications.withdraw(userContext(req), req.params.id),
  });

  app.get('/v1/review/applications', {
    config: { access: ['assessor', 'admin', 'registrar'] },
    schema: {
      tags: ['review'],
      summary: 'The review queue: submitted applications, whatever their status since (admins see their own body)',
      querystring: ReviewQuerySchema,
      response: { 200: page(ApplicationSchema), ...problemResponses },
    },
    handler: async (req) => applications.queue(userContext(req), req.query),
  });

  app.post('/v1/review/applications/:id/assessment', {
    config: { access: ['assessor'] },
    schema: { tags: ['review'], summary: 'Verdicts per criterion, a recommendation and notes', params: IdParamsSchema, body: AssessmentBodySchema, response },
    handler: async (req) => applications.assess(userContext(req), req.params.id, req.body),
  });

  app.post('/v1/review/applications/:id/decision', {
    config: { access: ['admin', 'registrar'] },
    schema: { tags: ['review'], summary: "Approve, reject or return (admin of the applicant's body, or registrar)", params: IdParamsSchema, body: DecisionBodySchema, response },
    handler: async (req) => applications.decide(userContext(req), req.params.id, req.body),
  });
};

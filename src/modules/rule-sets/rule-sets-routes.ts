import { problemResponses } from '../../../schemas/common.ts';
import { RuleSetBodySchema, RuleSetListSchema, RuleSetSchema } from '../../../schemas/rule-sets.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createRuleSetsService } from './rule-sets-service.ts';

/** The versions of the annual requirements. */
export const ruleSetsModule: Module = async (app, { db, clock }) => {
  const ruleSets = createRuleSetsService({ db, clock });
  const tags = ['rule-sets'];

  app.get('/v1/admin/rule-sets', {
    config: { access: ['registrar'] },
    schema: { tags, summary: 'Every version of the annual requirements, newest first', response: { 200: RuleSetListSchema, ...problemResponses } },
    handler: async () => ruleSets.list(),
  });
  app.put('/v1/admin/rule-sets', {
    config: { access: ['registrar'] },
    schema: {
      tags,
      summary: "Add the rules from the start of a future register year (the set in force at a period's start governs it)",
      body: RuleSetBodySchema,
      response: { 201: RuleSetSchema, ...problemResponses },
    },
    handler: async (req, reply) => reply.code(201).send(await ruleSets.add(userContext(req), req.body)),
  });
};

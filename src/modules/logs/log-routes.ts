import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParamsSchema, problemResponses } from '../../../schemas/common.ts';
import { CpdBodySchema, CpdEntrySchema, CpdPageSchema, CpdPatchSchema, LogQuerySchema } from '../../../schemas/cpd.ts';
import { PracticeBodySchema, PracticeEntrySchema, PracticePageSchema, PracticePatchSchema } from '../../../schemas/practice.ts';
import { userContext, type UserContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createCpdService } from './cpd-service.ts';
import type { LogName } from './log-service.ts';
import type { LogQuery } from './log-pages.ts';
import { createPracticeService } from './practice-service.ts';

/** What the routes of one log (CPD or practice) need: its name (path and tag), service, schemas and words. */
interface LogRoutes<Body, Patch, Entry> {
  name: LogName;
  service: {
    list(ctx: UserContext, query: LogQuery): Promise<unknown>;
    create(ctx: UserContext, body: Body): Promise<Entry>;
    update(ctx: UserContext, id: string, patch: Patch): Promise<Entry>;
    remove(ctx: UserContext, id: string): Promise<void>;
  };
  schemas: { body: z.ZodType<Body>; patch: z.ZodType<Patch>; entry: z.ZodType; page: z.ZodType };
  /** The entries, as summaries name them ("CPD entries"), and what logging one is. */
  words: { entries: string; create: string };
}

function logRoutes<Body, Patch, Entry>(app: FastifyInstance, { name, service, schemas, words }: LogRoutes<Body, Patch, Entry>) {
  const path = `/v1/me/${name}`;
  // The bodies are validated by their schemas; the type provider cannot follow a generic schema, hence the casts below.
  const api = app.withTypeProvider<ZodTypeProvider>();
  const common = { tags: [name] };
  const config = { access: ['mediator' as const] };

  api.get(path, {
    config,
    schema: {
      ...common,
      summary: `Your ${words.entries}, newest first (\`?period=2025\`: the register year starting in 2025)`,
      querystring: LogQuerySchema,
      response: { 200: schemas.page, ...problemResponses },
    },
    handler: async (req) => service.list(userContext(req), req.query),
  });
  api.post(path, {
    config,
    schema: { ...common, summary: words.create, body: schemas.body, response: { 201: schemas.entry, ...problemResponses } },
    handler: async (req, reply) => reply.code(201).send(await service.create(userContext(req), req.body as Body)),
  });
  api.patch(`${path}/:id`, {
    config,
    schema: { ...common, summary: `Change one of your ${words.entries} while its period is open`, params: IdParamsSchema, body: schemas.patch, response: { 200: schemas.entry, ...problemResponses } },
    handler: async (req) => service.update(userContext(req), req.params.id, req.body as Patch),
  });
  api.delete(`${path}/:id`, {
    config,
    schema: { ...common, summary: `Delete one of your ${words.entries} while its period is open`, params: IdParamsSchema, response: { 204: z.undefined(), ...problemResponses } },
    handler: async (req, reply) => {
      await service.remove(userContext(req), req.params.id);
      return reply.code(204).send();
    },
  });
}

/** A mediator's own logs: CPD, and practice (mediations and supervision received). */
export const logsModule: Module = async (app, { db, clock }) => {
  logRoutes(app, {
    name: 'cpd',
    service: createCpdService({ db, clock }),
    schemas: { body: CpdBodySchema, patch: CpdPatchSchema, entry: CpdEntrySchema, page: CpdPageSchema },
    words: { entries: 'CPD entries', create: 'Log CPD (not in the future; not in a closed period)' },
  });
  logRoutes(app, {
    name: 'practice',
    service: createPracticeService({ db, clock }),
    schemas: { body: PracticeBodySchema, patch: PracticePatchSchema, entry: PracticeEntrySchema, page: PracticePageSchema },
    words: { entries: 'practice entries', create: 'Log a mediation or supervision received: no names, emails, phone numbers or other personal data of families' },
  });
};

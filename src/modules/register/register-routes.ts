import { z } from 'zod';
import { IdParamsSchema, problemResponses } from '../../../schemas/common.ts';
import { PublicEntrySchema, PublicHistorySchema, RegisterSearchPageSchema, RegisterSearchQuerySchema } from '../../../schemas/register.ts';
import type { Module } from '../module.ts';
import { feedCursorAt } from './register-feed.ts';
import { createRegisterService } from './register-service.ts';

// The register changes at most a few times a day (decisions, the nightly job): five minutes of
// caching is harmless and keeps the public side fast.
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=60';

/** The public register's JSON API: search, entries, history and the open-data export. */
export const registerModule: Module = async (app, { db, clock, config }) => {
  const register = createRegisterService({ db, clock, config });
  const rateLimit = { max: config.RATE_LIMIT_PUBLIC_PER_MINUTE, timeWindow: '1 minute' };
  const publicProblems = { 400: problemResponses[400], 404: problemResponses[404] };
  app.addHook('onSend', async (_req, reply) => {
    if (reply.statusCode < 400 && !reply.hasHeader('cache-control')) reply.header('cache-control', CACHE_CONTROL);
  });

  app.get('/v1/register', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['public register'],
      summary: 'Search accredited mediators',
      description:
        'By name (accents, case and apostrophes ignored: Émilie among the E). With `q`: the names and organisations containing it; only when there are none, the closest names (`match: similar`). With `region`: those covering it first, then those who work remotely across England. Keyset pagination: pass `nextCursor` back as `cursor`.',
      querystring: RegisterSearchQuerySchema,
      response: { 200: RegisterSearchPageSchema, ...publicProblems },
    },
    handler: async (req) => register.search(req.query),
  });

  for (const format of ['csv', 'json'] as const) {
    app.get(`/v1/register/export.${format}`, {
      config: { access: 'public', rateLimit },
      schema: {
        tags: ['public register'],
        summary: `The whole public register as open data (${format.toUpperCase()})`,
        description:
          'Every entry in public view (each status, labelled; a removed entry for its years on the register), in name order, as the entry pages show them. Streamed; answers 304 to If-None-Match / If-Modified-Since when nothing changed. The ETag is the change feed’s head in quotes, and the `Register-Changes-Since` header is the feed cursor to poll `/v1/register/changes` from to keep a copy current.',
        response: { 200: { description: `The register as ${format.toUpperCase()}`, content: { [format === 'csv' ? 'text/csv' : 'application/json']: { schema: z.string() } } }, 304: z.undefined() },
      },
      handler: async (req, reply) => {
        const { position, etag, lastModified } = await register.version();
        reply.header('etag', etag).header('last-modified', lastModified.toUTCString()).header('cache-control', CACHE_CONTROL);
        // Where a mirror of this export polls the change feed from (its `since`).
        reply.header('register-changes-since', feedCursorAt(position));
        const inm = req.headers['if-none-match'];
        const ims = req.headers['if-modified-since'];
        const fresh = inm ? inm.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`) : ims ? Math.floor(lastModified.getTime() / 1000) <= Math.floor(Date.parse(ims) / 1000) : false;
        if (fresh) return reply.code(304).send();
        reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8').header('content-disposition', `attachment; filename="send-mediator-register.${format}"`);
        // A stream bypasses the schema serializer; the type provider only knows the documented string.
        return reply.send((format === 'csv' ? register.exportCsv() : register.exportJson()) as unknown as string);
      },
    });
  }

  app.get('/v1/register/:id', {
    config: { access: 'public', rateLimit },
    schema: { tags: ['public register'], summary: 'One accredited mediator (404 unless accredited)', params: IdParamsSchema, response: { 200: PublicEntrySchema, ...publicProblems } },
    handler: async (req) => register.entry(req.params.id),
  });

  app.get('/v1/register/:id/history', {
    config: { access: 'public', rateLimit },
    schema: { tags: ['public register'], summary: 'Public status history: status and date only', params: IdParamsSchema, response: { 200: PublicHistorySchema, ...publicProblems } },
    handler: async (req) => ({ items: await register.history(req.params.id) }),
  });
};

import { publicRateLimit } from '../../config.ts';
import { z } from 'zod';
import { IdParamsSchema, ProblemSchema, problemResponses } from '../../../schemas/common.ts';
import {
  EntryByNumberParamsSchema,
  LookupRequestSchema,
  LookupResponseSchema,
  PublicEntrySchema,
  PublicHistorySchema,
  RegisterSearchPageSchema,
  RegisterSearchQuerySchema,
  StatusAsOfQuerySchema,
  StatusOnDateSchema,
} from '../../../schemas/register.ts';
import type { Module } from '../module.ts';
import { feedCursorAt } from './register-feed.ts';

// The register changes at most a few times a day (decisions, the nightly job): five minutes of
// caching is harmless and keeps the public side fast.
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=60';

/** The public register's JSON API: search, entries, history and the open-data export. */
export const registerModule: Module<'register'> = async (app, { config, register }) => {
  const rateLimit = publicRateLimit(config);
  const publicProblems = { 400: problemResponses[400], 404: problemResponses[404] };
  app.addHook('onSend', async (_req, reply) => {
    if (reply.statusCode < 400 && !reply.hasHeader('cache-control')) reply.header('cache-control', CACHE_CONTROL);
  });

  app.get('/v1/register', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['public register'],
      summary: 'Search the register (accredited mediators unless `status` asks for others)',
      description:
        'By name (accents, case and apostrophes ignored: Émilie among the E). With `q`: the names and organisations containing it; only when there are none, the near misses (`match: similar`): a word within a few edits of each word of `q`, in any order, fewest edits first. `status` (comma separated, or `any`) lists entries of other statuses, labelled. With `region`: those covering it first, then those who work remotely across England. `total` counts the results on the first page (exact up to 1000). Keyset pagination: pass `nextCursor` back as `cursor`.',
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

  const entryProblems = { ...publicProblems, 410: ProblemSchema };
  const entryDescription =
    'Every entry that was ever on the register answers, labelled with its `status` (`accredited`, `suspended`, `lapsed`, `removed`), `statusSince` and `statusExplained`; how to reach the mediator only while accredited, and never a reason. 404: never on the register. 410: removed longer ago than the register keeps removed entries in public view.';

  app.get('/v1/register/:id', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['public register'],
      summary: 'One register entry, labelled with its status',
      description: entryDescription,
      params: IdParamsSchema,
      response: { 200: PublicEntrySchema, ...entryProblems },
    },
    handler: async (req) => register.entry(req.params.id),
  });

  app.get('/v1/register/by-number/:body/:membershipNumber', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['public register'],
      summary: 'One register entry by its body and membership number',
      description: `Membership numbers are unique within a body. ${entryDescription}`,
      params: EntryByNumberParamsSchema,
      response: { 200: PublicEntrySchema, ...entryProblems },
    },
    handler: async (req) => register.entryByNumber(req.params.body, req.params.membershipNumber),
  });

  app.get('/v1/register/:id/history', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['public register'],
      summary: 'Public status history: status and date only',
      description: 'Every status change of an entry in public view, oldest first, with its London date; never the reason. 404 and 410 as for the entry.',
      params: IdParamsSchema,
      response: { 200: PublicHistorySchema, ...entryProblems },
    },
    handler: async (req) => ({ items: await register.history(req.params.id) }),
  });

  app.get('/v1/register/:id/status', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['public register'],
      summary: 'An entry’s status on a date',
      description:
        'The status in force at the end of `asOf` (a London date, today or earlier; today when not given), from the public status history, with the history entry that proves it; `not_registered` before the first accreditation. 400 for a date after today; 404 and 410 as for the entry.',
      params: IdParamsSchema,
      querystring: StatusAsOfQuerySchema,
      response: { 200: StatusOnDateSchema, ...entryProblems },
    },
    handler: async (req) => register.statusOnDate(req.params.id, req.query.asOf),
  });

  app.post('/v1/register/lookup', {
    // Other sites' pages may run a lookup (a read, though a POST): plugins/cors.ts.
    config: { access: 'public', rateLimit, crossOrigin: true },
    schema: {
      tags: ['public register'],
      summary: 'Look up to 100 entries at once, by id or membership number',
      description:
        'One result per query, in order: the entry, labelled as `GET /v1/register/{id}` shows it, or `found: false` (never on the register, or gone). With `asOf`, also each entry’s status at the end of that date (`statusOnDate`). At most 100 queries.',
      body: LookupRequestSchema,
      response: { 200: LookupResponseSchema, 400: problemResponses[400] },
    },
    handler: async (req) => register.lookup(req.body),
  });
};

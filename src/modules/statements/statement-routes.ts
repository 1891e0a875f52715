import { publicRateLimit } from '../../config.ts';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { IdParamsSchema, ProblemSchema } from '../../../schemas/common.ts';
import { STATEMENT_MAX_LENGTH, StatementFormSchema, StatementKeySetSchema } from '../../../schemas/statements.ts';
import { LONDON } from '../../lib/clock.ts';
import { resolveStatementKeys } from '../../lib/statement-key.ts';
import type { Module } from '../module.ts';
import { acceptFormPosts } from '../public-pages/link-page.ts';
import { renderPage } from '../public-pages/page-views.ts';
import { BODY_LABELS, STATUS_LABELS, dateLabel } from '../public-pages/labels.ts';
import { createStatementService, type Verdict } from './statement-service.ts';

// The StatementClaims example, signed with the StatementKeySet example's key.
const EXAMPLE_STATEMENT =
  'eyJhbGciOiJFZERTQSIsImtpZCI6IlN5Ukh2ekcxUWlVX2I3NFBxUUlsdzVCZ2tRQzkzY0xTN090R3JWNTBTOFUiLCJ0eXAiOiJyZWdpc3Rlci1zdGF0ZW1lbnQrand0In0.eyJpc3MiOiJodHRwczovL3JlZ2lzdGVyLmV4YW1wbGUub3JnIiwic3ViIjoiM2YyYjhjMWUtNWQ0YS00YjZjLTllN2YtMWEyYjNjNGQ1ZTZmIiwiaWF0IjoxNzY0NjY5NjAwLCJleHAiOjE3NjcyNjE2MDAsInN0YXR1cyI6ImFjY3JlZGl0ZWQiLCJzdGF0dXNTaW5jZSI6IjIwMTktMDYtMDEiLCJmdWxsTmFtZSI6Ilpvw6sgRWxsaXMiLCJib2R5IjoiY29tIiwibWVtYmVyc2hpcE51bWJlciI6IkNPTS0wMTIzNCIsImhpc3RvcnlEaWdlc3QiOiJzaGEtMjU2OjB5VFcyYlpKMXgteDRvMEdVdmIzYzJZYzV3V21FMmMwYUprOXZXbTZkOFEifQ.T6p1HFlcsdgNEaAz9YMOd8ysyzt7uoA0PhMqwsgyHmeJjnrgIijcN_ce-s6wia5lWvrbsDd461Zz-kQCxEBrCA';
const timeLabel = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: LONDON });
const secondsLabel = (seconds: number) => timeLabel.format(new Date(seconds * 1000));

/** The verify page's words for a verdict: a heading, whether it is good news, and what was stated. */
function verdictView(verdict: Verdict) {
  switch (verdict.outcome) {
    case 'malformed':
      return {
        ok: false,
        heading: 'This is not a status statement',
        detail: 'It could not be read as a statement from this register. Check that you copied all of it: three parts separated by dots.',
      };
    case 'unknown-key':
      return {
        ok: false,
        heading: 'This statement cannot be checked',
        detail:
          'It was signed with a key this register does not publish: it was not issued by this register, or it was signed with a key retired long enough ago that its statements have all expired.',
      };
    case 'tampered':
      return { ok: false, heading: 'This statement has been changed', detail: 'Its signature does not match what it says: it has been altered since the register issued it. Do not rely on it.' };
    case 'other-issuer':
      return { ok: false, heading: 'This statement is from another register', detail: `It names ${verdict.issuer ?? 'no register'} as its issuer, not this register.` };
    default: {
      const { claims, today } = verdict;
      const statusLabel = STATUS_LABELS[claims.status] ?? claims.status;
      const todayText =
        today.state === 'same'
          ? 'The register shows the same status today.'
          : today.state === 'changed'
            ? `The register’s status has changed since: today it shows ${STATUS_LABELS[today.status] ?? today.status} since ${dateLabel(today.statusSince)}.`
            : today.state === 'gone'
              ? 'The entry is no longer shown on the register.'
              : 'The register has no such entry today.';
      return {
        ok: verdict.outcome === 'current',
        heading: verdict.outcome === 'current' ? 'This statement is genuine and current' : 'This statement is genuine but has expired',
        detail:
          verdict.outcome === 'current'
            ? 'It was issued by this register and has not been changed since.'
            : `It was issued by this register and has not been changed, but it expired on ${secondsLabel(claims.exp)}. Ask for a new one.`,
        stated: [
          { label: 'Name', value: claims.fullName },
          { label: 'Accrediting body', value: BODY_LABELS[claims.body] ?? claims.body },
          { label: 'Membership number', value: claims.membershipNumber ?? 'None' },
          { label: 'Status', value: `${statusLabel} since ${dateLabel(claims.statusSince)}` },
          { label: 'Issued', value: secondsLabel(claims.iat) },
          { label: 'Expires', value: secondsLabel(claims.exp) },
        ],
        today: todayText,
        todayMatches: today.state === 'same',
        entryHref: today.state === 'gone' || today.state === 'not-on-register' ? null : `/mediators/${claims.sub}`,
      };
    }
  }
}

/**
 * Signed status statements (`GET /v1/register/{id}/statement`), the keys that verify them, and the
 * /verify page that checks a pasted one.
 */
export const statementsModule: Module<'publicUrl' | 'register'> = async (app, deps) => {
  const keys = await resolveStatementKeys(deps.config);
  const statements = createStatementService({ ...deps, keys, issuer: deps.publicUrl });
  const rateLimit = publicRateLimit(deps.config);
  acceptFormPosts(app);

  app.get('/v1/register/:id/statement', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['public register'],
      summary: 'A signed statement of an entry’s status (compact JWS)',
      description:
        'A compact JWS (RFC 7515), alg EdDSA, header `typ: register-statement+jwt` and a `kid` naming its key at `/.well-known/jwks.json`; claims as `StatementClaims`. Valid for `STATEMENT_TTL_DAYS` (at most 30) after `iat`. The same entries as `GET /v1/register/{id}` answer: 404 for an id never on the register, 410 once a removed entry has left public view.',
      params: IdParamsSchema,
      response: {
        200: { description: 'The statement', content: { 'application/jose': { schema: z.string().meta({ example: EXAMPLE_STATEMENT }) } } },
        400: ProblemSchema,
        404: ProblemSchema,
        410: ProblemSchema,
      },
    },
    handler: async (req, reply) => {
      const statement = await statements.issue(req.params.id);
      // Issued afresh each time (iat moves): never cached.
      return reply.type('application/jose').header('cache-control', 'no-store').send(statement);
    },
  });

  app.get('/.well-known/jwks.json', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['public register'],
      summary: 'The keys that verify status statements (JWK Set)',
      description: 'The current signing key first, then rotated-out keys still published until the statements they signed expire.',
      response: { 200: StatementKeySetSchema },
    },
    handler: async (_req, reply) => {
      // Briefly: a rotation shows within minutes, and a new key signs nothing before it is published.
      reply.header('cache-control', 'public, max-age=300');
      return statements.jwks();
    },
  });

  const showPage = async (reply: FastifyReply, statement: string | undefined) => {
    const typed = statement?.trim() ?? '';
    const tooLong = typed.length > STATEMENT_MAX_LENGTH;
    const text = tooLong ? '' : typed;
    const result = text ? verdictView(await statements.verify(text)) : null;
    const error = tooLong ? 'This is too long to be a statement from this register: paste only the statement' : statement !== undefined && !text ? 'Paste a statement to check' : null;
    const title = error ? 'Error: Check a status statement' : result ? `${result.heading} – Check a status statement` : 'Check a status statement';
    // Never cached: whether a statement is current, and what the register says today, change with time.
    return reply
      .code(error ? 400 : 200)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderPage(`${title} – Register of SEND Mediators`, './verify', { statement: text, result, error }));
  };

  // The form changes nothing (it only reads), so it needs no form token: a post from another site learns its sender nothing they could not ask for themselves.
  app.get('/verify', {
    config: { access: 'public', rateLimit },
    schema: { tags: ['pages'], summary: 'Check a signed status statement (HTML page; `?statement=` checks one)', querystring: StatementFormSchema },
    handler: async (req, reply) => showPage(reply, req.query.statement),
  });

  app.post('/verify', {
    config: { access: 'public', rateLimit },
    schema: { tags: ['pages'], summary: 'Check a signed status statement (HTML form post)', consumes: ['application/x-www-form-urlencoded'], body: StatementFormSchema },
    handler: async (req, reply) => showPage(reply, req.body.statement ?? ''),
  });
};

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { documentedBody } from '../../schemas/common.ts';
import pkg from '../../package.json' with { type: 'json' };
import { BEARER_AUTH_SCHEME } from './access.ts';
import { documentResponses } from './openapi-responses.ts';
import { withoutUpgradeInsecureRequests } from './security-headers.ts';

// Lengths fixed by the format itself, so the document states the bound the validator already enforces.
const FORMAT_MAX_LENGTH: Record<string, number> = { uuid: 36, date: 10 };
const INT32 = 2 ** 31;

/**
 * States facts zod's JSON Schema leaves implicit, for clients and the OWASP lint (.spectral.mjs):
 * the width of every integer and the length of fixed-format strings.
 */
function stateLimits(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) stateLimits(child);
    return;
  }
  const s = node as Record<string, unknown>;
  if (s.type === 'integer' && s.format === undefined) {
    const fits32 = typeof s.minimum === 'number' && typeof s.maximum === 'number' && s.minimum >= -INT32 && s.maximum < INT32;
    s.format = fits32 ? 'int32' : 'int64';
  }
  if (s.type === 'string' && s.maxLength === undefined && typeof s.format === 'string' && FORMAT_MAX_LENGTH[s.format]) {
    s.maxLength = FORMAT_MAX_LENGTH[s.format];
  }
  Object.values(s).forEach(stateLimits);
}

/**
 * A stable name for an operation from its method and path, for client generators:
 * `PUT /v1/admin/users/:id/disabled` is `putAdminUsersByIdDisabled`.
 */
export function operationIdFor(method: string, url: string): string {
  const words = url
    .replace(/^\/v1\//, '/')
    .split(/[/.\-_]+/)
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .flatMap((part) => part.split('-'));
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/** The operations' groups, one per module (two for applications and for the logs, one for the HTML pages); every operation names one. */
const TAGS = [
  { name: 'auth', description: 'Accounts: registration, sign-in, tokens, password reset, the second factor, the caller’s own account' },
  { name: 'me', description: 'A mediator’s own profile' },
  { name: 'applications', description: 'A mediator’s application for accreditation: evidence per criterion, submit, withdraw' },
  { name: 'review', description: 'Assessors’ and admins’ work on submitted applications: assessment and decision' },
  { name: 'cpd', description: 'A mediator’s CPD log' },
  { name: 'practice', description: 'A mediator’s practice log' },
  { name: 'compliance', description: 'The annual compliance job, its runs, outcomes and exemptions' },
  { name: 'mediators', description: 'Register entries for admins and registrars: the list, status changes' },
  { name: 'imports', description: 'Grandfathered members: the import, and new claim codes' },
  { name: 'users', description: 'Accounts for the registrar: roles, disabling, resetting a lost second factor' },
  { name: 'training providers', description: 'Approved SEND training providers' },
  { name: 'notifications', description: 'The outbox: messages to members, pending, sent or failed' },
  { name: 'audit', description: 'The tamper-evident audit trail and its verification' },
  { name: 'transparency', description: 'The audit log as a public transparency log: signed checkpoints, the verifier key, consistency proofs' },
  { name: 'rule-sets', description: 'The CPD and practice rules per register year' },
  { name: 'settings', description: 'The register’s settings, versioned' },
  { name: 'public register', description: 'The public register: search, entries, history, open-data exports' },
  { name: 'pages', description: 'HTML pages: the public register, account links from emails, first set-up' },
  { name: 'health', description: 'Liveness and readiness for the orchestrator' },
  { name: 'operations', description: 'Metrics for the operators' },
];

/** The OpenAPI 3.1 document, generated from the routes' zod schemas, and interactive docs at /docs. */
export async function registerOpenApi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'SEND Mediator Register API',
        version: pkg.version,
        description:
          'The joint College of Mediators / Civil Mediation Council register of accredited SEND mediators. ' +
          'Errors are application/problem+json (RFC 9457) with a stable `code` (the Problem schema lists them) and `type` /problems/<code>.',
        license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
      },
      tags: TAGS,
      // x-internal: false tells documentation tools this server is for the public (OpenAPI extension).
      servers: [{ url: '/', description: 'This server (production, staging or local: the host serving this document)', ...{ 'x-internal': false } }],
      components: {
        securitySchemes: { bearerAuth: BEARER_AUTH_SCHEME },
      },
    },
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      // A body documented by media type (schemas/common.ts documentBody): each shape converted alone.
      const shown = documentedBody(input.schema?.body);
      if (shown) {
        const content = Object.entries(shown).map(([type, body]) => [type, { schema: jsonSchemaTransform({ ...input, schema: { body } }).schema.body }]);
        out.schema.body = { content: Object.fromEntries(content) };
      }
      const withId = out.schema as { operationId?: string };
      withId.operationId ??= operationIdFor([input.route.method].flat()[0]!, out.url);
      // @fastify/swagger lists a querystring's properties as parameters; a free-form one (a record) has
      // none, and its keywords would be listed as parameters named "type", "propertyNames"...
      const schema = out.schema as { querystring?: { properties?: unknown } };
      if (schema.querystring && !schema.querystring.properties) delete schema.querystring;
      documentResponses(out.schema as Record<string, unknown>, input.route, out.url);
      return out;
    },
    transformObject: (input) => {
      const doc = jsonSchemaTransformObject(input);
      stateLimits(doc);
      return doc;
    },
  });
  // Swagger UI sets its own CSP on /docs, after ours; its assets are all same-origin, so dropping
  // upgrade-insecure-requests costs nothing over https and keeps the page working over plain http.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: withoutUpgradeInsecureRequests, uiConfig: { deepLinking: true } });
}

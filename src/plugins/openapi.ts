import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import pkg from '../../package.json' with { type: 'json' };
import { withoutUpgradeInsecureRequests } from './security-headers.ts';

// Lengths fixed by the format itself, so the document states the bound the validator already enforces.
const FORMAT_MAX_LENGTH: Record<string, number> = { uuid: 36, date: 10 };
const INT32 = 2 ** 31;

/**
 * States facts zod's JSON Schema leaves implicit, for clients and the OWASP lint (.spectral.mjs):
 * the width of every integer and the length of fixed-format strings.
 */
function stateLimits(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(stateLimits);
  if (!node || typeof node !== 'object') return;
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
          'Errors are application/problem+json (RFC 9457).',
        license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
      },
      // x-internal: false tells documentation tools this server is for the public (OpenAPI extension).
      servers: [{ url: '/', description: 'This server (production, staging or local: the host serving this document)', ...{ 'x-internal': false } }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'Short-lived access token from POST /v1/auth/login. Follows RFC8725: HS256 only (the algorithm is pinned, ' +
              '"none" refused), issuer, audience and expiry always checked.',
          },
        },
      },
    },
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      const withId = out.schema as { operationId?: string };
      withId.operationId ??= operationIdFor([input.route.method].flat()[0]!, out.url);
      // @fastify/swagger lists a querystring's properties as parameters; a free-form one (a record) has
      // none, and its keywords would be listed as parameters named "type", "propertyNames"...
      const schema = out.schema as { querystring?: { properties?: unknown } };
      if (schema.querystring && !schema.querystring.properties) delete schema.querystring;
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

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers, worked out once. Its middleware (and @fastify/helmet, which calls it per
 * request) rebuilds the whole configuration for every response, CSP parsing included: about 6% of
 * the CPU of a cheap request. Our options are static, so the headers are too.
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: () => {},
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => {});
  return headers;
}

/**
 * A CSP without `upgrade-insecure-requests`: over plain http on any host but loopback, browsers
 * would fetch every stylesheet and script of the page over https, where nothing answers.
 */
export function withoutUpgradeInsecureRequests(csp: string): string {
  return csp
    .split(';')
    .filter((directive) => directive.trim() !== 'upgrade-insecure-requests')
    .join(';');
}

/** Helmet's headers for a response that reached its visitor over plain http. */
function plainHttpHeaders(secure: Record<string, string>): Record<string, string> {
  const plain = { ...secure };
  delete plain['strict-transport-security'];
  const csp = plain['content-security-policy'];
  if (csp !== undefined) plain['content-security-policy'] = withoutUpgradeInsecureRequests(csp);
  return plain;
}

export interface SecurityHeadersOptions {
  helmet: HelmetOptions;
  /** PUBLIC_URL: when https, every response says so, whatever the hop to this process used. */
  publicUrl: string | undefined;
}

/**
 * HSTS and `upgrade-insecure-requests` only where the visitor is on https: the public URL is
 * https, or the request came over TLS (`request.protocol`, which honours X-Forwarded-Proto only
 * when trustProxy is set). Sent over plain http they break every page served from a bare address.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: SecurityHeadersOptions): void {
  const secure = helmetHeaders(options.helmet);
  if (options.publicUrl && new URL(options.publicUrl).protocol === 'https:') {
    app.addHook('onRequest', async (_req, reply) => {
      reply.headers(secure);
    });
    return;
  }
  const plain = plainHttpHeaders(secure);
  app.addHook('onRequest', async (req, reply) => {
    reply.headers(req.protocol === 'https' ? secure : plain);
  });
}

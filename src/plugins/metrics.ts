import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { ProblemSchema } from '../../schemas/common.ts';
import type { Database } from '../db/client.ts';
import type { Sealer } from '../modules/audit/sealer.ts';
import type { RegisterService } from '../modules/register/register-service.ts';
import { HttpProblem } from '../errors.ts';
import { registerDatabaseMetrics } from './database-metrics.ts';

// Requests for no route share one label: their URLs are whatever a client sends, unbounded.
const UNMATCHED = 'unmatched';

/**
 * The app's metrics: a Registry of its own (prom-client's global one would collide when a process
 * builds several apps, as the tests do), the default process metrics, a duration histogram of every
 * request on the root instance, and the database readings. Returns what the /metrics route renders.
 */
export function registerMetrics(app: FastifyInstance, { database, sealer, register }: { database: Database; sealer: Sealer; register: RegisterService }) {
  const registry = new Registry();
  // prom-client's GC observer and event-loop monitor cannot be stopped: one of each per app built.
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern (e.g. /v1/register/:id) and status code.',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    duration.observe({ method: req.method, route: req.routeOptions.url ?? UNMATCHED, status_code: reply.statusCode }, reply.elapsedTime / 1000);
  });
  const logGauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  logGauge('send_register_audit_sealing_lag_seconds', 'Age of the oldest audit event not yet sealed into the log (0 when none).', () => sealer.status().sealingLagSeconds);
  logGauge('send_register_audit_unsealed_events', 'Audit events written but not yet sealed into the log.', () => sealer.status().unsealedEvents);
  logGauge('send_register_audit_tree_size', 'Leaves in the audit log.', () => sealer.status().treeSize);
  logGauge('send_register_audit_checkpoint_refused', '1 when this instance refused to sign a checkpoint because the stored log no longer extends an earlier one (it was rewritten), else 0.', () =>
    sealer.status().refused === null ? 0 : 1,
  );
  const searchCache = (name: string, help: string, read: (stats: ReturnType<RegisterService['searchCacheStats']>) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(register.searchCacheStats()));
      },
    });
  searchCache('send_register_search_cache_hits_total', 'Public searches answered from the pages this instance keeps until the register changes.', (s) => s.hits);
  searchCache('send_register_search_cache_misses_total', 'Public searches worked out against the database.', (s) => s.misses);
  logGauge('send_register_search_cache_bytes', 'Size of the search pages this instance keeps (at most SEARCH_CACHE_MB).', () => register.searchCacheStats().size);
  const readings = registerDatabaseMetrics(registry, database, (err, source) => app.log.warn({ err, source }, 'metrics: database reading failed'));

  return {
    contentType: registry.contentType,
    async render(): Promise<string> {
      await Promise.all([readings.refresh(), sealer.refreshStatus().catch((err) => app.log.warn({ err }, 'metrics: audit log status failed'))]);
      return registry.metrics();
    },
  };
}

export type Metrics = ReturnType<typeof registerMetrics>;

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares digests, so the time taken says nothing about how much of the token matched. */
function bearerMatches(authorization: string | undefined, expected: Buffer): boolean {
  const presented = /^Bearer +(\S+)$/i.exec(authorization ?? '')?.[1];
  return presented !== undefined && timingSafeEqual(digest(presented), expected);
}

const metricsUnauthorized = () =>
  new HttpProblem('unauthorized', 'The metrics need the operators’ token: Authorization: Bearer <METRICS_TOKEN>.', { headers: { 'www-authenticate': 'Bearer realm="metrics"' } });

/**
 * GET /metrics for Prometheus. Operators only, and that is decided by configuration, not by a user
 * role: with METRICS_TOKEN set, the scraper presents it as a bearer token (users' JWTs are refused);
 * unset, the endpoint is open and must be kept off the public network (a private port or a proxy
 * rule). Not rate limited: the limiter's counters may live in the database, and a scrape must still
 * answer while the database is down (like /ready, each scrape costs two indexed reads).
 */
export const metricsRoutes: FastifyPluginAsyncZod<{ metrics: Metrics; token: string | undefined }> = async (app, { metrics, token }) => {
  const expected = token === undefined ? undefined : digest(token);
  app.get('/metrics', {
    // A scrape every few seconds is a probe: logged only when something goes wrong.
    logLevel: 'warn',
    config: { access: 'public' },
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics (operators)',
      description:
        'Prometheus text exposition format 0.0.4: request durations by route pattern, database pool usage (PostgreSQL), ' +
        'outbox backlog and failures, the latest compliance run and its counts, and process metrics. ' +
        'When the deployment sets METRICS_TOKEN, send it as `Authorization: Bearer <METRICS_TOKEN>` (sign-in tokens are not accepted); ' +
        'when it does not, the endpoint is open and is meant to be reachable only from the operators’ network.',
      response: {
        200: { description: 'Metrics in the Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
        401: ProblemSchema,
      },
    },
    handler: async (req, reply) => {
      if (expected && !bearerMatches(req.headers.authorization, expected)) throw metricsUnauthorized();
      return reply
        .type(metrics.contentType)
        .header('cache-control', 'no-store')
        .send(await metrics.render());
    },
  });
};

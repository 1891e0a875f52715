import fastifyRateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { HttpProblem } from '../errors.ts';
import type { CounterStore } from '../lib/counter-store.ts';

/** At most one warning this often while the store is failing: an outage must not flood the log. */
const WARN_EVERY_MS = 10_000;

/** @fastify/rate-limit's store interface over a shared CounterStore, one key space per route. */
function storeClass(counters: CounterStore, log: FastifyBaseLogger) {
  let lastWarned = -Infinity;
  return class SharedRateLimitStore implements FastifyRateLimitStore {
    private prefix = 'rl:';

    incr(key: string, cb: (err: Error | null, res?: { current: number; ttl: number }) => void, timeWindow: number) {
      counters.hit(this.prefix + key, timeWindow).then(
        (hit) => cb(null, { current: hit.count, ttl: hit.ttlMs }),
        (err: Error) => {
          if (Date.now() - lastWarned >= WARN_EVERY_MS) {
            lastWarned = Date.now();
            log.warn({ err }, 'rate-limit store unavailable: requests are let through uncounted');
          }
          cb(err);
        },
      );
    }

    // The plugin passes the route's merged limit options, with the route under `routeInfo`
    // (its declared parameter type says otherwise).
    child(options: unknown) {
      const { method, url } = (options as { routeInfo: { method: string; url: string } }).routeInfo;
      const store = new SharedRateLimitStore();
      store.prefix = `${this.prefix}${method} ${url}:`;
      return store;
    }
  };
}

/**
 * Routes opt in with `config: { rateLimit: { max, timeWindow } }`; counts are shared by every
 * instance through `counters`. Fails open (`skipOnError`): these limits shield the service from
 * floods of public requests, and refusing everyone while the store is down would be the outage
 * they exist to prevent. Failed sign-ins are counted separately and fail closed (attempt-limiter.ts).
 */
export async function registerRateLimits(app: FastifyInstance, counters: CounterStore): Promise<void> {
  await app.register(fastifyRateLimit, {
    global: false,
    store: storeClass(counters, app.log),
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) => new HttpProblem('rate-limited', `Too many requests; try again in ${Math.ceil(ctx.ttl / 1000)} seconds.`),
  });
}

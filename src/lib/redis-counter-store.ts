import { Redis } from 'ioredis';
import type { Clock } from './clock.ts';
import type { CounterStore } from './counter-store.ts';

/**
 * KEYS[1] the counter, ARGV[1] now (ms, the app's clock), ARGV[2] the window (ms). Returns
 * { count, ms left }. Expiry is judged on the app's clock, as in the PostgreSQL store; Redis's own
 * expiry (set to the window) only sweeps keys nobody hits again.
 */
const HIT_SCRIPT = `
local now = tonumber(ARGV[1])
local expires = tonumber(redis.call('HGET', KEYS[1], 'expires'))
if not expires or expires <= now then
  expires = now + tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], 'count', 1, 'expires', expires)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return { 1, expires - now }
end
return { redis.call('HINCRBY', KEYS[1], 'count', 1), expires - now }
`;

type WithHit = Redis & { limitHit(key: string, now: number, windowMs: number): Promise<[number, number]> };

/** Namespaces our keys; add `?keyPrefix=` to REDIS_URL to share one Redis between deployments. */
const PREFIX = 'limits:';

/**
 * Counters in Redis (REDIS_URL): one script call per hit. Resolves once connected, or once the
 * first attempt failed (the client keeps reconnecting; until then hits reject, and callers choose
 * whether that lets requests through).
 */
export async function openRedisCounterStore(url: string, clock: Clock, onError: (err: Error) => void): Promise<CounterStore> {
  const redis = new Redis(url, {
    lazyConnect: true,
    // A limit must be answered promptly or not at all: no queue while disconnected, no retries,
    // and a timeout, so an outage costs requests a failed check rather than a hang. The timeout is
    // generous because it also runs while this process's event loop is busy, not only while Redis is.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 2000,
  }) as WithHit;
  redis.on('error', onError);
  redis.defineCommand('limitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  await redis.connect().catch(onError);
  return {
    async hit(key, windowMs) {
      const [count, ttlMs] = await redis.limitHit(PREFIX + key, clock().getTime(), windowMs);
      return { count, ttlMs };
    },
    async peek(key) {
      const [count, expires] = await redis.hmget(PREFIX + key, 'count', 'expires');
      return expires !== null && Number(expires) > clock().getTime() ? Number(count) : 0;
    },
    async reset(key) {
      await redis.del(PREFIX + key);
    },
    async close() {
      redis.disconnect();
    },
  };
}

import { createHash } from 'node:crypto';
import { serviceUnavailable } from '../errors.ts';
import type { CounterStore } from './counter-store.ts';

/**
 * Limits attempts per key (an account) in a fixed window, across every instance. Guards one
 * account against password guessing spread over many addresses, which a per-IP limit cannot see.
 */
export interface AttemptLimiter {
  /**
   * Takes a place before the attempt is checked, in one atomic count, so concurrent guesses cannot
   * all pass a check made before any of them failed. Resolves to 0 when the attempt may go ahead,
   * else to the seconds until the key may try again.
   */
  take(key: string): Promise<number>;
  /** A success forgets the key's attempts. */
  clear(key: string): Promise<void>;
}

/**
 * Fails closed: when the store cannot count, the attempt is refused (503, never a 500), because
 * letting sign-ins through uncounted during an outage of the store is what a guesser would want.
 */
export function createAttemptLimiter(store: CounterStore, opts: { name: string; max: number; windowMs: number }): AttemptLimiter {
  // Hashed: the store needs a stable key, not the email address itself.
  const storeKey = (key: string) => `${opts.name}:${createHash('sha256').update(key).digest('base64url')}`;
  const unavailable = (cause: unknown) =>
    Object.assign(serviceUnavailable('Sign-in is briefly unavailable; try again shortly.'), { cause });
  return {
    async take(key) {
      const { count, ttlMs } = await store.hit(storeKey(key), opts.windowMs).catch((err) => {
        throw unavailable(err);
      });
      return count > opts.max ? Math.max(1, Math.ceil(ttlMs / 1000)) : 0;
    },
    async clear(key) {
      await store.reset(storeKey(key)).catch((err) => {
        throw unavailable(err);
      });
    },
  };
}

import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { serviceUnavailable } from '../errors.ts';
import type { CounterStore } from './counter-store.ts';

/**
 * Limits attempts per key (an account, an email address) in a fixed window, across every instance,
 * which a per-IP request limit cannot do.
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

// Hashed: the store needs a stable key, not the email address (or network address) itself.
const hashedKey = (name: string) => (key: string) => `${name}:${createHash('sha256').update(key).digest('base64url')}`;
const unavailable = (cause: unknown) => Object.assign(serviceUnavailable('Sign-in is briefly unavailable; try again shortly.'), { cause });

/**
 * Fails closed: when the store cannot count, the attempt is refused (503, never a 500), because
 * letting sign-ins through uncounted during an outage of the store is what a guesser would want.
 */
export function createAttemptLimiter(store: CounterStore, opts: { name: string; max: number; windowMs: number }): AttemptLimiter {
  const storeKey = hashedKey(opts.name);
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

export interface SignInLimits {
  /** Attempts per account from one network in a window (its owner's typos, or one guesser). */
  perAddress: number;
  /** Attempts per account in a window from all the networks it has not signed in from lately. */
  perAccount: number;
  windowMs: number;
  /** How long a network where the account signed in stays exempt from the account-wide count. */
  knownForMs: number;
}

/**
 * Failed sign-ins, counted so that guessing is slow and the owner is not locked out by others.
 * Per account and network: `perAddress` per window. Per account across networks: `perAccount` per
 * window, but only for networks the account has not signed in from within `knownForMs`, so an
 * attack spread over many addresses never blocks the owner where they usually sign in. Both are
 * counted before the password is checked (concurrent guesses cannot all pass), the account-wide
 * one only once the per-network one let the attempt through (one noisy network cannot use it up).
 */
export function createSignInThrottle(store: CounterStore, limits: SignInLimits) {
  const fromNetwork = createAttemptLimiter(store, { name: 'login', max: limits.perAddress, windowMs: limits.windowMs });
  const acrossNetworks = createAttemptLimiter(store, { name: 'login-account', max: limits.perAccount, windowMs: limits.windowMs });
  const knownKey = hashedKey('login-known');
  const pair = (account: string, address: string) => `${account}\n${networkOf(address)}`;
  return {
    /** Resolves to 0 when the attempt may be checked, else the seconds to wait. */
    async take(account: string, address: string): Promise<number> {
      const wait = await fromNetwork.take(pair(account, address));
      if (wait > 0) return wait;
      const known = await store.peek(knownKey(pair(account, address))).catch((err) => {
        throw unavailable(err);
      });
      return known > 0 ? 0 : acrossNetworks.take(account);
    },
    /** The right password (and second factor): this network's attempts are given back and it becomes known. */
    async succeeded(account: string, address: string): Promise<void> {
      await fromNetwork.clear(pair(account, address));
      const key = knownKey(pair(account, address));
      // Started again, so the network stays known for knownForMs after its latest sign-in.
      await store
        .reset(key)
        .then(() => store.hit(key, limits.knownForMs))
        .catch((err) => {
          throw unavailable(err);
        });
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;

/**
 * The network an address stands for: an IPv4 address itself, an IPv6 address's /64 (one
 * subscriber's network, whose hosts pick addresses in it freely and change them every day).
 */
export function networkOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) !== 6) return address;
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const left = groups(head);
  const full = tail === undefined ? left : [...left, ...Array(8 - left.length - groups(tail).length).fill('0'), ...groups(tail)];
  return `${full
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

import { createAttemptLimiter, networkOf } from './attempt-limiter.ts';
import type { CounterStore } from './counter-store.ts';

export interface MailLimits {
  /** Mails to one address asked for from one network in a window. */
  perNetwork: number;
  /** Mails to one address in a window from all networks together: what bounds one mailbox. */
  perAddress: number;
  windowMs: number;
}

/**
 * Mails that anyone may ask to have sent to an address (verification links, reset links). A count
 * per address alone lets a stranger spend the owner's allowance, so the owner asks in vain: here
 * each network has its own small allowance per address, and only the larger per-address cap is
 * shared. Worst case: one mailbox gets `perAddress` mails a window, and an attacker can keep its
 * owner from getting one only by asking from more than perAddress / perNetwork networks (IPv4
 * addresses or IPv6 /64s) every window. The cap is counted only once the network's allowance let
 * the request through, so one noisy network spends at most `perNetwork` of it.
 */
export function createMailLimiter(store: CounterStore, name: string, limits: MailLimits) {
  const fromNetwork = createAttemptLimiter(store, { name, max: limits.perNetwork, windowMs: limits.windowMs });
  const toAddress = createAttemptLimiter(store, { name: `${name}-address`, max: limits.perAddress, windowMs: limits.windowMs });
  return {
    /** Counts the request; true when a mail may go to `address`. `ip` is absent outside HTTP. */
    async allows(address: string, ip: string | undefined): Promise<boolean> {
      if ((await fromNetwork.take(`${address}\n${networkOf(ip ?? '')}`)) > 0) return false;
      return (await toAddress.take(address)) === 0;
    },
  };
}

export type MailLimiter = ReturnType<typeof createMailLimiter>;

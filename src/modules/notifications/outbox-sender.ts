import type { Db } from '../../db/client.ts';
import type { MailTransport } from './mail-transport.ts';
import { claimDueMessages, markRetry, markSent, type ClaimedMessage } from './notifications-repository.ts';
import { renderTemplate } from './templates.ts';

const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 6 * 3_600_000;

/** Exponential backoff: 30 s after the first failure, doubling, at most 6 hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1), MAX_DELAY_MS);
}

export interface OutboxSenderOptions {
  db: Db;
  transport: MailTransport;
  onError: (err: unknown) => void;
  batchSize?: number;
  /** How long a claim keeps other senders off a message; a sender that dies releases it by expiry. */
  leaseMs?: number;
}

/**
 * Delivers due outbox messages. Claiming is one UPDATE over rows picked FOR UPDATE SKIP LOCKED with
 * a lease, so any number of senders (in one process or many) never take the same message together.
 * Outbox times are the database's (`now()`), like `send_after`'s default, so instances whose clocks
 * differ still agree on leases.
 */
export function createOutboxSender({ db, transport, onError, batchSize = 50, leaseMs = 120_000 }: OutboxSenderOptions) {
  async function deliver(message: ClaimedMessage): Promise<boolean> {
    try {
      const { subject, text } = renderTemplate(message.template, message.data);
      await transport.send({ to: message.recipient, subject, text });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      await markRetry(db, message.id, retryDelayMs(message.attempts), reason.slice(0, 1000));
      return false;
    }
    await markSent(db, message.id);
    return true;
  }

  /** Claims up to one batch of due messages and delivers them; `more` when the batch was full. */
  async function deliverDue(): Promise<{ sent: number; failed: number; more: boolean }> {
    const batch = await claimDueMessages(db, batchSize, leaseMs);
    let sent = 0;
    for (const message of batch) if (await deliver(message)) sent++;
    return { sent, failed: batch.length - sent, more: batch.length === batchSize };
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  return {
    deliverDue,

    /** Polls every `pollMs` off the request path (at once again after a full batch); passes never overlap. */
    start(pollMs: number) {
      if (timer || stopped) return;
      const tick = () => {
        running = deliverDue()
          .then(
            ({ more }) => (more ? 0 : pollMs),
            (err) => (onError(err), pollMs),
          )
          .then((delay) => {
            if (!stopped) timer = setTimeout(tick, delay).unref();
          });
      };
      timer = setTimeout(tick, 0).unref();
    },

    /** Stops polling and waits for a pass in flight, so the database can close after it. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      transport.close?.();
    },
  };
}

export type OutboxSender = ReturnType<typeof createOutboxSender>;

import { queryRows, sql, type Queryable } from '../../db/client.ts';
import { chunks, recordset } from '../../db/batches.ts';
import type { TemplateData, TemplateName } from './templates.ts';

interface Envelope {
  recipient: string;
  userId?: string | null;
  /** At most one message per key, ever: a repeated enqueue is silently dropped. */
  dedupeKey?: string;
  sendAfter?: Date;
}

/** A message to queue: the data its template takes, and no other (one member per template). */
export type OutgoingMessage = { [T in TemplateName]: Envelope & { template: T; data: TemplateData[T] } }[TemplateName];

/**
 * `data` without the keys that carry single-use codes (`link`, a URL with the code; `token`, a claim
 * code): the outbox keeps them only until the message is sent or given up, never after.
 */
export const dataWithoutSecrets = sql`data - 'link' - 'token'`;

/**
 * Queues messages in the caller's transaction: they exist only if the change that caused them commits.
 * Answers how many were queued (a message whose dedupe key was used before is dropped).
 */
export async function enqueueNotifications(tx: Queryable, messages: OutgoingMessage[]): Promise<number> {
  let queued = 0;
  for (const batch of chunks(messages)) {
    const inserted = await queryRows<{ id: string }>(
      tx,
      sql`INSERT INTO notifications (recipient, user_id, template, data, dedupe_key, send_after)
          SELECT recipient, "userId", template, data, "dedupeKey", coalesce("sendAfter", now())
            FROM ${recordset(batch, 'x', sql`recipient text, "userId" uuid, template text, data jsonb, "dedupeKey" text, "sendAfter" timestamptz`)}
          ON CONFLICT (dedupe_key) DO NOTHING
          RETURNING id`,
    );
    queued += inserted.length;
  }
  return queued;
}

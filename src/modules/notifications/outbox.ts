import { queryRows, sql, type Queryable } from '../../db/client.ts';
import type { TemplateName } from './templates.ts';

export interface OutgoingMessage {
  recipient: string;
  userId?: string | null;
  template: TemplateName;
  data: Record<string, unknown>;
  /** At most one message per key, ever: a repeated enqueue is silently dropped. */
  dedupeKey?: string;
  sendAfter?: Date;
}

const INSERT_BATCH = 5000;

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
  // One JSON parameter per batch: cheaper to build than a multi-row VALUES, whatever the batch size.
  for (let i = 0; i < messages.length; i += INSERT_BATCH) {
    const inserted = await queryRows<{ id: string }>(
      tx,
      sql`INSERT INTO notifications (recipient, user_id, template, data, dedupe_key, send_after)
          SELECT recipient, "userId", template, data, "dedupeKey", coalesce("sendAfter", now())
            FROM json_to_recordset(${JSON.stringify(messages.slice(i, i + INSERT_BATCH))}::json)
              AS x(recipient text, "userId" uuid, template text, data jsonb, "dedupeKey" text, "sendAfter" timestamptz)
          ON CONFLICT (dedupe_key) DO NOTHING
          RETURNING id`,
    );
    queued += inserted.length;
  }
  return queued;
}

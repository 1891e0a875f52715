import { notifications } from '../../db/schema.ts';
import type { Queryable } from '../../db/client.ts';
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

const INSERT_BATCH = 1000;

/** Queues messages in the caller's transaction: they exist only if the change that caused them commits. */
export async function enqueueNotifications(tx: Queryable, messages: OutgoingMessage[]): Promise<number> {
  let queued = 0;
  for (let i = 0; i < messages.length; i += INSERT_BATCH) {
    const inserted = await tx
      .insert(notifications)
      .values(messages.slice(i, i + INSERT_BATCH))
      .onConflictDoNothing({ target: notifications.dedupeKey })
      .returning({ id: notifications.id });
    queued += inserted.length;
  }
  return queued;
}

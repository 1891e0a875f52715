import type { z } from 'zod';
import type { DeliveryStatusSchema } from '../../../schemas/notifications.ts';
import { queryRows, sql, type Queryable } from '../../db/client.ts';
import { MAX_DELIVERY_ATTEMPTS } from '../../db/schema.ts';
import type { Body } from '../../domain/vocabulary.ts';
import { dataWithoutSecrets } from './outbox.ts';

export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

export interface NotificationRow {
  id: string;
  recipient: string;
  userId: string | null;
  template: string;
  createdAt: Date;
  /** created_at as text at full (microsecond) precision: the keyset cursor. */
  createdKey: string;
  sendAfter: Date;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
}

const statusCondition: Record<DeliveryStatus, ReturnType<typeof sql>> = {
  sent: sql`n.sent_at IS NOT NULL`,
  pending: sql`n.sent_at IS NULL AND n.attempts < ${MAX_DELIVERY_ATTEMPTS}`,
  failed: sql`n.sent_at IS NULL AND n.attempts >= ${MAX_DELIVERY_ATTEMPTS}`,
};

export interface NotificationFilter {
  /** Only messages to this body's mediators. */
  body?: Body | null;
  status?: DeliveryStatus;
  template?: string;
  recipient?: string;
  userId?: string;
  /** The last listed message's created key and id. */
  after?: [string, string] | null;
}

/** Newest first, `limit` of them. */
export function listNotifications(q: Queryable, filter: NotificationFilter, limit: number): Promise<NotificationRow[]> {
  const conditions = [sql`TRUE`];
  if (filter.body !== undefined) conditions.push(sql`EXISTS (SELECT 1 FROM mediators m WHERE m.user_id = n.user_id AND m.body = ${filter.body})`);
  if (filter.status) conditions.push(statusCondition[filter.status]);
  if (filter.template !== undefined) conditions.push(sql`n.template = ${filter.template}`);
  if (filter.recipient !== undefined) conditions.push(sql`lower(n.recipient) = lower(${filter.recipient})`);
  if (filter.userId !== undefined) conditions.push(sql`n.user_id = ${filter.userId}`);
  if (filter.after) conditions.push(sql`(n.created_at, n.id) < (${filter.after[0]}::timestamptz, ${filter.after[1]}::uuid)`);
  return queryRows<NotificationRow>(
    q,
    sql`SELECT n.id, n.recipient, n.user_id AS "userId", n.template, n.created_at AS "createdAt", n.created_at::text AS "createdKey",
               n.send_after AS "sendAfter", n.attempts, n.last_error AS "lastError", n.sent_at AS "sentAt"
          FROM notifications n
         WHERE ${sql.join(conditions, sql` AND `)}
         ORDER BY n.created_at DESC, n.id DESC
         LIMIT ${limit}`,
  );
}

export interface ClaimedMessage {
  id: string;
  recipient: string;
  template: string;
  data: Record<string, unknown>;
  attempts: number;
}

/**
 * Claims up to `limit` due messages for `leaseMs`: one UPDATE over rows picked FOR UPDATE SKIP
 * LOCKED, so concurrent senders never take the same message. Times are the database's (`now()`).
 */
export function claimDueMessages(q: Queryable, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  return queryRows<ClaimedMessage>(
    q,
    sql`UPDATE notifications SET locked_until = now() + make_interval(secs => ${leaseMs / 1000}), attempts = attempts + 1
         WHERE id IN (SELECT id FROM notifications
                       WHERE sent_at IS NULL AND attempts < ${MAX_DELIVERY_ATTEMPTS} AND send_after <= now()
                         AND (locked_until IS NULL OR locked_until <= now())
                       ORDER BY send_after LIMIT ${limit}
                       FOR UPDATE SKIP LOCKED)
     RETURNING id, recipient, template, data, attempts`,
  );
}

/** Releases a failed message to be tried again after `delayMs`; its secrets go once it has no attempts left. */
export async function markRetry(q: Queryable, id: string, delayMs: number, reason: string): Promise<void> {
  await q.execute(
    sql`UPDATE notifications
           SET locked_until = NULL, send_after = now() + make_interval(secs => ${delayMs / 1000}), last_error = ${reason},
               data = CASE WHEN attempts >= ${MAX_DELIVERY_ATTEMPTS} THEN ${dataWithoutSecrets} ELSE data END
         WHERE id = ${id} AND sent_at IS NULL`,
  );
}

export async function markSent(q: Queryable, id: string): Promise<void> {
  await q.execute(sql`UPDATE notifications SET sent_at = now(), locked_until = NULL, last_error = NULL, data = ${dataWithoutSecrets} WHERE id = ${id} AND sent_at IS NULL`);
}

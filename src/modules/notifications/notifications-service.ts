import { z } from 'zod';
import type { DeliveryStatusSchema } from '../../../schemas/notifications.ts';
import { queryRows, sql, type Db } from '../../db/client.ts';
import type { RequestContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { MAX_DELIVERY_ATTEMPTS } from '../../db/schema.ts';

type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

export interface NotificationQuery {
  status?: DeliveryStatus;
  template?: string;
  recipient?: string;
  userId?: string;
  limit: number;
  cursor?: string;
}

interface NotificationRow {
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

/**
 * The outbox pages by created_at as PostgreSQL writes it as text (microseconds, which a JS Date
 * would lose), then id: a real date, a time of day and an offset PostgreSQL accepts.
 */
const CREATED_KEY = /^\d{4}-\d{2}-\d{2} ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?[+-](0\d|1[0-5])(:[0-5]\d)?$/;
const notificationCursor = keysetCursor(z.tuple([cursorKey.text.regex(CREATED_KEY).refine((k) => cursorKey.date.safeParse(k.slice(0, 10)).success), cursorKey.id]));

/** The outbox as admins see it. An admin of a body sees the messages to that body's mediators. */
export function createNotificationsService({ db }: { db: Db }) {
  return {
    async list(ctx: RequestContext, query: NotificationQuery) {
      const after = notificationCursor.decode(query.cursor);
      const conditions = [sql`TRUE`];
      if (ctx.actor.role === 'admin') {
        conditions.push(sql`EXISTS (SELECT 1 FROM mediators m WHERE m.user_id = n.user_id AND m.body = ${ctx.actor.body})`);
      }
      if (query.status) conditions.push(statusCondition[query.status]);
      if (query.template !== undefined) conditions.push(sql`n.template = ${query.template}`);
      if (query.recipient !== undefined) conditions.push(sql`lower(n.recipient) = lower(${query.recipient})`);
      if (query.userId !== undefined) conditions.push(sql`n.user_id = ${query.userId}`);
      if (after) conditions.push(sql`(n.created_at, n.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)`);
      const page = await keysetPage(
        query.limit,
        (count) =>
          queryRows<NotificationRow>(
            db,
            sql`SELECT n.id, n.recipient, n.user_id AS "userId", n.template, n.created_at AS "createdAt", n.created_at::text AS "createdKey",
                       n.send_after AS "sendAfter", n.attempts, n.last_error AS "lastError", n.sent_at AS "sentAt"
                  FROM notifications n
                 WHERE ${sql.join(conditions, sql` AND `)}
                 ORDER BY n.created_at DESC, n.id DESC
                 LIMIT ${count}`,
          ),
        (last) => notificationCursor.encode([last.createdKey, last.id]),
      );
      return { items: page.items.map(toNotification), nextCursor: page.nextCursor };
    },
  };
}

const iso = (d: Date | string) => new Date(d).toISOString();

function toNotification(n: NotificationRow) {
  return {
    id: n.id,
    recipient: n.recipient,
    userId: n.userId,
    template: n.template,
    status: (n.sentAt ? 'sent' : n.attempts >= MAX_DELIVERY_ATTEMPTS ? 'failed' : 'pending') as DeliveryStatus,
    createdAt: iso(n.createdAt),
    sendAfter: iso(n.sendAfter),
    attempts: n.attempts,
    lastError: n.lastError,
    sentAt: n.sentAt ? iso(n.sentAt) : null,
  };
}

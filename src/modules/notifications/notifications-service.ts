import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { RequestContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { MAX_DELIVERY_ATTEMPTS } from '../../db/schema.ts';
import { listNotifications, type DeliveryStatus, type NotificationRow } from './notifications-repository.ts';

export interface NotificationQuery {
  status?: DeliveryStatus;
  template?: string;
  recipient?: string;
  userId?: string;
  limit: number;
  cursor?: string;
}

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
      const { status, template, recipient, userId } = query;
      const filter = { body: ctx.actor.role === 'admin' ? ctx.actor.body : undefined, status, template, recipient, userId, after };
      const page = await keysetPage(
        query.limit,
        (count) => listNotifications(db, filter, count),
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

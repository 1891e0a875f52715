import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';

/** Append-only (a trigger refuses UPDATE and DELETE) and hash-chained in `seq` order. */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'string', precision: 3 }).notNull(),
    actorType: text('actor_type').notNull(),
    actorId: uuid('actor_id'),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull().unique(),
  },
  (t) => [index('audit_events_entity_idx').on(t.entityType, t.entityId), index('audit_events_actor_idx').on(t.actorId), index('audit_events_occurred_idx').on(t.occurredAt)],
);

/** After this many failed attempts an outbox message is left as failed (listed by the admin endpoint, counted by the metrics). */
export const MAX_DELIVERY_ATTEMPTS = 10;

/** Transactional outbox: written with the change that causes the message, delivered later. */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recipient: text('recipient').notNull(),
    userId: uuid('user_id'),
    template: text('template').notNull(),
    data: jsonb('data').notNull(),
    /** Makes a message idempotent (e.g. one reminder per mediator, period and offset). */
    dedupeKey: text('dedupe_key').unique(),
    createdAt: createdAt(),
    sendAfter: timestamp('send_after', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('notifications_due_idx').on(t.sendAfter).where(sql`sent_at IS NULL`)],
);

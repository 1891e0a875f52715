import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';

/**
 * Append-only (a trigger refuses UPDATE and DELETE). Personal values are not stored here: `before`
 * and `after` hold a commitment (`{"$commit": …}`) in their place, so erasing them from
 * `audit_personal_values` leaves the event, and so its leaf hash, unchanged.
 */
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
    /** The writing transaction's id: the sealer takes only events of transactions older than every one still running. */
    xid: bigint('xid', { mode: 'number' }).notNull().default(sql`(pg_current_xact_id()::text)::bigint`),
  },
  (t) => [
    index('audit_events_entity_idx').on(t.entityType, t.entityId),
    index('audit_events_actor_idx').on(t.actorId),
    index('audit_events_occurred_idx').on(t.occurredAt),
    index('audit_events_xid_seq_idx').on(t.xid, t.seq),
  ],
);

/** The personal values an event commits to: SHA-256(salt || value), base64, is the `$commit` in its leaf. Erasure deletes rows here. */
export const auditPersonalValues = pgTable(
  'audit_personal_values',
  {
    seq: bigint('seq', { mode: 'number' })
      .notNull()
      .references(() => auditEvents.seq),
    commitment: text('commitment').notNull(),
    salt: text('salt').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.seq, t.commitment] })],
);

/** Leaf i of the log is event `seq`: assigned by the sealer, in order, never changed (append-only). */
export const auditLeaves = pgTable('audit_leaves', {
  leafIndex: bigint('leaf_index', { mode: 'number' }).primaryKey(),
  seq: bigint('seq', { mode: 'number' })
    .notNull()
    .unique()
    .references(() => auditEvents.seq),
});

/** The tree's perfect subtrees: (level, index) is the hash (hex) of leaves [index·2^level, (index+1)·2^level). Append-only. */
export const auditTreeNodes = pgTable(
  'audit_tree_nodes',
  {
    level: smallint('level').notNull(),
    index: bigint('index', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);

/** Every signed checkpoint (C2SP signed note), one per tree size. Append-only. */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  treeSize: bigint('tree_size', { mode: 'number' }).primaryKey(),
  rootHash: text('root_hash').notNull(),
  note: text('note').notNull(),
  signedAt: timestamp('signed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

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

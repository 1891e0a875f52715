import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';
import { users } from './users.ts';

/**
 * Single-use tokens sent by email, stored hashed, with at most one live per account: issuing a new
 * one revokes the old one first.
 */
const singleUseTokens = (name: string) =>
  pgTable(
    name,
    {
      id: uuid('id').primaryKey().defaultRandom(),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      tokenHash: text('token_hash').notNull().unique(),
      expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
      usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
      revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
      createdAt: createdAt(),
    },
    (t) => [uniqueIndex(`${name}_one_live`).on(t.userId).where(sql`used_at IS NULL AND revoked_at IS NULL`), index(`${name}_user_idx`).on(t.userId)],
  );

/** With which a grandfathered member sets their first password. */
export const claimTokens = singleUseTokens('claim_tokens');

/** With which a member who forgot their password sets a new one (one hour). */
export const passwordResets = singleUseTokens('password_resets');

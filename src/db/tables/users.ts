import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bodyEnum, citext, createdAt, roleEnum, updatedAt } from './columns.ts';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: citext('email').notNull().unique(),
    /** Null until a grandfathered member claims their account. */
    passwordHash: text('password_hash'),
    fullName: text('full_name').notNull(),
    role: roleEnum('role').notNull().default('mediator'),
    body: bodyEnum('body'),
    /** Carried in every access token; a bump (role, body, disabling, password reset, sign-out everywhere) voids the older ones. */
    sessionVersion: integer('session_version').notNull().default(1),
    /** A disabled account cannot sign in, and its tokens stop working. */
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
    /** TOTP shared secret, encrypted with a key held outside the database; null until enrolment starts. */
    totpSecret: text('totp_secret'),
    /** Set once the first code is confirmed: from then on sign-in asks for a code. */
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [check('users_admin_has_body', sql`${t.role} <> 'admin' OR ${t.body} IS NOT NULL`)],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Every token rotated from one login shares a family; reuse of a spent token revokes it whole. */
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [index('refresh_tokens_family_idx').on(t.familyId), index('refresh_tokens_user_idx').on(t.userId)],
);

/**
 * A registration waiting for proof that the registrant owns the email: no account exists until the
 * link is followed, so an unproven address never blocks the real owner or a grandfathered import.
 */
export const pendingRegistrations = pgTable(
  'pending_registrations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: citext('email').notNull(),
    fullName: text('full_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('pending_registrations_email_idx').on(t.email), index('pending_registrations_expires_idx').on(t.expiresAt)],
);

/** One-time recovery codes (stored hashed) for a staff account's second factor. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

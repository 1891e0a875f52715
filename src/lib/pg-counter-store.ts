import { and, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { limitCounters } from '../db/schema.ts';
import type { Clock } from './clock.ts';
import type { CounterStore } from './counter-store.ts';

/** Hits (by this process) between sweeps of expired rows: the table holds about one row per live key. */
const SWEEP_EVERY = 1000;

/**
 * Counters in the `limit_counters` table. Time is the app's clock (as everywhere else, so tests
 * can move it), not the database's: instances must keep their clocks in step, which NTP does to
 * well within the one-minute windows used here.
 */
export function createPgCounterStore(db: Db, clock: Clock): CounterStore {
  const restart = sql`${limitCounters.expiresAt} <= ${sql.placeholder('now')}`;
  // One statement: a new key starts at 1, an expired one restarts, a live one counts up. The row
  // lock taken by ON CONFLICT makes concurrent hits on one key queue, each seeing its own count.
  // Prepared once: building the query per hit cost more than running it.
  const hitStatement = db
    .insert(limitCounters)
    .values({ key: sql.placeholder('key'), count: 1, expiresAt: sql.placeholder('expiresAt') })
    .onConflictDoUpdate({
      target: limitCounters.key,
      set: {
        count: sql`CASE WHEN ${restart} THEN 1 ELSE ${limitCounters.count} + 1 END`,
        expiresAt: sql`CASE WHEN ${restart} THEN excluded.expires_at ELSE ${limitCounters.expiresAt} END`,
      },
    })
    .returning({ count: limitCounters.count, expiresAt: limitCounters.expiresAt })
    .prepare('limit_counter_hit');
  let hits = 0;
  return {
    async hit(key, windowMs) {
      const now = clock();
      const [row] = await hitStatement.execute({ key, now, expiresAt: new Date(now.getTime() + windowMs) });
      if (++hits % SWEEP_EVERY === 0) await db.delete(limitCounters).where(lte(limitCounters.expiresAt, now));
      return { count: row!.count, ttlMs: row!.expiresAt.getTime() - now.getTime() };
    },
    async peek(key) {
      const [row] = await db
        .select({ count: limitCounters.count })
        .from(limitCounters)
        .where(and(eq(limitCounters.key, key), gt(limitCounters.expiresAt, clock())));
      return row?.count ?? 0;
    },
    async reset(key) {
      await db.delete(limitCounters).where(eq(limitCounters.key, key));
    },
    async close() {},
  };
}

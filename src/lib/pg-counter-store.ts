import { and, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { limitCounters } from '../db/schema.ts';
import type { Clock } from './clock.ts';
import type { CounterStore, Hit } from './counter-store.ts';

/** Hits (by this process) between sweeps of expired rows: the table holds about one row per live key. */
const SWEEP_EVERY = 1000;

/**
 * Counters in the `limit_counters` table. Time is the app's clock (as everywhere else, so tests
 * can move it), not the database's: instances must keep their clocks in step, which NTP does to
 * well within the one-minute windows used here.
 */
export function createPgCounterStore(db: Db, clock: Clock): CounterStore {
  const restart = sql`${limitCounters.expiresAt} <= ${sql.placeholder('now')}`;
  // One statement: a new key starts at n, an expired one restarts at n, a live one counts up by n.
  // The row lock taken by ON CONFLICT makes concurrent statements on one key queue, each seeing its own count.
  // Prepared once: building the query per hit cost more than running it.
  const hitStatement = db
    .insert(limitCounters)
    .values({ key: sql.placeholder('key'), count: sql.placeholder('n'), expiresAt: sql.placeholder('expiresAt') })
    .onConflictDoUpdate({
      target: limitCounters.key,
      set: {
        count: sql`CASE WHEN ${restart} THEN excluded.count ELSE ${limitCounters.count} + excluded.count END`,
        expiresAt: sql`CASE WHEN ${restart} THEN excluded.expires_at ELSE ${limitCounters.expiresAt} END`,
      },
    })
    .returning({ count: limitCounters.count, expiresAt: limitCounters.expiresAt })
    .prepare('limit_counter_hit');
  let hits = 0;
  /**
   * Hits on a key wait while this process's statement for it runs, then go in one statement
   * counting them all (each gets its own count of the run the statement adds). Hits on one key at
   * once (a flood from one address) would otherwise queue on its row lock one commit at a time.
   */
  const waiting = new Map<string, Array<{ windowMs: number; done: (err: Error | null, hit?: Hit) => void }>>();
  const writing = new Set<string>();
  async function write(key: string): Promise<void> {
    const batch = waiting.get(key)!;
    waiting.delete(key);
    writing.add(key);
    const now = clock();
    try {
      // The keys of one route share its window.
      const [row] = await hitStatement.execute({ key, n: batch.length, now, expiresAt: new Date(now.getTime() + batch[0]!.windowMs) });
      hits += batch.length;
      if (hits >= SWEEP_EVERY) {
        hits = 0;
        // A sweep that fails is done by a later one.
        await db
          .delete(limitCounters)
          .where(lte(limitCounters.expiresAt, now))
          .catch(() => {});
      }
      const ttlMs = row!.expiresAt.getTime() - now.getTime();
      for (const [i, h] of batch.entries()) h.done(null, { count: row!.count - batch.length + 1 + i, ttlMs });
    } catch (err) {
      for (const h of batch) h.done(err as Error);
    } finally {
      writing.delete(key);
      if (waiting.has(key)) void write(key);
    }
  }
  return {
    hit(key, windowMs) {
      return new Promise<Hit>((resolve, reject) => {
        const batch = waiting.get(key) ?? [];
        batch.push({ windowMs, done: (err, hit) => (err ? reject(err) : resolve(hit!)) });
        waiting.set(key, batch);
        if (!writing.has(key) && batch.length === 1) void write(key);
      });
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

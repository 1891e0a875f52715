import type { Body } from '../domain/vocabulary.ts';
import { sql, type Queryable } from './client.ts';

/**
 * Every PostgreSQL advisory lock key the register takes, in one place so no two uses collide.
 * Transaction-scoped locks (`lockForTransaction`) unless said otherwise.
 */
export const LOCK_KEYS = {
  /** Session-scoped, around applying migrations: one process migrates, the others wait. */
  migrations: 7_302_118_001,
  /** Held (tried, never waited for) by the instance sealing the audit log. */
  auditSealer: 7_302_118_003,
  /** Held exclusively by a compliance run; log writes take it shared so a run sees a settled log. */
  complianceRun: 7_302_118_007,
  /** One import per body at a time. */
  imports: { com: 7_302_118_101, cmc: 7_302_118_102 } satisfies Record<Body, number>,
  /** Settings changes, so versions are numbered without gaps. */
  settings: 7_302_118_200,
} as const;

/**
 * Waits for the lock `key` and holds it until the transaction ends. `shared` holders exclude only
 * exclusive ones.
 */
export async function lockForTransaction(tx: Queryable, key: number, mode: 'exclusive' | 'shared' = 'exclusive'): Promise<void> {
  await tx.execute(mode === 'shared' ? sql`SELECT pg_advisory_xact_lock_shared(${key})` : sql`SELECT pg_advisory_xact_lock(${key})`);
}

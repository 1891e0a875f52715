import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an event that its hash covers (everything but its position and its own hash). */
export interface ChainedFields {
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export function eventHash(prevHash: string, e: ChainedFields): string {
  const body = canonicalJson({
    occurredAt: e.occurredAt,
    actorType: e.actorType,
    actorId: e.actorId,
    actorRole: e.actorRole,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    before: e.before ?? null,
    after: e.after ?? null,
    requestId: e.requestId,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

const SECRET_KEY = /password|token|secret|hash/i;

/** Copies a state snapshot without secrets, as plain JSON (dates as ISO strings). */
export function redact(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return JSON.parse(JSON.stringify(value, (key, v) => (key && SECRET_KEY.test(key) ? undefined : v)));
}

/** A stored event as verification reads it: its chained fields plus its position and hashes. */
export interface StoredEvent extends ChainedFields {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface ChainBreak {
  seq: number;
  reason: 'prev_hash_mismatch' | 'hash_mismatch';
  expected: string;
  found: string;
}

/**
 * Checks events in `seq` order against the hash before them. Returns the first break, or the hash
 * the next event must chain to. A removed event shows as a break at the one after it.
 */
export function checkChain(prevHash: string, events: StoredEvent[]): { break: ChainBreak } | { headHash: string } {
  let head = prevHash;
  for (const e of events) {
    if (e.prevHash !== head) return { break: { seq: e.seq, reason: 'prev_hash_mismatch', expected: head, found: e.prevHash } };
    const recomputed = eventHash(head, e);
    if (recomputed !== e.hash) return { break: { seq: e.seq, reason: 'hash_mismatch', expected: recomputed, found: e.hash } };
    head = e.hash;
  }
  return { headHash: head };
}

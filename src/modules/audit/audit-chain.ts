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

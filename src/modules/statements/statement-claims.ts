import { createHash } from 'node:crypto';
import type { StatementClaims } from '../../../schemas/statements.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';

const DAY_SECONDS = 86_400;

/**
 * `sha-256:` and the base64url SHA-256 of the public history's canonical JSON (keys sorted at every
 * level, no whitespace): anyone can recompute it from `GET /v1/register/{id}/history`'s `items`.
 */
export function historyDigest(items: readonly object[]): string {
  return `sha-256:${createHash('sha256').update(canonicalJson(items)).digest('base64url')}`;
}

export interface StatedEntry {
  id: string;
  status: StatementClaims['status'];
  statusSince: string;
  fullName: string;
  body: StatementClaims['body'];
  membershipNumber: string | null;
}

/** What a statement issued at `issuedAt` says of an entry with this public history. */
export function statementClaims(entry: StatedEntry, history: readonly object[], at: { issuer: string; issuedAt: Date; ttlDays: number }): StatementClaims {
  const iat = Math.floor(at.issuedAt.getTime() / 1000);
  return {
    iss: at.issuer,
    sub: entry.id,
    iat,
    exp: iat + at.ttlDays * DAY_SECONDS,
    status: entry.status,
    statusSince: entry.statusSince,
    fullName: entry.fullName,
    body: entry.body,
    membershipNumber: entry.membershipNumber,
    historyDigest: historyDigest(history),
  };
}

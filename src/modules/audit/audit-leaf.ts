import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.ts';

/** The fields of an event that its leaf covers: everything but its position. */
export interface EventFields {
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string;
  /** With every personal value replaced by its commitment (`commitPersonalValues`). */
  before: unknown;
  after: unknown;
  requestId: string | null;
}

/** The event's canonical bytes: JSON with keys sorted at every level, UTF-8. Its leaf hash is SHA-256(0x00 || these). */
export function leafBytes(e: EventFields): Buffer {
  return Buffer.from(
    canonicalJson({
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
    }),
    'utf8',
  );
}

const SECRET_KEY = /password|token|secret|hash/i;

/** Copies a state snapshot without secrets, as plain JSON (dates as ISO strings). */
export function redact(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return JSON.parse(JSON.stringify(value, (key, v) => (key && SECRET_KEY.test(key) ? undefined : v)));
}

/**
 * Keys whose text is about a person: names, contact details, identifiers (membership numbers, case
 * references) and anything written in free text (reasons, notes, reflections, titles). Their string
 * values, at any depth, are kept out of the leaf.
 */
export const PERSONAL_KEY =
  /name|email|phone|address|postcode|contact|website|url|reason|note|comment|title|description|detail|summary|message|statement|evidence|reflection|recommendation|organi[sz]ation|provider|employer|insurer|supervisor|referee|reference|membership|recipient/i;

/** What the leaf holds in place of a personal value. */
export const COMMIT_KEY = '$commit';

/** Shown where a personal value was erased. */
export const ERASED = '[erased]';

export interface PersonalValue {
  /** base64(SHA-256(salt || UTF-8 value)): what the leaf holds. */
  commitment: string;
  /** base64 of 16 random bytes. */
  salt: string;
  value: string;
}

export function commitment(salt: string, value: string): string {
  return createHash('sha256').update(Buffer.from(salt, 'base64')).update(value, 'utf8').digest('base64');
}

/**
 * Replaces every personal string in a snapshot by `{"$commit": commitment}` with a fresh salt, and
 * returns the values to keep beside the event. Equal values get different salts, so a commitment
 * says nothing about what it hides, even to someone who can guess it.
 */
export function commitPersonalValues(snapshot: unknown, newSalt: () => string = () => randomBytes(16).toString('base64')): { committed: unknown; values: PersonalValue[] } {
  const values: PersonalValue[] = [];
  const walk = (v: unknown, personal: boolean): unknown => {
    if (typeof v === 'string') {
      if (!personal) return v;
      const salt = newSalt();
      const c = commitment(salt, v);
      values.push({ commitment: c, salt, value: v });
      return { [COMMIT_KEY]: c };
    }
    if (Array.isArray(v)) return v.map((item) => walk(item, personal));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([key, item]) => [key, walk(item, personal || PERSONAL_KEY.test(key))]));
    }
    return v;
  };
  return { committed: walk(snapshot, false), values };
}

const isCommitted = (v: unknown): v is { [COMMIT_KEY]: string } =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as Record<string, unknown>)[COMMIT_KEY] === 'string';

/** A committed snapshot with its values put back, `[erased]` where a value is no longer kept. */
export function revealPersonalValues(committed: unknown, values: ReadonlyMap<string, string>): unknown {
  const walk = (v: unknown): unknown => {
    if (isCommitted(v)) return values.get(v[COMMIT_KEY]) ?? ERASED;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([key, item]) => [key, walk(item)]));
    return v;
  };
  return walk(committed);
}

/** Every commitment a snapshot makes. */
export function commitmentsIn(committed: unknown, out: Set<string> = new Set()): Set<string> {
  if (isCommitted(committed)) out.add(committed[COMMIT_KEY]);
  else if (Array.isArray(committed)) for (const item of committed) commitmentsIn(item, out);
  else if (committed !== null && typeof committed === 'object') for (const item of Object.values(committed)) commitmentsIn(item, out);
  return out;
}

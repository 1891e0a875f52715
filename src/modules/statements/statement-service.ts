import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { STATEMENT_TYPE, StatementClaimsSchema, type StatementClaims } from '../../../schemas/statements.ts';
import { HttpProblem } from '../../errors.ts';
import { STATEMENT_ALG, type StatementKeys } from '../../lib/statement-key.ts';
import type { ModuleDeps, SharedServices } from '../module.ts';
import { statementClaims } from './statement-claims.ts';

/** What the register says of the entry now, beside what a statement said. */
export type StatusToday = { state: 'same' } | { state: 'changed'; status: StatementClaims['status']; statusSince: string } | { state: 'not-on-register' } | { state: 'gone' };

/** What checking a pasted statement found. Only `current` and `expired` statements were issued by this register. */
export type Verdict =
  | { outcome: 'current' | 'expired'; claims: StatementClaims; today: StatusToday }
  | { outcome: 'malformed' }
  | { outcome: 'unknown-key'; kid: string | null }
  | { outcome: 'tampered' }
  | { outcome: 'other-issuer'; issuer: string | null };

export interface StatementServiceDeps extends ModuleDeps, Pick<SharedServices, 'register'> {
  keys: StatementKeys;
  /** The register's public URL, every statement's `iss` (read late: the port may be chosen at listen). */
  issuer: () => string;
}

/** Signed status statements: issued from the public register's own answers, checked against the published keys. */
export function createStatementService(deps: StatementServiceDeps) {
  const { keys, issuer, clock, config, register } = deps;
  const publishedKeys = createLocalJWKSet(keys.jwks);

  async function today(claims: StatementClaims): Promise<StatusToday> {
    try {
      const entry = await register.entry(claims.sub);
      return entry.status === claims.status && entry.statusSince === claims.statusSince ? { state: 'same' } : { state: 'changed', status: entry.status, statusSince: entry.statusSince };
    } catch (err) {
      if (err instanceof HttpProblem && err.status === 404) return { state: 'not-on-register' };
      if (err instanceof HttpProblem && err.status === 410) return { state: 'gone' };
      throw err;
    }
  }

  /** The claims of a statement whose signature checked out, if they are a statement's. */
  async function stated(outcome: 'current' | 'expired', payload: unknown): Promise<Verdict> {
    const claims = StatementClaimsSchema.safeParse(payload);
    return claims.success ? { outcome, claims: claims.data, today: await today(claims.data) } : { outcome: 'malformed' };
  }

  const headerKid = (statement: string) => {
    try {
      return decodeProtectedHeader(statement).kid ?? null;
    } catch {
      return null;
    }
  };

  return {
    /** A statement of the entry as the register shows it now: same visibility (404, 410) as `GET /v1/register/{id}`. */
    async issue(id: string): Promise<string> {
      const [entry, history] = await Promise.all([register.entry(id), register.history(id)]);
      const claims = statementClaims(entry, history, { issuer: issuer(), issuedAt: clock(), ttlDays: config.STATEMENT_TTL_DAYS });
      return new SignJWT(claims).setProtectedHeader({ alg: STATEMENT_ALG, kid: keys.signing.kid, typ: STATEMENT_TYPE }).sign(keys.signing.key);
    },

    jwks: () => keys.jwks,

    /** Whether a statement is genuine (a published key, this register), current, and what it states. */
    async verify(text: string): Promise<Verdict> {
      // Pasted statements often carry line breaks or spaces; none belongs in a compact JWS.
      const statement = text.replace(/\s+/g, '');
      try {
        const { payload } = await jwtVerify(statement, publishedKeys, { issuer: issuer(), algorithms: [STATEMENT_ALG], typ: STATEMENT_TYPE, currentDate: clock() });
        return await stated('current', payload);
      } catch (err) {
        // The signature is checked before any claim, so an expired or foreign-issuer statement is still ours-or-not for certain.
        if (err instanceof errors.JWTExpired) return stated('expired', err.payload);
        if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'iss') return { outcome: 'other-issuer', issuer: typeof err.payload.iss === 'string' ? err.payload.iss : null };
        if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return { outcome: 'unknown-key', kid: headerKid(statement) };
        if (err instanceof errors.JWSSignatureVerificationFailed) return { outcome: 'tampered' };
        if (err instanceof errors.JOSEError) return { outcome: 'malformed' };
        throw err;
      }
    },
  };
}

export type StatementService = ReturnType<typeof createStatementService>;

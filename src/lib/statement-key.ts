import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { importJWK, type CryptoKey } from 'jose';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { dataDirSecret } from './data-dir-secret.ts';

/** The one algorithm statements are signed with (Ed25519). */
export const STATEMENT_ALG = 'EdDSA';

const KeyBytesSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes in base64url');

/** An Ed25519 public key as a JWK, with the `kid` statements name it by. */
export const PublicJwkSchema = z.looseObject({
  kty: z.literal('OKP', 'must be "OKP" (an Ed25519 key)'),
  crv: z.literal('Ed25519', 'must be "Ed25519"'),
  x: KeyBytesSchema,
  kid: z.string().trim().min(1, 'a kid is required').max(200),
});
export type PublicJwk = z.infer<typeof PublicJwkSchema>;

export const PrivateJwkSchema = PublicJwkSchema.extend({ d: KeyBytesSchema }).refine(
  (jwk) => {
    try {
      const derived = createPublicKey(createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: jwk.d, x: jwk.x }, format: 'jwk' })).export({ format: 'jwk' });
      return derived.x === jwk.x;
    } catch {
      return false;
    }
  },
  { message: 'x is not the public key of d', path: ['x'] },
);
export type PrivateJwk = z.infer<typeof PrivateJwkSchema>;

/** A retired key is published to verify with, so it must be public: a private part here is a mistake to refuse, not to strip. */
export const RetiredJwkSchema = PublicJwkSchema.refine((jwk) => !('d' in jwk), { message: 'must be a public key (no "d")', path: ['d'] });

/** What the JWKS publishes of a key: the public part only, named and bound to its use. */
export const publishedJwk = (jwk: PublicJwk) => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: jwk.kid, alg: STATEMENT_ALG, use: 'sig' }) as const;
export type PublishedJwk = ReturnType<typeof publishedJwk>;

export interface StatementKeys {
  /** Signs new statements. */
  signing: { kid: string; key: CryptoKey };
  /** `/.well-known/jwks.json`: the signing key's public part first, then the retired keys. */
  jwks: { keys: PublishedJwk[] };
}

/** A new Ed25519 private JWK; its kid is its RFC 7638 thumbprint, so every key has its own. */
export function newStatementKey(): PrivateJwk {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const key = { kty: 'OKP' as const, crv: 'Ed25519' as const, x: jwk.x!, d: jwk.d! };
  // RFC 7638: SHA-256 of the required members in lexicographic order, without whitespace.
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv: key.crv, kty: key.kty, x: key.x }))
    .digest('base64url');
  return { kid, ...key };
}

export async function statementKeys(signing: PrivateJwk, retired: readonly PublicJwk[] = []): Promise<StatementKeys> {
  const key = (await importJWK({ kty: signing.kty, crv: signing.crv, x: signing.x, d: signing.d }, STATEMENT_ALG)) as CryptoKey;
  return { signing: { kid: signing.kid, key }, jwks: { keys: [signing, ...retired].map(publishedJwk) } };
}

/**
 * STATEMENT_SIGNING_KEY when given (required on PostgreSQL: the key is never in the database, and
 * every instance must sign with it). On embedded PGlite a key is generated once into the data
 * directory, like the JWT secret and the audit key.
 */
export async function resolveStatementKeys(config: Pick<Config, 'STATEMENT_SIGNING_KEY' | 'STATEMENT_RETIRED_KEYS' | 'database'>): Promise<StatementKeys> {
  const key =
    config.STATEMENT_SIGNING_KEY ??
    PrivateJwkSchema.parse(JSON.parse(dataDirSecret(config, { setting: 'STATEMENT_SIGNING_KEY', file: 'statement-signing-key.json', generate: () => JSON.stringify(newStatementKey()) })));
  return statementKeys(key, config.STATEMENT_RETIRED_KEYS);
}

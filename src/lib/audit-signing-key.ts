import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { formatVerifierKey, generateKey, parseSignerKey, parseVerifierKey, type SignerKey, type VerifierKey } from './transparency/signed-note.ts';

/** The audit log's key pair: the signer signs checkpoints; the verifier key (text) is what the log publishes. */
export interface LogKey {
  /** The key's name, also every checkpoint's origin line. */
  origin: string;
  signer: SignerKey;
  verifier: VerifierKey;
  verifierKey: string;
}

export function logKey(signerKeyText: string): LogKey {
  const signer = parseSignerKey(signerKeyText);
  const verifierKey = formatVerifierKey(signer.name, signer.privateKey);
  return { origin: signer.name, signer, verifier: parseVerifierKey(verifierKey), verifierKey };
}

/** The origin a generated key is named: the register's host when PUBLIC_URL says it. */
export const defaultOrigin = (config: Pick<Config, 'PUBLIC_URL'>): string => `${config.PUBLIC_URL ? new URL(config.PUBLIC_URL).host : 'send-mediator-register.localhost'}/audit`;

/**
 * AUDIT_SIGNING_KEY when given (required on PostgreSQL: the key must never be in the database, and
 * every instance must sign with it). On embedded PGlite a key is generated once into the data
 * directory, like the JWT secret.
 */
export function resolveAuditSigningKey(config: Config): LogKey {
  if (config.AUDIT_SIGNING_KEY) return logKey(config.AUDIT_SIGNING_KEY);
  if (config.database.kind === 'postgres') throw new Error('AUDIT_SIGNING_KEY is required when DATABASE_URL is set');
  if (config.database.dataDir === 'memory://') return logKey(generateKey(defaultOrigin(config)).signerKey);
  const file = join(config.database.dataDir, 'audit-signing-key');
  try {
    return logKey(readFileSync(file, 'utf8').trim());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(config.database.dataDir, { recursive: true });
  const { signerKey } = generateKey(defaultOrigin(config));
  writeFileSync(file, `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
  return logKey(signerKey);
}

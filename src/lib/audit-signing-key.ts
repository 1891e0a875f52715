import type { Config } from '../config.ts';
import { dataDirSecret } from './data-dir-secret.ts';
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
export const resolveAuditSigningKey = (config: Config): LogKey =>
  logKey(config.AUDIT_SIGNING_KEY ?? dataDirSecret(config, { setting: 'AUDIT_SIGNING_KEY', file: 'audit-signing-key', generate: () => generateKey(defaultOrigin(config)).signerKey }));

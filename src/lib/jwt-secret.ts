import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';

/**
 * JWT_SECRET when given (required on PostgreSQL, where several processes must agree).
 * On embedded PGlite a secret is generated once and kept beside the data, so tokens survive restarts.
 */
export function resolveJwtSecret(config: Config): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  if (config.database.kind === 'postgres') throw new Error('JWT_SECRET is required when DATABASE_URL is set');
  if (config.database.dataDir === 'memory://') return randomBytes(48).toString('base64url');
  const file = join(config.database.dataDir, 'jwt-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(config.database.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}

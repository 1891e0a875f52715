import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';

/**
 * A secret that was not set (the JWT secret, the audit and statement signing keys): required on
 * PostgreSQL, where every instance must use the same and it is never kept in the database; on
 * embedded PGlite generated once into the data directory (0600), so it survives restarts; fresh at
 * each start for `memory://`. Answers its text.
 */
export function dataDirSecret(config: Pick<Config, 'database'>, { setting, file, generate }: { setting: string; file: string; generate: () => string }): string {
  if (config.database.kind === 'postgres') throw new Error(`${setting} is required when DATABASE_URL is set`);
  if (config.database.dataDir === 'memory://') return generate();
  const path = join(config.database.dataDir, file);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(config.database.dataDir, { recursive: true });
  const secret = generate();
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

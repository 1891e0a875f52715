import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { dataDirSecret } from './data-dir-secret.ts';

/**
 * JWT_SECRET when given (required on PostgreSQL, where several processes must agree).
 * On embedded PGlite a secret is generated once and kept beside the data, so tokens survive restarts.
 */
export const resolveJwtSecret = (config: Config): string =>
  config.JWT_SECRET ?? dataDirSecret(config, { setting: 'JWT_SECRET', file: 'jwt-secret', generate: () => randomBytes(48).toString('base64url') });

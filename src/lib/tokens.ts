import { createHash, randomBytes } from 'node:crypto';

/** An unguessable token for a URL or a JSON body (256 bits). */
export const newToken = () => randomBytes(32).toString('base64url');

/** Tokens are stored only as their SHA-256: a database leak does not leak usable tokens. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

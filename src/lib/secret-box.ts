import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Seals short secrets for a database column with AES-256-GCM under a key that never enters the
 * database (derived by HKDF from `keyMaterial` and a `purpose`, so one secret can serve several
 * uses without their keys being related): a copy of the database alone does not reveal them.
 * `boundTo` (the row's id) is authenticated with the ciphertext, so a value copied onto another
 * row does not open.
 */
export function secretBox(keyMaterial: string, purpose: string) {
  const key = Buffer.from(hkdfSync('sha256', keyMaterial, Buffer.alloc(0), purpose, 32));
  return {
    seal(plain: string, boundTo: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(boundTo));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    /** Throws when the value was sealed under another key or for another row, or was altered. */
    open(sealed: string, boundTo: string): string {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(boundTo)).setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

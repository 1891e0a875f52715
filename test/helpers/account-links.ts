import type { LightMyRequestResponse } from 'fastify';
import type { Db } from '../../src/db/client.ts';
import { claimTokens, passwordResets, pendingRegistrations, users } from '../../src/db/schema.ts';
import { hashPassword } from '../../src/lib/passwords.ts';
import { hashToken, newToken } from '../../src/lib/tokens.ts';

const DAY_MS = 86_400_000;

/**
 * Live emailed links made straight in the database, as the services that send them would: a claim
 * code for a grandfathered member (no password yet), a reset for an account with one, a pending
 * registration with the password chosen when registering.
 */
export function accountLinks(db: Db, now: () => Date) {
  let seq = 0;
  const expiry = (ms: number) => new Date(now().getTime() + ms);
  return {
    async claim(email = `claim${++seq}@example.org`) {
      const [user] = await db
        .insert(users)
        .values({ email, fullName: `Claim Member ${seq}`, passwordHash: null })
        .returning();
      const code = newToken();
      await db.insert(claimTokens).values({ userId: user!.id, tokenHash: hashToken(code), expiresAt: expiry(30 * DAY_MS) });
      return { code, email, userId: user!.id };
    },
    async reset(email = `reset${++seq}@example.org`, password = 'the old password nobody remembers') {
      const [user] = await db
        .insert(users)
        .values({ email, fullName: `Reset Member ${seq}`, passwordHash: await hashPassword(password) })
        .returning();
      const code = newToken();
      await db.insert(passwordResets).values({ userId: user!.id, tokenHash: hashToken(code), expiresAt: expiry(3_600_000) });
      return { code, email, userId: user!.id };
    },
    async verify(password: string, email = `verify${++seq}@example.org`) {
      const code = newToken();
      await db.insert(pendingRegistrations).values({ email, fullName: `New Member ${seq}`, passwordHash: await hashPassword(password), tokenHash: hashToken(code), expiresAt: expiry(2 * DAY_MS) });
      return { code, email };
    },
  };
}

/** A hidden field of a rendered form. */
export const hiddenField = (res: LightMyRequestResponse | string, name: string) =>
  new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(typeof res === 'string' ? res : res.body)?.[1];

/** A url-encoded form post, as a browser sends it from the page itself. */
export const formPost = (url: string, fields: Record<string, string>, headers: Record<string, string> = { 'sec-fetch-site': 'same-origin' }) => ({
  method: 'POST' as const,
  url,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  payload: new URLSearchParams(fields).toString(),
});

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { EmailSchema, PasswordLengthSchema, strongPasswordFor } from '../../../schemas/auth.ts';
import { text } from '../../../schemas/common.ts';
import type { Db } from '../../db/client.ts';
import { HttpProblem, problem } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { systemContext } from '../../lib/context.ts';
import { createStaffAccount } from '../auth/auth-service.ts';
import { hasRegistrar } from './setup-repository.ts';

/** How long a printed setup link works: long enough to open it, short enough not to linger. */
const LINK_MINUTES = 60;

export const SetupFormSchema = z
  .object({ fullName: text(200), email: EmailSchema, password: PasswordLengthSchema, confirm: z.string().max(256) })
  .superRefine(strongPasswordFor((f) => [f.email, f.fullName]))
  .refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'must match the password' });

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * The first registrar, created from a link the server prints on start while the register has none:
 * the way in on a fresh install, where the CLI cannot open the embedded database the server holds.
 * The token lives only in this process (never stored or logged by the app), works once, and expires.
 */
export function createSetupService({ db, clock }: { db: Db; clock: Clock }) {
  let pending: { hash: Buffer; expiresAt: number } | null = null;

  return {
    /** A new single-use token when no registrar exists (any earlier link stops working), else null. */
    async issueLink(): Promise<string | null> {
      if (await hasRegistrar(db)) return null;
      const token = randomBytes(24).toString('base64url');
      pending = { hash: digest(token), expiresAt: clock().getTime() + LINK_MINUTES * 60_000 };
      return token;
    },

    /** Whether `token` is the live link (the page shows the form only then). */
    isValid(token: string): boolean {
      if (!pending || pending.expiresAt <= clock().getTime()) return false;
      const given = digest(token);
      return timingSafeEqual(given, pending.hash);
    },

    async createRegistrar(token: string, form: z.infer<typeof SetupFormSchema>) {
      if (!this.isValid(token)) throw problem('setup-link-gone', 'This setup link has been used or has expired.');
      // Taken before any await, so two submissions of one form cannot both create an account; given
      // back if this one fails (an email already in use), so the person can correct the form.
      const taken = pending;
      pending = null;
      try {
        if (await hasRegistrar(db)) throw problem('setup-complete', 'The register already has a registrar.');
        return await createStaffAccount(db, systemContext(), { email: form.email, password: form.password, fullName: form.fullName, role: 'registrar', body: null });
      } catch (err) {
        if (!(err instanceof HttpProblem && err.code === 'setup-complete')) pending = taken;
        throw err;
      }
    },
  };
}

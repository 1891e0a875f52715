import { z } from 'zod';
import { EmailSchema, PasswordLengthSchema, PasswordSchema } from './auth.ts';

/**
 * The secret of an emailed link, as the page's query carries it: anything but a live one shows "link
 * no longer works" (an empty or overlong one too, as ''). No code at all is a page of its own.
 */
export const LinkQuerySchema = z.object({ code: z.string().max(1000).optional().catch('').describe('The single-use secret from the emailed link') });

const newPassword = (password: z.ZodType<string>) =>
  z.object({ password, confirm: z.string().max(256) }).refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'must match the password' });

/** A claim sets the first password: its strength is checked here, as on POST /v1/auth/claim. */
export const ClaimFormSchema = newPassword(PasswordSchema);

/** The reset service checks strength itself, with the account's own email and name as guesses. */
export const ResetFormSchema = newPassword(PasswordLengthSchema);

export const VerifyFormSchema = z.object({ password: z.string().min(1, 'enter the password you chose when registering').max(256) });

/** Asking for a reset link by email: the address as POST /v1/auth/password-reset takes it. */
export const ResetRequestFormSchema = z.object({ email: EmailSchema });

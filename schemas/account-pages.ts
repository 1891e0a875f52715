import { z } from 'zod';
import { PasswordLengthSchema, PasswordSchema } from './auth.ts';

/** The secret of an emailed link, as the page's query carries it; anything else shows "link no longer works". */
export const linkQuery = (param: 'code' | 'token') =>
  z.object({ [param]: z.string().max(1000).catch('').describe('The single-use secret from the emailed link') });

const newPassword = (password: z.ZodType<string>) =>
  z.object({ password, confirm: z.string().max(256) }).refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'must match the password' });

/** A claim sets the first password: its strength is checked here, as on POST /v1/auth/claim. */
export const ClaimFormSchema = newPassword(PasswordSchema);

/** The reset service checks strength itself, with the account's own email and name as guesses. */
export const ResetFormSchema = newPassword(PasswordLengthSchema);

export const VerifyFormSchema = z.object({ password: z.string().min(1, 'enter the password you chose when registering').max(256) });

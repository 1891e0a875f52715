import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { users } from '../src/db/schema.ts';
import { passwordWeakness } from '../src/lib/password-strength.ts';
import { BodySchema, text } from './common.ts';

/**
 * One spelling per address, so one account: compatibility forms folded (fullwidth ｍ is m), lower
 * case, and the root dot of a fully qualified domain (`example.org.`) dropped. Sign-in looks
 * addresses up through the same function.
 */
export const normaliseEmail = (email: string) => email.trim().normalize('NFKC').toLowerCase().replace(/\.$/, '');

// Internationalised addresses (RFC 6531) are allowed: members have names like Siân.
export const EmailSchema = z
  .string()
  .overwrite(normaliseEmail)
  .check(z.email({ pattern: z.regexes.unicodeEmail }))
  .max(254);

const PASSWORD_DOC = {
  format: 'password',
  description: '12 to 256 characters, not easy to guess: no common password, simple pattern, or your own name or email',
};

/**
 * Long enough to resist guessing; capped so hashing cannot be used to exhaust the server. For a body
 * that also carries the person's email and name, with `strongPasswordFor` on the body.
 */
export const PasswordLengthSchema = z.string().min(12, 'must be at least 12 characters').max(256).meta(PASSWORD_DOC);

function refuseWeakPassword(ctx: z.RefinementCtx, password: unknown, details: unknown[], path: PropertyKey[]) {
  // A password already refused for its length is not worth estimating (an over-long one is costly).
  const parsed = PasswordLengthSchema.safeParse(password);
  if (!parsed.success) return;
  // A body's check runs even when another field failed its own, which may then be missing.
  const weakness = passwordWeakness(
    parsed.data,
    details.filter((d): d is string => typeof d === 'string'),
  );
  if (weakness) ctx.addIssue({ code: 'custom', path, message: weakness });
}

/** A new password on its own (the person's details are not in the same body): length and strength. */
export const PasswordSchema = PasswordLengthSchema.superRefine((password, ctx) => refuseWeakPassword(ctx, password, [], [])).meta(PASSWORD_DOC);

/**
 * The strength check for a body with a new `password` (a `PasswordLengthSchema`) and the person's own
 * details, which zxcvbn treats as an attacker's first guesses. On the body, because a field's own
 * check cannot see the other fields.
 */
export const strongPasswordFor =
  <T extends { password: string }>(details: (body: T) => unknown[]) =>
  (body: T, ctx: z.RefinementCtx) =>
    refuseWeakPassword(ctx, body.password, details(body), ['password']);

export const RegisterBodySchema = z
  .strictObject({
    email: EmailSchema,
    password: PasswordLengthSchema,
    fullName: text(200),
  })
  .superRefine(strongPasswordFor((b) => [b.email, b.fullName]));

/** The same answer whether or not the address has an account, so it tells nobody which addresses do. */
export const AcceptedSchema = z.object({ accepted: z.literal(true), message: z.string() }).meta({ id: 'Accepted' });

/** A single-use secret from an emailed link (256 bits, base64url). */
const LinkTokenSchema = z.string().min(1).max(200);

export const VerifyBodySchema = z.strictObject({
  token: LinkTokenSchema,
  password: z.string().max(256).meta({ format: 'password', description: 'The password chosen when registering, given again' }),
});

export const VerifiedSchema = z.object({ email: z.string() }).meta({ id: 'Verified' });

export const PasswordResetRequestSchema = z.strictObject({ email: EmailSchema });

/** Strength is checked by the service, with the account's own email and name as guesses. */
export const PasswordResetConfirmSchema = z.strictObject({ token: LinkTokenSchema, password: PasswordLengthSchema });

export const LoginBodySchema = z.strictObject({
  email: z.string().max(254),
  password: z.string().max(256),
  otp: z
    .string()
    .max(64)
    .optional()
    .describe('For an account with a second factor: the 6-digit code from the authenticator app, or one unused recovery code. Without it such an account answers 401 with an error on otp'),
});

export const RefreshBodySchema = z.strictObject({ refreshToken: z.string().min(1).max(200) });

export const TokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    tokenType: z.literal('Bearer'),
  })
  .meta({ id: 'TokenPair' });

/** The account row (email is citext, a string to the API), with the mediator entry's id if it has one. */
export const MeSchema = createSelectSchema(users, { email: () => z.string(), body: () => BodySchema })
  .pick({ id: true, email: true, fullName: true, role: true, body: true })
  .extend({ mediatorId: z.uuid().nullable() })
  .meta({ id: 'Me' });

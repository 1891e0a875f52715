import { z } from 'zod';
import { TimestampSchema } from './common.ts';

export const SecondFactorStatusSchema = z
  .object({
    enabled: z.boolean(),
    enabledAt: TimestampSchema.nullable(),
    recoveryCodesLeft: z.number().int().describe('Unused recovery codes; each signs in once instead of a code'),
    required: z.boolean().describe('Staff must set one up before anything but enrolment, GET /v1/me and logout (STAFF_SECOND_FACTOR=required)'),
  })
  .meta({ id: 'SecondFactorStatus' });

export const SecondFactorEnrolmentSchema = z
  .object({
    secret: z.string().describe('The shared secret in base32, for typing into an authenticator app'),
    uri: z.string().describe('otpauth:// URI with the same secret, for a QR code'),
    algorithm: z.literal('SHA1'),
    digits: z.literal(6),
    period: z.literal(30).describe('Seconds each code lasts'),
  })
  .meta({ id: 'SecondFactorEnrolment', description: 'Not in force until a code is confirmed; shown once, never stored in the clear' });

export const SecondFactorStartBodySchema = z.strictObject({
  password: z
    .string()
    .min(1, 'enter the password you sign in with')
    .max(256)
    .describe('The account’s current password: an access token alone cannot set up a second factor. Five wrong ones per 15 minutes, then 429'),
});

export const SecondFactorConfirmBodySchema = z.strictObject({
  code: z
    .string()
    .max(16)
    .trim()
    .regex(/^\d{6}$/, 'must be the 6-digit code the authenticator app shows')
    .describe('Five tries per set-up: the fifth wrong code cancels it (409) and enrolment starts again'),
});

export const RecoveryCodesSchema = z
  .object({
    recoveryCodes: z
      .array(z.string())
      .describe('Ten single-use codes for when the device is not at hand (the otp of a sign-in); shown once only. Every session of the account has ended: sign in again with a code'),
  })
  .meta({ id: 'RecoveryCodes' });

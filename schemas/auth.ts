import { z } from 'zod';
import { BodySchema, RoleSchema, text } from './common.ts';

// Internationalised addresses (RFC 6531) are allowed: members have names like Siân.
export const EmailSchema = z
  .email({ pattern: z.regexes.unicodeEmail })
  .max(254)
  .transform((v) => v.toLowerCase());
// Long enough to resist guessing; capped so hashing cannot be used to exhaust the server.
export const PasswordSchema = z.string().min(12, 'must be at least 12 characters').max(256);

export const RegisterBodySchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
  fullName: text(200),
});

export const LoginBodySchema = z.strictObject({
  email: z.string().max(254),
  password: z.string().max(256),
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

export const MeSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    fullName: z.string(),
    role: RoleSchema,
    body: BodySchema.nullable(),
    mediatorId: z.uuid().nullable(),
  })
  .meta({ id: 'Me' });

export const RegisteredSchema = MeSchema;

import { z } from 'zod';
import { BodySchema, DateSchema, EntryStatusSchema } from './common.ts';

/** The JWS header's `typ`: says what the token is, so a statement can never pass for another JWT and back. */
export const STATEMENT_TYPE = 'register-statement+jwt';

/** What a signed status statement states: its payload. */
export const StatementClaimsSchema = z
  .object({
    iss: z.string().describe('The register that issued it: its public URL'),
    sub: z.uuid().describe('The register entry id'),
    iat: z.int().describe('Issued at (seconds since 1970, UTC)'),
    exp: z.int().describe('Expires at (seconds since 1970, UTC): at most 30 days after `iat`'),
    status: EntryStatusSchema.describe('The entry’s status when the statement was issued'),
    statusSince: DateSchema.describe('The day that status began'),
    fullName: z.string(),
    body: BodySchema,
    membershipNumber: z.string().nullable(),
    historyDigest: z
      .string()
      .regex(/^sha-256:[A-Za-z0-9_-]{43}$/)
      .describe('`sha-256:` and the base64url SHA-256 of the canonical JSON (keys sorted, no spaces) of `items` from `GET /v1/register/{id}/history` when it was issued'),
  })
  .meta({
    id: 'StatementClaims',
    description: 'The payload of a status statement (a compact JWS, alg EdDSA, typ `register-statement+jwt`, `kid` naming a key at /.well-known/jwks.json)',
    examples: [
      {
        iss: 'https://register.example.org',
        sub: '3f2b8c1e-5d4a-4b6c-9e7f-1a2b3c4d5e6f',
        iat: 1764669600,
        exp: 1767261600,
        status: 'accredited',
        statusSince: '2019-06-01',
        fullName: 'Zoë Ellis',
        body: 'com',
        membershipNumber: 'COM-01234',
        historyDigest: 'sha-256:0yTW2bZJ1x-x4o0GUvb3c2Yc5wWmE2c0aJk9vWm6d8Q',
      },
    ],
  });
export type StatementClaims = z.infer<typeof StatementClaimsSchema>;

const EXAMPLE_KEY = { kty: 'OKP', crv: 'Ed25519', x: '52plExfbhuQWTOTHiEBL0LmDrLsg76qIvMGAGqxrC8Q', kid: 'SyRHvzG1QiU_b74PqQIlw5BgkQC93cLS7OtGrV50S8U', alg: 'EdDSA', use: 'sig' } as const;

export const StatementKeySetSchema = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal('OKP'),
        crv: z.literal('Ed25519'),
        x: z.string().describe('The public key (base64url)'),
        kid: z.string().describe('The `kid` in the header of the statements it signed'),
        alg: z.literal('EdDSA'),
        use: z.literal('sig'),
      }),
    ),
  })
  .meta({
    id: 'StatementKeySet',
    description: 'The keys that verify status statements (a JWK Set): the current one first, then rotated-out keys, published until the statements they signed have expired',
    examples: [{ keys: [EXAMPLE_KEY] }],
  });

/** Longer than any statement the register issues; the /verify page says so rather than checking it. */
export const STATEMENT_MAX_LENGTH = 20_000;
// Bounded only by the largest body an operator may allow (BODY_LIMIT_BYTES): past STATEMENT_MAX_LENGTH
// the page, not a JSON 400, tells the person what is wrong, and a link with the field twice checks the first.
const pasted = z.string().max(10_485_760);

/** The /verify page's form: the pasted statement, as text (the first, if a link repeats the field). */
export const StatementFormSchema = z.object({
  statement: z
    .union([pasted, z.array(pasted).max(100)])
    .transform((v) => (Array.isArray(v) ? v[0] : v))
    .optional(),
});

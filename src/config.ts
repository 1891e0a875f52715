import { isIP } from 'node:net';
import { z } from 'zod';
import { PrivateJwkSchema, RetiredJwkSchema } from './lib/statement-key.ts';
import { parseSignerKey } from './lib/transparency/signed-note.ts';

const cronOrOff = z
  .string()
  .trim()
  .refine((v) => v === 'off' || (v.split(/\s+/).length >= 5 && v.split(/\s+/).length <= 6), {
    message: 'must be a cron expression of 5 or 6 fields, or "off"',
  });

/** A setting whose value is JSON, checked against `schema` (its issues are named by the path inside the value). */
const jsonSetting = <T extends z.ZodType>(schema: T, what: string) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON: ${what}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** Every setting the process reads from its environment, with every default in one place. */
export const EnvSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Longest one statement may run (PostgreSQL); a stuck lock or query answers 503 instead of holding a request. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  /** Longest a connection may sit idle inside an open transaction before the server ends it. */
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** Longest a request waits for a free pooled connection before it answers 503. */
  DB_POOL_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Where people reach the register (links in emails; HSTS only when https). */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** Shared counters (rate limits, failed sign-ins) across instances; unset: kept in PostgreSQL/PGlite. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * The audit log's Ed25519 signing key in signed-note form (`PRIVATE+KEY+<origin>+<id>+<key>`, from
   * `npm run cli -- audit-keygen`); its name is the checkpoints' origin. Required with DATABASE_URL.
   */
  AUDIT_SIGNING_KEY: z
    .string()
    .trim()
    .refine((v) => {
      try {
        parseSignerKey(v);
        return true;
      } catch {
        return false;
      }
    }, 'must be a signed-note Ed25519 signer key (PRIVATE+KEY+<origin>+<key id>+<key>), as audit-keygen prints')
    .optional(),
  /** How often the sealer adds newly written audit events to the log. */
  AUDIT_SEAL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
  /** Most often a checkpoint is signed while events keep coming. */
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  /**
   * Signs the public register's status statements: an Ed25519 private JWK with a `kid` (from
   * `npm run cli -- statement-keygen`). Required with DATABASE_URL (checked at start-up).
   */
  STATEMENT_SIGNING_KEY: jsonSetting(PrivateJwkSchema, 'an Ed25519 private JWK, as statement-keygen prints').optional(),
  /** Rotated-out public JWKs still published at /.well-known/jwks.json until the statements they signed expire. */
  STATEMENT_RETIRED_KEYS: jsonSetting(z.array(RetiredJwkSchema).max(20), 'an array of Ed25519 public JWKs').default([]),
  /** How long a status statement is valid after it is issued. */
  STATEMENT_TTL_DAYS: z.coerce.number().int().min(1).max(30).default(30),
  JWT_ISSUER: z.string().min(1).default('send-mediator-register'),
  JWT_AUDIENCE: z.string().min(1).default('send-mediator-register-api'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /** Whether staff (assessors, admins, registrars) must sign in with a TOTP second factor; unset: `required` when NODE_ENV=production, else `optional`. */
  STAFF_SECOND_FACTOR: z.enum(['required', 'optional']).optional(),
  /** Key material for the TOTP secrets kept encrypted in the database; unset: derived from the JWT secret. */
  TOTP_ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** How long a registration's email verification link works (no account exists until it is followed). */
  VERIFICATION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(48),
  COMPLIANCE_CRON: cronOrOff.default('0 2 * * *'),
  /** Years a removed or lapsed register entry is kept before its person may be erased. */
  ERASURE_RETENTION_YEARS: z.coerce.number().int().min(0).max(100).default(6),
  /** Years a removed entry stays publicly findable (labelled) after its removal; then 410 Gone with no details. */
  REGISTER_REMOVED_VISIBLE_YEARS: z.coerce.number().int().min(0).max(100).default(5),
  /** Megabytes of search pages each process keeps until the register changes; 0 works out every search afresh. */
  SEARCH_CACHE_MB: z.coerce.number().int().min(0).max(1024).default(32),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('SEND Mediator Register <no-reply@send-register.invalid>'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bearer token the Prometheus scraper presents on GET /metrics; unset, /metrics is open (keep it off the public network). */
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Longest a SIGTERM/SIGINT shutdown may take (in-flight requests, then the database) before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(65_536),
  IMPORT_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(104_857_600).default(16_777_216),
  RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_PUBLIC_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  /** Failed sign-ins per account from one network (an IPv4 address, an IPv6 /64) in 15 minutes. */
  LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(10),
  /** Failed sign-ins per account in 15 minutes from all networks it has not signed in from in 30 days. */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(50),
  /**
   * Which proxies in front of the API may say who the client is (X-Forwarded-For): `false`, the
   * number of proxy hops, or their addresses/CIDRs. Never "everyone": the left-most address is the
   * client's own claim, and limits keyed by address would be theirs to choose.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx) => {
      const parsed = trustedProxies(v);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
  /** `production` makes start-up refuse settings meant for development (mail to the log). */
  NODE_ENV: z.string().default('development'),
  /** `smtp` (needs SMTP_URL) or `log` (development: messages with their links go to the log); default from SMTP_URL. */
  MAIL_TRANSPORT: z.enum(['smtp', 'log']).optional(),
});

/** Names proxy-addr knows for its address ranges, besides addresses and CIDRs. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY as Fastify's `trustProxy` takes it, or why it is refused. */
function trustedProxies(value: string): false | number | string[] | string {
  const v = value.trim().toLowerCase();
  if (v === 'false') return false;
  if (v === 'true') {
    return 'true would trust any address a client writes into X-Forwarded-For; give the number of proxies in front of the API (e.g. 1) or their addresses (e.g. 10.0.0.5,10.1.0.0/16)';
  }
  if (/^\d+$/.test(v)) return Number(v) >= 1 ? Number(v) : 'a hop count must be 1 or more (or false)';
  const entries = v.split(',').map((e) => e.trim());
  const wrong = entries.filter((e) => !PROXY_RANGE_NAMES.has(e) && !isAddressOrCidr(e));
  return wrong.length ? `not an address or CIDR: ${wrong.join(', ')}` : entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export type Env = z.infer<typeof EnvSchema>;

export type Config = Omit<Env, 'MAIL_TRANSPORT' | 'STAFF_SECOND_FACTOR'> & {
  MAIL_TRANSPORT: 'smtp' | 'log';
  STAFF_SECOND_FACTOR: 'required' | 'optional';
  /** `postgres` when DATABASE_URL is set, else embedded PGlite (`memory://` keeps nothing). */
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; a wrong value names the variable. Blank values count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in EnvSchema.shape && v !== undefined && v.trim() !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !e.JWT_SECRET) {
    throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required when DATABASE_URL is set (at least 32 characters)');
  }
  if (e.DATABASE_URL && !e.AUDIT_SIGNING_KEY) {
    throw new ConfigError('Invalid configuration:\n  AUDIT_SIGNING_KEY: required when DATABASE_URL is set (generate one with `npm run cli -- audit-keygen <origin>`)');
  }
  const kids = [...(e.STATEMENT_SIGNING_KEY ? [e.STATEMENT_SIGNING_KEY.kid] : []), ...e.STATEMENT_RETIRED_KEYS.map((k) => k.kid)];
  if (new Set(kids).size !== kids.length) {
    throw new ConfigError("Invalid configuration:\n  STATEMENT_RETIRED_KEYS: every key needs a kid of its own, none the same as STATEMENT_SIGNING_KEY's");
  }
  if (e.MAIL_TRANSPORT === 'smtp' && !e.SMTP_URL) {
    throw new ConfigError('Invalid configuration:\n  MAIL_TRANSPORT: smtp needs SMTP_URL (an smtp:// or smtps:// URL)');
  }
  // The log transport writes every link and code to the log: fine on a laptop, not for real people.
  if (e.NODE_ENV === 'production' && !e.SMTP_URL && e.MAIL_TRANSPORT !== 'log') {
    throw new ConfigError('Invalid configuration:\n  SMTP_URL: required when NODE_ENV=production (or set MAIL_TRANSPORT=log to write mail to the log on purpose)');
  }
  return {
    ...e,
    MAIL_TRANSPORT: e.MAIL_TRANSPORT ?? (e.SMTP_URL ? 'smtp' : 'log'),
    STAFF_SECOND_FACTOR: e.STAFF_SECOND_FACTOR ?? (env.NODE_ENV === 'production' ? 'required' : 'optional'),
    database: e.DATABASE_URL ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'pglite', dataDir: e.DATA_DIR },
  };
}

/**
 * TRUST_PROXY as Fastify's `trustProxy`. A hop count becomes a function because Fastify 5 takes a
 * bare number to trust nobody; it trusts the nearest hops whoever they are, so it is only safe when
 * clients cannot reach the API except through those proxies (else list their addresses).
 */
/** The per-IP limit every public register route and page shares. */
export const publicRateLimit = (config: Pick<Config, 'RATE_LIMIT_PUBLIC_PER_MINUTE'>) => ({ max: config.RATE_LIMIT_PUBLIC_PER_MINUTE, timeWindow: '1 minute' });

export function trustProxyOption(setting: Config['TRUST_PROXY']): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.ts';
import { logKey, type LogKey } from '../../src/lib/audit-signing-key.ts';
import type { SealResult } from '../../src/modules/audit/sealer.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { normaliseEmail } from '../../schemas/auth.ts';
import type { Database } from '../../src/db/client.ts';
import { mediators, users } from '../../src/db/schema.ts';
import type { Body, Role } from '../../src/domain/vocabulary.ts';
import type { RequestContext } from '../../src/lib/context.ts';
import { createAuthService } from '../../src/modules/auth/auth-service.ts';
import type { MailTransport } from '../../src/modules/notifications/mail-transport.ts';
import { dbKinds, freshDatabase, type DbKind } from './database.ts';
import { mailedSecret } from './mail.ts';

/** A clock the test moves by hand. */
export function testClock(start = '2025-06-02T10:00:00Z') {
  let now = new Date(start);
  const clock = () => new Date(now);
  clock.set = (iso: string) => {
    now = new Date(iso);
  };
  clock.advanceDays = (days: number) => {
    now = new Date(now.getTime() + days * 86_400_000);
  };
  return clock;
}
export type TestClock = ReturnType<typeof testClock>;

export const testConfig = (env: Record<string, string> = {}): Config =>
  loadConfig({
    DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_AUTH_PER_MINUTE: '10000',
    LOGIN_FAILURES_PER_ADDRESS: '10000',
    LOGIN_FAILURES_PER_ACCOUNT: '10000',
    COMPLIANCE_CRON: 'off',
    STATEMENT_SIGNING_KEY,
    ...env,
  });

export const JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';
/** The audit log's signing key for processes the tests start on PostgreSQL (required there, like JWT_SECRET). */
export const AUDIT_SIGNING_KEY = 'PRIVATE+KEY+test.send-register.invalid/audit+047a2391+AfeZmpYCUZ/uwjl20vhIkcbrAwQ+fzwjo7sMcNUg2v3M';
/** The status statements' signing key (an Ed25519 private JWK), shared by every instance like the audit key. */
export const STATEMENT_SIGNING_KEY =
  '{"kid":"SyRHvzG1QiU_b74PqQIlw5BgkQC93cLS7OtGrV50S8U","kty":"OKP","crv":"Ed25519","x":"52plExfbhuQWTOTHiEBL0LmDrLsg76qIvMGAGqxrC8Q","d":"QydWmEgMaodLrB9_kXnAnnFO8KwRthCyc72WhSdBqo8"}';

export interface TestApp {
  kind: DbKind;
  app: FastifyInstance;
  database: Database;
  /** PostgreSQL only: a URL another pool or process can open, as a second instance would. */
  databaseUrl?: string;
  config: Config;
  clock: TestClock;
  /** `app.inject` with a bearer token and JSON body shorthand. */
  request(opts: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  /** Registers a mediator through the API, follows the emailed verification link, and signs them in. */
  mediator(email?: string, fullName?: string): Promise<{ token: string; userId: string; mediatorId: string; email: string }>;
  /** Creates a staff account directly (as the CLI does) and signs it in. */
  staff(role: Exclude<Role, 'mediator'>, body?: Body | null, email?: string): Promise<{ token: string; userId: string; email: string }>;
  /** A second app on the same database (another "instance"). */
  sibling(): Promise<FastifyInstance>;
  /** The audit log's key (every instance on this database shares it). */
  auditKey: LogKey;
  /** Seals every committed audit event into the log and signs a checkpoint, as the sealer loop does every few seconds. */
  seal(): Promise<SealResult>;
}

let seq = 0;
// Not a famous example phrase (those are the first an attacker tries), and strong by the register's rule.
const PASSWORD = 'quiet otter maps seven lanterns';

/** Builds the app on a fresh database; everything is closed and dropped when the test ends. */
export async function buildTestApp(t: Test, kind: DbKind, opts: { env?: Record<string, string>; clock?: TestClock; mailTransport?: MailTransport } = {}): Promise<TestApp> {
  const fresh = await freshDatabase(kind);
  const config = testConfig(opts.env);
  const clock = opts.clock ?? testClock();
  const apps: FastifyInstance[] = [];
  // Every instance of a deployment shares AUDIT_SIGNING_KEY.
  const auditKey = logKey(AUDIT_SIGNING_KEY);
  const make = async () => {
    const a = await buildApp(config, { database: fresh.database, jwtSecret: JWT_SECRET, clock, mailTransport: opts.mailTransport, auditKey });
    apps.push(a);
    return a;
  };
  const app = await make();
  t.teardown(async () => {
    for (const a of apps) await a.close();
    await fresh.drop();
  });

  const request: TestApp['request'] = ({ token, ...opts }) => app.inject({ ...opts, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(opts.headers ?? {}) } });

  const login = async (email: string) => {
    const res = await request({ method: 'POST', url: '/v1/auth/login', payload: { email, password: PASSWORD } });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return res.json().accessToken as string;
  };

  return {
    kind,
    app,
    database: fresh.database,
    databaseUrl: fresh.url,
    config,
    clock,
    request,
    async mediator(email = `mediator${++seq}@example.org`, fullName = `Mediator ${seq}`) {
      const res = await request({ method: 'POST', url: '/v1/auth/register', payload: { email, password: PASSWORD, fullName } });
      if (res.statusCode !== 202) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
      const token = await mailedSecret(fresh.database.db, email, 'verify_email');
      const verified = await request({ method: 'POST', url: '/v1/auth/verify', payload: { token, password: PASSWORD } });
      if (verified.statusCode !== 201) throw new Error(`verify failed: ${verified.statusCode} ${verified.body}`);
      const [me] = await fresh.database.db
        .select({ userId: users.id, mediatorId: mediators.id })
        .from(users)
        .innerJoin(mediators, eq(mediators.userId, users.id))
        .where(eq(users.email, normaliseEmail(email)));
      return { token: await login(email), userId: me!.userId, mediatorId: me!.mediatorId, email };
    },
    async staff(role, body = null, email = `${role}${++seq}@example.org`) {
      const auth = createAuthService({
        db: fresh.database.db,
        clock,
        signAccessToken: () => '',
        accessTokenTtlSeconds: 900,
        refreshTokenTtlDays: 30,
      });
      const ctx: RequestContext = { actor: { type: 'system' }, requestId: null };
      const user = await auth.createStaffAccount(ctx, { email, password: PASSWORD, role, body: role === 'admin' ? (body ?? 'com') : body, fullName: `${role} ${seq}` });
      return { token: await login(email), userId: user.id, email };
    },
    sibling: make,
    auditKey,
    async seal() {
      // The sealer takes only transactions older than every one running on the server (other test
      // databases' too): pass again until every committed event is in.
      const deadline = Date.now() + 30_000;
      const total: SealResult = { sealer: true, sealed: 0, signed: null };
      for (;;) {
        const pass = await app.auditSealer.seal({ checkpoint: 'now' });
        total.sealed += pass.sealed;
        total.signed = pass.signed ?? total.signed;
        total.sealer &&= pass.sealer;
        if ((await app.auditSealer.refreshStatus()).unsealedEvents === 0 || Date.now() > deadline) return total;
        await sleep(20);
      }
    },
  };
}

export { PASSWORD };

/** Runs the body once per database kind, each in its own subtest with its own fresh database. */
export async function eachDatabase(t: Test, fn: (t: Test, kind: DbKind) => Promise<void>) {
  for (const kind of dbKinds()) await t.test(kind, (tt) => fn(tt, kind));
}

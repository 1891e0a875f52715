import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { CounterStore } from '../lib/counter-store.ts';
import type { SessionVersions } from './auth/session-versions.ts';
import type { LogKey } from '../lib/audit-signing-key.ts';
import type { Sealer } from './audit/sealer.ts';
import type { MailTransport } from './notifications/mail-transport.ts';
import type { RegisterService } from './register/register-service.ts';

/** What every module is given. */
export interface ModuleDeps {
  db: Db;
  clock: Clock;
  config: Config;
}

/** The few services built once per app and shared by the modules that need them (each names its own). */
export interface SharedServices {
  /** This instance's session-version cache (plugins/access.ts checks every token against it). */
  sessions: SessionVersions;
  /** The store of shared limits (request rates, failed sign-ins, mail allowances). */
  counters: CounterStore;
  /** Where links in emails point: PUBLIC_URL, else where this process listens (read late: the port may be chosen at listen). */
  publicUrl: () => string;
  /** The server's secret: form tokens and, without TOTP_ENCRYPTION_KEY, the second factor's key derive from it. */
  jwtSecret: string;
  /** Where the outbox sender delivers, when the app is given one (tests); else MAIL_TRANSPORT. */
  mailTransport: MailTransport | undefined;
  /** This instance's audit log sealer (its status: lag, refusal). */
  sealer: Sealer;
  /** The audit log's key pair. */
  auditKey: LogKey;
  /** The public register's reads, one per app so its kept searches are shared by the API and the pages. */
  register: RegisterService;
  /** Whether the database answers. */
  ping: () => Promise<void>;
}

/**
 * A module: a Fastify plugin that builds its own services and registers its routes and lifecycle
 * hooks. app.ts lists the modules, giving each `ModuleDeps` and the shared services it names.
 */
export type Module<Shared extends keyof SharedServices = never> = FastifyPluginAsyncZod<ModuleDeps & Pick<SharedServices, Shared>>;

import fastifyJwt from '@fastify/jwt';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { trustProxyOption, type Config } from './config.ts';
import type { Database } from './db/client.ts';
import { resolveAuditSigningKey, type LogKey } from './lib/audit-signing-key.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { createPgCounterStore } from './lib/pg-counter-store.ts';
import { publicBaseUrl } from './lib/public-url.ts';
import { openRedisCounterStore } from './lib/redis-counter-store.ts';
import { loggableUrl } from './lib/loggable-url.ts';
import { requestIdFrom } from './lib/request-id.ts';
import { accountPagesModule } from './modules/account-pages/account-pages-routes.ts';
import { applicationsModule } from './modules/applications/applications-routes.ts';
import { auditModule } from './modules/audit/audit-routes.ts';
import { createSealer } from './modules/audit/sealer.ts';
import { authModule } from './modules/auth/auth-routes.ts';
import { createSessionVersions } from './modules/auth/session-versions.ts';
import { complianceModule } from './modules/compliance/compliance-routes.ts';
import { healthModule } from './modules/health/health-routes.ts';
import { importsModule } from './modules/imports/imports-routes.ts';
import { logsModule } from './modules/logs/log-routes.ts';
import { mediatorsModule } from './modules/mediators/mediators-routes.ts';
import type { ModuleDeps } from './modules/module.ts';
import { createRegisterService } from './modules/register/register-service.ts';
import type { MailTransport } from './modules/notifications/mail-transport.ts';
import { notificationsModule } from './modules/notifications/notifications-routes.ts';
import { profileModule } from './modules/profile/profile-routes.ts';
import { publicPagesModule } from './modules/public-pages/public-pages-routes.ts';
import { registerChangesModule } from './modules/register/changes-routes.ts';
import { registerModule } from './modules/register/register-routes.ts';
import { registerStatsModule } from './modules/register/stats-routes.ts';
import { ruleSetsModule } from './modules/rule-sets/rule-sets-routes.ts';
import { publicRulesModule } from './modules/rule-sets/rules-routes.ts';
import { settingsModule } from './modules/settings/settings-routes.ts';
import { setupModule } from './modules/setup/setup-routes.ts';
import { statementsModule } from './modules/statements/statement-routes.ts';
import { trainingProvidersModule } from './modules/training-providers/training-providers-routes.ts';
import { usersModule } from './modules/users/users-routes.ts';
import { acceptableToken, registerAccessControl } from './plugins/access.ts';
import { registerCors } from './plugins/cors.ts';
import { frameworkErrors, registerErrorHandling } from './plugins/errors.ts';
import { registerSecurityHeaders } from './plugins/security-headers.ts';
import { registerSecondFactorGate } from './plugins/second-factor-gate.ts';
import { endConnectionsWhenClosing } from './plugins/drain.ts';
import { metricsRoutes, registerMetrics } from './plugins/metrics.ts';
import { registerNoStore } from './plugins/no-store.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { registerRateLimits } from './plugins/rate-limit.ts';
import { refuseUndeclaredBodies } from './plugins/request-body.ts';

export interface AppDeps {
  database: Database;
  jwtSecret: string;
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
  /** Signs the audit log's checkpoints; default from AUDIT_SIGNING_KEY or the data directory (resolveAuditSigningKey). */
  auditKey?: LogKey;
  /** Where the outbox sender delivers; default MAIL_TRANSPORT (SMTP or the log). */
  mailTransport?: MailTransport;
}

/** Builds the whole API on a database; never listens (server.ts and tests do that). */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const { db } = deps.database;
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(config.TRUST_PROXY),
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors,
    // One line per request (below) instead of Fastify's two: logging was half the cost of a cheap request.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  endConnectionsWhenClosing(app);
  app.addHook('onResponse', async (req, reply) => {
    req.log.info({ method: req.method, url: loggableUrl(req.url), statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });
  const auditKey = deps.auditKey ?? resolveAuditSigningKey(config);
  // Every instance runs a sealer (one at a time seals); only a listening process runs its loop.
  const sealer = createSealer({
    db,
    key: auditKey,
    checkpointIntervalMs: config.AUDIT_CHECKPOINT_INTERVAL_MS,
    onError: (err, message) => app.log.error({ err }, message),
  });
  app.addHook('onListen', async () => sealer.start(config.AUDIT_SEAL_INTERVAL_MS));
  app.addHook('onClose', () => sealer.stop());
  app.decorate('auditSealer', sealer);
  const modules: ModuleDeps = { db, clock, config };
  // One per app: the API and the pages share its kept searches, and the metrics read them.
  const register = createRegisterService(modules);
  const metrics = registerMetrics(app, { database: deps.database, sealer, register });

  registerSecurityHeaders(app, {
    helmet: { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'] } } },
    publicUrl: config.PUBLIC_URL,
  });
  await registerCors(app);
  // One store for every shared limit (request rates, failed sign-ins), chosen once from config.
  const counters = config.REDIS_URL ? await openRedisCounterStore(config.REDIS_URL, clock, (err) => app.log.warn({ err }, 'Redis (shared limits) unavailable')) : createPgCounterStore(db, clock);
  app.addHook('onClose', () => counters.close());
  // Every access token is checked against its account's session version, cached and kept fresh by LISTEN.
  const sessions = createSessionVersions(deps.database, {
    onError: (err) => app.log.warn({ err }, 'session version announcements not heard: tokens are checked against the database until they are'),
  });
  app.addHook('onClose', () => sessions.close());
  await registerRateLimits(app, counters);
  await app.register(fastifyJwt, {
    secret: deps.jwtSecret,
    sign: { algorithm: 'HS256', iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE, expiresIn: config.ACCESS_TOKEN_TTL_SECONDS },
    // Claims that are absent are otherwise not checked at all (fast-jwt validates only those present).
    verify: { algorithms: ['HS256'], allowedIss: config.JWT_ISSUER, allowedAud: config.JWT_AUDIENCE, requiredClaims: ['exp', 'iat', 'iss', 'aud', 'sub'] },
    trusted: acceptableToken(config.ACCESS_TOKEN_TTL_SECONDS),
  });
  await registerOpenApi(app);

  // Read late: the port may be chosen at listen.
  const publicUrl = () => publicBaseUrl(config, app.server.address());
  const { jwtSecret, mailTransport } = deps;

  // Every route below must declare who may call it (plugins/access.ts).
  app.decorate('routeTable', []);
  await app.register(async (api) => {
    registerAccessControl(api, app.routeTable, sessions);
    if (config.STAFF_SECOND_FACTOR === 'required') registerSecondFactorGate(api);
    registerNoStore(api);
    refuseUndeclaredBodies(api);
    api.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
    await api.register(healthModule, { ...modules, ping: deps.database.ping, sealer });
    await api.register(metricsRoutes, { metrics, token: config.METRICS_TOKEN });
    await api.register(authModule, { ...modules, sessions, counters, publicUrl, jwtSecret });
    await api.register(setupModule, { ...modules, publicUrl });
    await api.register(accountPagesModule, { ...modules, counters, publicUrl, jwtSecret });
    await api.register(usersModule, { ...modules, sessions });
    await api.register(auditModule, { ...modules, auditKey });
    await api.register(notificationsModule, { ...modules, mailTransport });
    await api.register(complianceModule, modules);
    await api.register(profileModule, modules);
    await api.register(trainingProvidersModule, modules);
    await api.register(applicationsModule, modules);
    await api.register(mediatorsModule, modules);
    await api.register(logsModule, modules);
    await api.register(ruleSetsModule, modules);
    await api.register(publicRulesModule, modules);
    await api.register(settingsModule, modules);
    await api.register(importsModule, { ...modules, publicUrl });
    await api.register(registerStatsModule, modules);
    await api.register(registerModule, { ...modules, register });
    await api.register(statementsModule, { ...modules, publicUrl, register });
    await api.register(registerChangesModule, modules);
    await api.register(publicPagesModule, { ...modules, register });
  });

  return app;
}

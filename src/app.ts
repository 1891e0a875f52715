import fastifyJwt from '@fastify/jwt';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { trustProxyOption, type Config } from './config.ts';
import type { Database } from './db/client.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { createPgCounterStore } from './lib/pg-counter-store.ts';
import { publicBaseUrl } from './lib/public-url.ts';
import { openRedisCounterStore } from './lib/redis-counter-store.ts';
import { loggableUrl } from './lib/loggable-url.ts';
import { requestIdFrom } from './lib/request-id.ts';
import { createAuthService } from './modules/auth/auth-service.ts';
import { createSessionVersions } from './modules/auth/session-versions.ts';
import { createPasswordResetService } from './modules/auth/password-reset-service.ts';
import { createRegistrationService } from './modules/auth/registration-service.ts';
import { authRoutes } from './modules/auth/auth-routes.ts';
import { accountPagesRoutes } from './modules/account-pages/account-pages-routes.ts';
import { secondFactorRoutes } from './modules/auth/second-factor-routes.ts';
import { createSecondFactorService } from './modules/auth/second-factor-service.ts';
import { healthRoutes } from './modules/health/health-routes.ts';
import { createClaimService } from './modules/auth/claim-service.ts';
import { importsRoutes } from './modules/imports/imports-routes.ts';
import { createImportsService } from './modules/imports/imports-service.ts';
import { applicationsRoutes } from './modules/applications/applications-routes.ts';
import { createApplicationsService } from './modules/applications/applications-service.ts';
import { mediatorsRoutes } from './modules/mediators/mediators-routes.ts';
import { createMediatorsService } from './modules/mediators/mediators-service.ts';
import { profileRoutes } from './modules/profile/profile.ts';
import { trainingProvidersRoutes } from './modules/training-providers/training-providers.ts';
import { publicPagesRoutes } from './modules/public-pages/public-pages-routes.ts';
import { registerRoutes } from './modules/register/register-routes.ts';
import { createRegisterService } from './modules/register/register-service.ts';
import { auditRoutes } from './modules/audit/audit-routes.ts';
import { createAuditService } from './modules/audit/audit-service.ts';
import { logTransport, smtpTransport, type MailTransport } from './modules/notifications/mail-transport.ts';
import { notificationsRoutes } from './modules/notifications/notifications-routes.ts';
import { createNotificationsService } from './modules/notifications/notifications-service.ts';
import { createOutboxSender } from './modules/notifications/outbox-sender.ts';
import { createUsersService } from './modules/users/users-service.ts';
import { usersRoutes } from './modules/users/users-routes.ts';
import { createComplianceJob } from './modules/compliance/compliance-job.ts';
import { scheduleCompliance } from './modules/compliance/schedule.ts';
import { complianceRoutes } from './modules/compliance/compliance-routes.ts';
import { createComplianceService } from './modules/compliance/compliance-service.ts';
import { cpdRoutes } from './modules/logs/cpd-routes.ts';
import { createCpdService } from './modules/logs/cpd-service.ts';
import { practiceRoutes } from './modules/logs/practice-routes.ts';
import { createPracticeService } from './modules/logs/practice-service.ts';
import { complianceViewRoutes } from './modules/compliance/view-routes.ts';
import { createComplianceViewService } from './modules/compliance/view-service.ts';
import { ruleSetsRoutes } from './modules/rule-sets/rule-sets-routes.ts';
import { settingsRoutes } from './modules/settings/settings-routes.ts';
import { createSettingsService } from './modules/settings/settings-service.ts';
import { setupRoutes } from './modules/setup/setup-routes.ts';
import { createSetupService } from './modules/setup/setup-service.ts';
import { createRuleSetsService } from './modules/rule-sets/rule-sets-service.ts';
import { acceptableToken, registerAccessControl } from './plugins/access.ts';
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
  const metrics = registerMetrics(app, { database: deps.database });

  registerSecurityHeaders(app, {
    helmet: { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'] } } },
    publicUrl: config.PUBLIC_URL,
  });
  // One store for every shared limit (request rates, failed sign-ins), chosen once from config.
  const counters = config.REDIS_URL
    ? await openRedisCounterStore(config.REDIS_URL, clock, (err) => app.log.warn({ err }, 'Redis (shared limits) unavailable'))
    : createPgCounterStore(db, clock);
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

  // The TOTP key is TOTP_ENCRYPTION_KEY when set (so the JWT secret can be rotated without staff enrolling again).
  const secondFactor = createSecondFactorService({ db, clock, counters, keyMaterial: config.TOTP_ENCRYPTION_KEY ?? deps.jwtSecret });
  const auth = createAuthService({
    db,
    clock,
    signAccessToken: (claims) => app.jwt.sign(claims),
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
    failedLogins: { perAddress: config.LOGIN_FAILURES_PER_ADDRESS, perAccount: config.LOGIN_FAILURES_PER_ACCOUNT },
    counters,
    secondFactor,
    sessions,
  });

  // Links in emails: PUBLIC_URL, else where this process listens (read late: the port may be chosen at listen).
  const publicUrl = () => publicBaseUrl(config, app.server.address());
  const registration = createRegistrationService({ db, clock, publicUrl, ttlHours: config.VERIFICATION_TTL_HOURS, counters });
  const passwordReset = createPasswordResetService({ db, clock, publicUrl, counters });

  const setup = createSetupService({ db, clock, auth });
  app.addHook('onListen', async () => {
    const token = await setup.issueLink();
    if (token) app.log.warn({ setupUrl: `${publicUrl()}/setup?code=${token}` }, 'No registrar yet: open the setup link once to create the first one');
  });

  const complianceJob = createComplianceJob({ db, clock });
  const stopComplianceSchedule = scheduleCompliance({
    cron: config.COMPLIANCE_CRON,
    clock,
    run: complianceJob.runCompliance,
    onError: (err) => app.log.error({ err }, 'scheduled compliance run failed'),
  });
  app.addHook('onClose', async () => stopComplianceSchedule());

  // The sender runs only in a listening process (not in app.inject tests or CLI commands).
  const outbox = createOutboxSender({
    db,
    transport: deps.mailTransport ?? (config.MAIL_TRANSPORT === 'smtp' ? smtpTransport(config.SMTP_URL!, config.MAIL_FROM) : logTransport(app.log)),
    onError: (err) => app.log.error({ err }, 'outbox delivery failed'),
  });
  app.addHook('onListen', async () => outbox.start(config.OUTBOX_POLL_MS));
  app.addHook('onClose', async () => outbox.stop());

  // Every route below must declare who may call it (plugins/access.ts).
  app.decorate('routeTable', []);
  await app.register(async (api) => {
    registerAccessControl(api, app.routeTable, sessions);
    if (config.STAFF_SECOND_FACTOR === 'required') registerSecondFactorGate(api);
    registerNoStore(api);
    refuseUndeclaredBodies(api);
    api.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
    await api.register(healthRoutes, { ping: deps.database.ping });
    await api.register(metricsRoutes, { metrics, token: config.METRICS_TOKEN });
    await api.register(authRoutes, { auth, registration, passwordReset, authPerMinute: config.RATE_LIMIT_AUTH_PER_MINUTE });
    await api.register(secondFactorRoutes, { secondFactor, required: config.STAFF_SECOND_FACTOR === 'required' });
    await api.register(setupRoutes, { setup });
    await api.register(accountPagesRoutes, {
      claims: createClaimService({ db, clock }),
      registration,
      passwordReset,
      secret: deps.jwtSecret,
      publicUrl: config.PUBLIC_URL,
      authPerMinute: config.RATE_LIMIT_AUTH_PER_MINUTE,
    });
    await api.register(usersRoutes, { users: createUsersService({ db, clock, sessions }) });
    await api.register(auditRoutes, { audit: createAuditService({ db }) });
    await api.register(notificationsRoutes, { notifications: createNotificationsService({ db }) });
    await api.register(complianceRoutes, { compliance: createComplianceService({ db, clock, job: complianceJob }) });
    await api.register(profileRoutes, { db, clock });
    await api.register(trainingProvidersRoutes, { db });
    await api.register(applicationsRoutes, { applications: createApplicationsService({ db, clock }) });
    await api.register(mediatorsRoutes, { mediators: createMediatorsService({ db, clock }) });
    await api.register(cpdRoutes, { cpd: createCpdService({ db, clock }) });
    await api.register(practiceRoutes, { practice: createPracticeService({ db, clock }) });
    await api.register(complianceViewRoutes, { complianceView: createComplianceViewService({ db, clock }) });
    await api.register(ruleSetsRoutes, { ruleSets: createRuleSetsService({ db, clock }) });
    await api.register(settingsRoutes, { settings: createSettingsService({ db, clock }) });
    await api.register(importsRoutes, {
      imports: createImportsService({ db, clock, publicUrl }),
      claims: createClaimService({ db, clock }),
      bodyLimit: config.IMPORT_BODY_LIMIT_BYTES,
      authPerMinute: config.RATE_LIMIT_AUTH_PER_MINUTE,
    });
    const register = createRegisterService({ db });
    await api.register(registerRoutes, { register, perMinute: config.RATE_LIMIT_PUBLIC_PER_MINUTE });
    await api.register(publicPagesRoutes, { register, perMinute: config.RATE_LIMIT_PUBLIC_PER_MINUTE });
  });

  return app;
}

import { z } from 'zod';
import {
  AcceptedSchema,
  LoginBodySchema,
  MeSchema,
  PasswordResetConfirmSchema,
  PasswordResetRequestSchema,
  RefreshBodySchema,
  RegisterBodySchema,
  TokenPairSchema,
  VerifiedSchema,
  VerifyBodySchema,
} from '../../../schemas/auth.ts';
import { ProblemSchema, problemResponses } from '../../../schemas/common.ts';
import { ClaimBodySchema } from '../../../schemas/imports.ts';
import { userContext, type RequestContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createAuthService } from './auth-service.ts';
import { createLinkServices } from './link-services.ts';
import { secondFactorRoutes } from './second-factor-routes.ts';
import { createSecondFactorService } from './second-factor-service.ts';

const CHECK_EMAIL = { accepted: true as const, message: 'Check your email: if the address can be used, a message with a link is on its way.' };

/** Accounts and sessions: sign-up, emailed links, sign-in and out, the second factor. */
export const authModule: Module<'sessions' | 'counters' | 'publicUrl' | 'jwtSecret'> = async (app, deps) => {
  const { db, clock, config, counters, sessions } = deps;
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
  const { registration, passwordReset, claims } = createLinkServices(deps);
  await app.register(secondFactorRoutes, { secondFactor, required: config.STAFF_SECOND_FACTOR === 'required' });

  // Per IP here; failed logins are also counted per account in the service.
  const perIp = { max: config.RATE_LIMIT_AUTH_PER_MINUTE, timeWindow: '1 minute' };

  /** A request answered the same whatever the address (202): what happens is told by email. */
  const toldByEmail = <Body>(url: string, schema: { summary: string; description: string; body: z.ZodType<Body> }, send: (ctx: RequestContext, body: Body) => Promise<void>) =>
    app.post(url, {
      config: { access: 'public', rateLimit: perIp },
      schema: { tags: ['auth'], ...schema, response: { 202: AcceptedSchema, ...problemResponses } },
      handler: async (req, reply) => {
        // Validated by `schema.body`; the type provider cannot follow a generic schema.
        await send(req.ctx, req.body as Body);
        return reply.code(202).send(CHECK_EMAIL);
      },
    });

  toldByEmail(
    '/v1/auth/register',
    {
      summary: 'Ask for a mediator account: a verification link is emailed',
      description: 'Always 202 with the same body, whether or not the address has an account (an existing account is told by email instead). No account exists until the link is followed.',
      body: RegisterBodySchema,
    },
    registration.register,
  );

  app.post('/v1/auth/verify', {
    config: { access: 'public', rateLimit: perIp },
    schema: {
      tags: ['auth'],
      summary: 'Create the account of a registration from its emailed link',
      description: 'The password chosen when registering must be given again. 409 when the address has an account by now (sign in or reset the password).',
      body: VerifyBodySchema,
      response: { 201: VerifiedSchema, ...problemResponses },
    },
    handler: async (req, reply) => reply.code(201).send(await registration.verify(req.ctx, req.body)),
  });

  toldByEmail(
    '/v1/auth/password-reset',
    {
      summary: 'Ask for a password reset link by email',
      description: 'Always 202 with the same body, whether or not the address has an account. A grandfathered member who never claimed their account may use it to set a first password.',
      body: PasswordResetRequestSchema,
    },
    (ctx, body) => passwordReset.request(ctx, body.email),
  );

  app.post('/v1/auth/password-reset/confirm', {
    config: { access: 'public', rateLimit: perIp },
    schema: {
      tags: ['auth'],
      summary: 'Set a new password with an emailed reset link (single use, one hour); signs out everywhere',
      body: PasswordResetConfirmSchema,
      response: { 200: VerifiedSchema, ...problemResponses },
    },
    handler: async (req) => passwordReset.reset(req.ctx, req.body),
  });

  app.post('/v1/auth/claim', {
    config: { access: 'public', rateLimit: perIp },
    schema: {
      tags: ['auth'],
      summary: 'Claim a grandfathered account: set the first password with a claim code',
      body: ClaimBodySchema,
      response: { 200: z.object({ claimed: z.literal(true), email: z.string() }), ...problemResponses },
    },
    handler: async (req) => claims.claim(req.ctx, req.body.token, req.body.password),
  });

  app.post('/v1/auth/login', {
    config: { access: 'public', rateLimit: perIp },
    schema: {
      tags: ['auth'],
      summary: 'Sign in: an access and a refresh token',
      body: LoginBodySchema,
      response: { 200: TokenPairSchema, ...problemResponses, 401: ProblemSchema, 403: ProblemSchema },
    },
    handler: async (req) => auth.login(req.ctx, req.body.email, req.body.password, req.body.otp),
  });

  app.post('/v1/auth/refresh', {
    config: { access: 'public', rateLimit: { ...perIp, max: perIp.max * 6 } },
    schema: { tags: ['auth'], summary: 'Exchange a refresh token for a new pair (single use)', body: RefreshBodySchema, response: { 200: TokenPairSchema, ...problemResponses, 401: ProblemSchema } },
    handler: async (req) => auth.refresh(req.body.refreshToken),
  });

  app.post('/v1/auth/logout', {
    config: { access: 'authenticated', beforeSecondFactor: true },
    schema: { tags: ['auth'], summary: 'Revoke a refresh token and every token rotated from it', body: RefreshBodySchema, response: { 204: z.undefined(), ...problemResponses } },
    handler: async (req, reply) => {
      await auth.logout(userContext(req), req.body.refreshToken);
      return reply.code(204).send();
    },
  });

  app.post('/v1/auth/logout-all', {
    config: { access: 'authenticated', beforeSecondFactor: true },
    schema: {
      tags: ['auth'],
      summary: 'Sign out everywhere: every access and refresh token of the account stops working, this one included',
      response: { 204: z.undefined(), ...problemResponses },
    },
    handler: async (req, reply) => {
      await auth.logoutAll(userContext(req));
      return reply.code(204).send();
    },
  });

  app.get('/v1/me', {
    config: { access: 'authenticated', beforeSecondFactor: true },
    schema: { tags: ['auth'], summary: 'The signed-in account', response: { 200: MeSchema, ...problemResponses } },
    handler: async (req) => auth.me(userContext(req).actor.id),
  });
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
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
import { problemResponses } from '../../../schemas/common.ts';
import type { AuthService } from './auth-service.ts';
import type { PasswordResetService } from './password-reset-service.ts';
import type { RegistrationService } from './registration-service.ts';

export interface AuthRoutesOptions {
  auth: AuthService;
  registration: RegistrationService;
  passwordReset: PasswordResetService;
  authPerMinute: number;
}

const CHECK_EMAIL = { accepted: true as const, message: 'Check your email: if the address can be used, a message with a link is on its way.' };

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, { auth, registration, passwordReset, authPerMinute }) => {
  // Per IP here; failed logins are also counted per account in the service.
  const perIp = { max: authPerMinute, timeWindow: '1 minute' };

  app.post('/v1/auth/register', {
    config: { access: 'public', rateLimit: perIp },
    schema: {
      tags: ['auth'],
      summary: 'Ask for a mediator account: a verification link is emailed',
      description: 'Always 202 with the same body, whether or not the address has an account (an existing account is told by email instead). No account exists until the link is followed.',
      body: RegisterBodySchema,
      response: { 202: AcceptedSchema, ...problemResponses },
    },
    handler: async (req, reply) => {
      await registration.register(req.ctx, req.body);
      return reply.code(202).send(CHECK_EMAIL);
    },
  });

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

  app.post('/v1/auth/password-reset', {
    config: { access: 'public', rateLimit: perIp },
    schema: {
      tags: ['auth'],
      summary: 'Ask for a password reset link by email',
      description: 'Always 202 with the same body, whether or not the address has an account. A grandfathered member who never claimed their account may use it to set a first password.',
      body: PasswordResetRequestSchema,
      response: { 202: AcceptedSchema, ...problemResponses },
    },
    handler: async (req, reply) => {
      await passwordReset.request(req.ctx, req.body.email);
      return reply.code(202).send(CHECK_EMAIL);
    },
  });

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

  app.post('/v1/auth/login', {
    config: { access: 'public', rateLimit: perIp },
    schema: { tags: ['auth'], summary: 'Sign in: an access and a refresh token', body: LoginBodySchema, response: { 200: TokenPairSchema, ...problemResponses } },
    handler: async (req) => auth.login(req.ctx, req.body.email, req.body.password, req.body.otp),
  });

  app.post('/v1/auth/refresh', {
    config: { access: 'public', rateLimit: { max: authPerMinute * 6, timeWindow: '1 minute' } },
    schema: { tags: ['auth'], summary: 'Exchange a refresh token for a new pair (single use)', body: RefreshBodySchema, response: { 200: TokenPairSchema, ...problemResponses } },
    handler: async (req) => auth.refresh(req.body.refreshToken),
  });

  app.post('/v1/auth/logout', {
    config: { access: 'authenticated', beforeSecondFactor: true },
    schema: { tags: ['auth'], summary: 'Revoke a refresh token and every token rotated from it', security: [{ bearerAuth: [] }], body: RefreshBodySchema, response: { 204: z.undefined(), ...problemResponses } },
    handler: async (req, reply) => {
      await auth.logout(req.ctx, req.body.refreshToken);
      return reply.code(204).send();
    },
  });

  app.post('/v1/auth/logout-all', {
    config: { access: 'authenticated', beforeSecondFactor: true },
    schema: {
      tags: ['auth'],
      summary: 'Sign out everywhere: every access and refresh token of the account stops working, this one included',
      security: [{ bearerAuth: [] }],
      response: { 204: z.undefined(), ...problemResponses },
    },
    handler: async (req, reply) => {
      await auth.logoutAll(req.ctx);
      return reply.code(204).send();
    },
  });

  app.get('/v1/me', {
    config: { access: 'authenticated', beforeSecondFactor: true },
    schema: { tags: ['auth'], summary: 'The signed-in account', security: [{ bearerAuth: [] }], response: { 200: MeSchema, ...problemResponses } },
    handler: async (req) => auth.me(req.ctx.actor.id!),
  });
};

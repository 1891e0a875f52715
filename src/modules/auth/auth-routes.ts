import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LoginBodySchema, MeSchema, RefreshBodySchema, RegisterBodySchema, RegisteredSchema, TokenPairSchema } from '../../../schemas/auth.ts';
import { problemResponses } from '../../../schemas/common.ts';
import type { AuthService } from './auth-service.ts';

export interface AuthRoutesOptions {
  auth: AuthService;
  authPerMinute: number;
}

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, { auth, authPerMinute }) => {
  // Per IP here; failed logins are also counted per account in the service.
  const perIp = { max: authPerMinute, timeWindow: '1 minute' };

  app.post('/v1/auth/register', {
    config: { access: 'public', rateLimit: perIp },
    schema: { tags: ['auth'], summary: 'Create a mediator account', body: RegisterBodySchema, response: { 201: RegisteredSchema, ...problemResponses } },
    handler: async (req, reply) => reply.code(201).send(await auth.register(req.ctx, req.body)),
  });

  app.post('/v1/auth/login', {
    config: { access: 'public', rateLimit: perIp },
    schema: { tags: ['auth'], summary: 'Sign in: an access and a refresh token', body: LoginBodySchema, response: { 200: TokenPairSchema, ...problemResponses } },
    handler: async (req) => auth.login(req.ctx, req.body.email, req.body.password),
  });

  app.post('/v1/auth/refresh', {
    config: { access: 'public', rateLimit: { max: authPerMinute * 6, timeWindow: '1 minute' } },
    schema: { tags: ['auth'], summary: 'Exchange a refresh token for a new pair (single use)', body: RefreshBodySchema, response: { 200: TokenPairSchema, ...problemResponses } },
    handler: async (req) => auth.refresh(req.body.refreshToken),
  });

  app.post('/v1/auth/logout', {
    config: { access: 'authenticated' },
    schema: { tags: ['auth'], summary: 'Revoke a refresh token and every token rotated from it', security: [{ bearerAuth: [] }], body: RefreshBodySchema, response: { 204: z.undefined(), ...problemResponses } },
    handler: async (req, reply) => {
      await auth.logout(req.ctx, req.body.refreshToken);
      return reply.code(204).send();
    },
  });

  app.get('/v1/me', {
    config: { access: 'authenticated' },
    schema: { tags: ['auth'], summary: 'The signed-in account', security: [{ bearerAuth: [] }], response: { 200: MeSchema, ...problemResponses } },
    handler: async (req) => auth.me(req.ctx.actor.id!),
  });
};

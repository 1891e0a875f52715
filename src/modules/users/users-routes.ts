import { IdParamsSchema, page, problemResponses } from '../../../schemas/common.ts';
import { DisabledBodySchema, RoleChangeBodySchema, UserListQuerySchema, UserSchema } from '../../../schemas/users.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createUsersService } from './users-service.ts';

/** Accounts and roles, for the registrar. */
export const usersModule: Module<'sessions'> = async (app, { db, clock, sessions }) => {
  const users = createUsersService({ db, clock, sessions });

  app.get('/v1/admin/users', {
    config: { access: ['registrar'] },
    schema: { tags: ['users'], summary: 'Accounts, by email', querystring: UserListQuerySchema, response: { 200: page(UserSchema), ...problemResponses } },
    handler: async (req) => users.list(req.query),
  });

  app.put('/v1/admin/users/:id/role', {
    config: { access: ['registrar'] },
    schema: { tags: ['users'], summary: "Change an account's role (and body for admins)", params: IdParamsSchema, body: RoleChangeBodySchema, response: { 200: UserSchema, ...problemResponses } },
    handler: async (req) => users.changeRole(userContext(req), req.params.id, req.body),
  });

  app.put('/v1/admin/users/:id/disabled', {
    config: { access: ['registrar'] },
    schema: {
      tags: ['users'],
      summary: 'Disable an account (it cannot sign in, and its tokens stop working at once) or enable it again',
      params: IdParamsSchema,
      body: DisabledBodySchema,
      response: { 200: UserSchema, ...problemResponses },
    },
    handler: async (req) => users.setDisabled(userContext(req), req.params.id, req.body),
  });
};

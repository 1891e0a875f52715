import { IdParamsSchema, page, problemResponses } from '../../../schemas/common.ts';
import { DisabledBodySchema, EraseBodySchema, ErasureSchema, RoleChangeBodySchema, UserListQuerySchema, UserSchema } from '../../../schemas/users.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createUsersService } from './users-service.ts';

/** Accounts and roles, for the registrar. */
export const usersModule: Module<'sessions'> = async (app, { db, clock, config, sessions }) => {
  const users = createUsersService({ db, clock, sessions, retentionYears: config.ERASURE_RETENTION_YEARS });

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

  app.post('/v1/admin/users/:id/erase', {
    config: { access: ['registrar'] },
    schema: {
      tags: ['users'],
      summary: 'Erase a person: their personal data goes, from the audit trail too, and the log stays valid',
      description:
        'For an account with no register entry, or whose entry was removed or lapsed more than `ERASURE_RETENTION_YEARS` ago (else 409 `erasure-not-allowed`), never one’s own. Erases the account’s email (to `erased-<id>@erased.invalid`), name, password, second factor, tokens, links and messages, disables it and ends its sessions; blanks the mediator record’s personal fields and what hangs from it; and deletes the kept personal values of every audit event about the person, which then read `[erased]`. Ids, roles, dates, statuses, every audit event and leaf stay. Erasing an erased account changes nothing.',
      params: IdParamsSchema,
      body: EraseBodySchema,
      response: { 200: ErasureSchema, ...problemResponses },
    },
    handler: async (req) => users.erase(userContext(req), req.params.id, req.body),
  });
};

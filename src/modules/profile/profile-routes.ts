import { problemResponses } from '../../../schemas/common.ts';
import { ProfilePatchSchema, ProfileSchema } from '../../../schemas/mediators.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createProfileService } from './profile-service.ts';

/** The mediator's own profile: the public fields and opt-ins they control. */
export const profileModule: Module = async (app, { db, clock }) => {
  const profile = createProfileService({ db, clock });

  app.get('/v1/me/profile', {
    config: { access: ['mediator'] },
    schema: { tags: ['me'], summary: 'Your register profile', response: { 200: ProfileSchema, ...problemResponses } },
    handler: async (req) => profile.get(userContext(req)),
  });

  app.patch('/v1/me/profile', {
    config: { access: ['mediator'] },
    schema: {
      tags: ['me'],
      summary: 'Change your public details and opt-ins (never status, route, body or dates)',
      body: ProfilePatchSchema,
      response: { 200: ProfileSchema, ...problemResponses },
    },
    handler: async (req) => profile.change(userContext(req), req.body),
  });
};

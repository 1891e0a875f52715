import { publicRateLimit } from '../../config.ts';
import { problemResponses } from '../../../schemas/common.ts';
import { RegisterChangesPageSchema, RegisterChangesQuerySchema } from '../../../schemas/register-changes.ts';
import type { Module } from '../module.ts';
import { createRegisterFeed } from './register-feed.ts';

// Short: a page at the head grows as changes commit. A cached page is never wrong, only late:
// its cursor resumes exactly where its items end.
const CACHE_CONTROL = 'public, max-age=60';

/** The public change feed: how a mirror of the export keeps up with the register. */
export const registerChangesModule: Module = async (app, deps) => {
  const feed = createRegisterFeed(deps);
  const rateLimit = publicRateLimit(deps.config);

  app.get('/v1/register/changes', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['public register'],
      summary: 'Every public change to the register, in order, resumable from any cursor',
      description:
        'Each item carries the entry as it stands now (null once out of public view: delete it). Take the export and its ETag (`"<head>"`), then poll from there: `since` is the cursor of that position (the `nextCursor` of the page that reached it), and each page’s `nextCursor` is where to resume. Applying the items in order (upsert the entry by id, delete on null) to the export as of any cursor gives the export as it is now.',
      querystring: RegisterChangesQuerySchema,
      response: { 200: RegisterChangesPageSchema, 400: problemResponses[400] },
    },
    handler: async (req, reply) => {
      reply.header('cache-control', CACHE_CONTROL);
      return feed.changes(req.query);
    },
  });
};

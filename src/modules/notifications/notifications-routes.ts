import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../../schemas/common.ts';
import { NotificationPageSchema, NotificationQuerySchema } from '../../../schemas/notifications.ts';
import type { NotificationsService } from './notifications-service.ts';

export const notificationsRoutes: FastifyPluginAsyncZod<{ notifications: NotificationsService }> = async (app, { notifications }) => {
  app.get('/v1/admin/notifications', {
    config: { access: ['admin', 'registrar'] },
    schema: {
      tags: ['admin'],
      summary: 'The notification outbox, newest first (an admin sees messages to their body’s mediators)',
      security: [{ bearerAuth: [] }],
      querystring: NotificationQuerySchema,
      response: { 200: NotificationPageSchema, ...problemResponses },
    },
    handler: async (req) => notifications.list(req.ctx, req.query),
  });
};

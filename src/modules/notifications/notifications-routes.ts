import { problemResponses } from '../../../schemas/common.ts';
import { NotificationPageSchema, NotificationQuerySchema } from '../../../schemas/notifications.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { logTransport, smtpTransport } from './mail-transport.ts';
import { createNotificationsService } from './notifications-service.ts';
import { createOutboxSender } from './outbox-sender.ts';

/** The outbox: the admins' list, and the sender that delivers it. */
export const notificationsModule: Module<'mailTransport'> = async (app, { db, config, mailTransport }) => {
  const notifications = createNotificationsService({ db });

  // The sender runs only in a listening process (not in app.inject tests or CLI commands).
  const outbox = createOutboxSender({
    db,
    transport: mailTransport ?? (config.MAIL_TRANSPORT === 'smtp' ? smtpTransport(config.SMTP_URL!, config.MAIL_FROM) : logTransport(app.log)),
    onError: (err) => app.log.error({ err }, 'outbox delivery failed'),
  });
  app.addHook('onListen', async () => outbox.start(config.OUTBOX_POLL_MS));
  app.addHook('onClose', async () => outbox.stop());

  app.get('/v1/admin/notifications', {
    config: { access: ['admin', 'registrar'] },
    schema: {
      tags: ['notifications'],
      summary: 'The notification outbox, newest first (an admin sees messages to their body’s mediators)',
      querystring: NotificationQuerySchema,
      response: { 200: NotificationPageSchema, ...problemResponses },
    },
    handler: async (req) => notifications.list(userContext(req), req.query),
  });
};

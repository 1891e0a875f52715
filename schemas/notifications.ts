import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { notifications } from '../src/db/schema.ts';
import { IdSchema, PageQuerySchema, TimestampSchema, page, text } from './common.ts';

export const DeliveryStatusSchema = z.enum(['pending', 'sent', 'failed']).describe('failed: the sender gave up after its last attempt (see lastError)');

const NotificationRowSchema = createSelectSchema(notifications, {
  createdAt: () => TimestampSchema,
  sendAfter: () => TimestampSchema.describe('Not sent before this time (later after a failed attempt)'),
  sentAt: () => TimestampSchema,
});

/** The row with its delivery status; the message data is left out on purpose: it can carry single-use tokens (account claims). */
export const NotificationSchema = z
  .object({
    ...NotificationRowSchema.pick({ id: true, recipient: true, userId: true, template: true }).shape,
    status: DeliveryStatusSchema,
    ...NotificationRowSchema.pick({ createdAt: true, sendAfter: true, attempts: true, lastError: true, sentAt: true }).shape,
  })
  .meta({ id: 'Notification' });

export const NotificationQuerySchema = PageQuerySchema.extend({
  status: DeliveryStatusSchema.optional(),
  template: text(100).optional(),
  recipient: text(254).optional().describe('Exact email address (any case)'),
  userId: IdSchema.optional(),
});

export const NotificationPageSchema = page(NotificationSchema).meta({ id: 'NotificationPage' });

import { z } from 'zod';
import { IdSchema, PageQuerySchema, TimestampSchema, page, text } from './common.ts';

export const DeliveryStatusSchema = z
  .enum(['pending', 'sent', 'failed'])
  .describe('failed: the sender gave up after its last attempt (see lastError)');

/** The message data is left out on purpose: it can carry single-use tokens (account claims). */
export const NotificationSchema = z
  .object({
    id: IdSchema,
    recipient: z.string(),
    userId: IdSchema.nullable(),
    template: z.string(),
    status: DeliveryStatusSchema,
    createdAt: TimestampSchema,
    sendAfter: TimestampSchema.describe('Not sent before this time (later after a failed attempt)'),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    sentAt: TimestampSchema.nullable(),
  })
  .meta({ id: 'Notification' });

export const NotificationQuerySchema = PageQuerySchema.extend({
  status: DeliveryStatusSchema.optional(),
  template: text(100).optional(),
  recipient: text(254).optional().describe('Exact email address (any case)'),
  userId: IdSchema.optional(),
});

export const NotificationPageSchema = page(NotificationSchema).meta({ id: 'NotificationPage' });

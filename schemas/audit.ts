import { z } from 'zod';
import { ACTOR_TYPES } from '../src/domain/vocabulary.ts';
import { DateSchema, IdSchema, PageQuerySchema, TimestampSchema, page, text } from './common.ts';

export const AuditEventSchema = z
  .object({
    seq: z.number().int().describe('Position in the hash chain'),
    occurredAt: TimestampSchema,
    actor: z.object({
      type: z.enum(ACTOR_TYPES),
      id: IdSchema.nullable(),
      role: z.string().nullable(),
    }),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    before: z.unknown().describe('State before the change (secrets removed), or null'),
    after: z.unknown().describe('State after the change (secrets removed), or null'),
    requestId: z.string().nullable(),
    prevHash: z.string().describe('SHA-256 (hex) of the event before, or 64 zeros for the first'),
    hash: z.string().describe('SHA-256 (hex) of prevHash and this event in canonical JSON'),
  })
  .meta({ id: 'AuditEvent' });

export const AuditQuerySchema = PageQuerySchema.extend({
  entityType: text(100).optional(),
  entityId: text(200).optional(),
  actorId: IdSchema.optional().describe('The user who acted'),
  action: text(100).optional(),
  from: DateSchema.optional().describe('First day included (Europe/London)'),
  to: DateSchema.optional().describe('Last day included (Europe/London)'),
}).refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after `to`', path: ['from'] });

export const AuditPageSchema = page(AuditEventSchema).meta({ id: 'AuditEventPage' });

export const AuditVerificationSchema = z
  .object({
    valid: z.boolean(),
    checked: z.number().int().describe('Events checked, in seq order, up to and including the first break'),
    headHash: z.string().nullable().describe('Hash of the last event when the whole chain is valid (null when empty or broken)'),
    firstBreak: z
      .object({
        seq: z.number().int(),
        reason: z.enum(['prev_hash_mismatch', 'hash_mismatch']).describe('prev_hash_mismatch: an event before it was removed or altered; hash_mismatch: this event was altered'),
        expected: z.string(),
        found: z.string(),
      })
      .nullable(),
  })
  .meta({ id: 'AuditVerification' });

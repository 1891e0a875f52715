import { z } from 'zod';
import { ACTOR_TYPES } from '../src/domain/vocabulary.ts';
import { DateSchema, IdSchema, PageQuerySchema, TimestampSchema, page, text } from './common.ts';

export const AuditEventSchema = z
  .object({
    seq: z.number().int().describe('Order of writing (newest has the largest)'),
    leafIndex: z.number().int().nullable().describe('Position in the transparency log (RFC 9162 leaf index); null until sealed, seconds after writing'),
    occurredAt: TimestampSchema,
    actor: z.object({
      type: z.enum(ACTOR_TYPES),
      id: IdSchema.nullable(),
      role: z.string().nullable(),
    }),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    before: z.unknown().describe('State before the change (secrets removed; "[erased]" where a personal value was erased), or null'),
    after: z.unknown().describe('State after the change (secrets removed; "[erased]" where a personal value was erased), or null'),
    requestId: z.string().nullable(),
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
    checked: z.number().int().describe('Leaves recomputed from their events, up to the first problem'),
    treeSize: z.number().int().describe('Leaves in the stored log'),
    unsealedEvents: z.number().int().describe('Events written but not sealed into the log yet'),
    checkpoint: z.string().nullable().describe('The newest signed checkpoint (a C2SP signed note) when everything checks out'),
    firstProblem: z
      .object({
        problem: z
          .enum(['leaf_missing', 'event_altered', 'personal_value_altered', 'tree_node_altered', 'checkpoint_mismatch', 'checkpoint_not_signed', 'log_truncated'])
          .describe('What does not check out; expected hashes are never shown'),
        leafIndex: z.number().int().nullable(),
        seq: z.number().int().nullable(),
        detail: z.string(),
      })
      .nullable(),
  })
  .meta({ id: 'AuditVerification' });

const Base64Hash = z.base64().describe('SHA-256, base64');

export const LeafIndexParamsSchema = z.strictObject({ leafIndex: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });

export const InclusionQuerySchema = z.strictObject({
  treeSize: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().describe('Size of the tree to prove against; default the newest signed checkpoint'),
});

export const InclusionProofSchema = z
  .object({
    leafIndex: z.number().int(),
    treeSize: z.number().int(),
    leafHash: Base64Hash.describe('SHA-256(0x00 || leafBytes), base64'),
    hashes: z.array(Base64Hash).describe('RFC 9162 PATH(leafIndex, D[treeSize]), leaf side first'),
    leafBytes: z.base64().describe("The event's canonical bytes (UTF-8 JSON, keys sorted; personal values as commitments), base64"),
    seq: z.number().int().describe('The event this leaf is'),
  })
  .meta({ id: 'InclusionProof' });

export const ConsistencyQuerySchema = z
  .strictObject({
    from: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('The older tree size (for example a checkpoint you kept)'),
    to: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('The newer tree size'),
  })
  .refine((q) => q.from <= q.to, { message: 'must not be larger than `to`', path: ['from'] });

export const ConsistencyProofSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    hashes: z.array(Base64Hash).describe('RFC 9162 PROOF(from, D[to])'),
  })
  .meta({ id: 'ConsistencyProof' });

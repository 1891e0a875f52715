import { z } from 'zod';
import { MeSchema } from './auth.ts';
import { BodySchema, PageQuerySchema, RoleSchema, text, TimestampSchema } from './common.ts';

export const UserSchema = MeSchema.omit({ mediatorId: true })
  .extend({
    claimed: z.boolean().describe('false for a grandfathered member who has not set a password yet'),
    createdAt: TimestampSchema,
    disabledAt: TimestampSchema.nullable().describe('When the account was disabled; null while it may sign in'),
  })
  .meta({ id: 'User' });

export const UserListQuerySchema = z.strictObject({
  q: z.string().trim().max(254).optional().describe('Part of an email address or name'),
  role: RoleSchema.optional(),
  ...PageQuerySchema.shape,
});

export const RoleChangeBodySchema = z
  .strictObject({
    role: RoleSchema,
    body: BodySchema.nullable().optional(),
    reason: z.string().trim().min(3).max(1000),
  })
  .refine((v) => v.role !== 'admin' || v.body, { message: 'an admin needs a body (com or cmc)', path: ['body'] });

export const DisabledBodySchema = z.strictObject({
  disabled: z.boolean().describe('true: the account cannot sign in and its tokens stop working; false: it may sign in again'),
  reason: text(1000, 3),
});

export const EraseBodySchema = z.strictObject({
  reason: text(1000, 3).describe('Why the person is erased (audited and kept): say which request or rule, not who they are'),
});

export const ErasureSchema = z
  .object({
    user: UserSchema,
    auditValuesErased: z.int().min(0).describe('Personal values this call removed from audit events about the person; 0 when the account was already erased'),
  })
  .meta({ id: 'Erasure' });

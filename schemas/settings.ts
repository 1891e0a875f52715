import { z } from 'zod';
import { DateSchema, IdSchema, PageQuerySchema, TimestampSchema, page, text } from './common.ts';

/** The register's settings: product defaults that the published standards leave to the bodies. */
export const SettingsSchema = z.strictObject({
  applicationThresholds: z
    .strictObject({
      foundationHours: z.number().min(1).max(1000).multipleOf(0.25).describe('Hours of foundation mediation training'),
      sendTrainingHours: z.number().min(1).max(1000).multipleOf(0.25).describe('Hours of approved SEND training'),
      supportedCases: z.number().int().min(1).max(100).describe('Supported SEND cases'),
      insuranceCoverGbp: z.number().int().min(1).max(1_000_000_000).describe('Professional indemnity cover, GBP'),
    })
    .describe('What an application against the 2024 standards must show; checked at submission'),
  grandfatheringComplianceStart: DateSchema.describe('Grandfathered members answer for CPD and practice from the later of this date and the day they were imported'),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const SettingsChangeSchema = SettingsSchema.extend({
  reason: text(500).describe('Why the settings change: kept with the version'),
  expectedVersion: z.number().int().min(1).optional().describe('The version this change replaces; 409 if another change came first'),
});

export const SettingsVersionSchema = SettingsSchema.extend({
  version: z.number().int().describe('Versions count up from 1; the newest is in force'),
  reason: z.string(),
  changedBy: IdSchema.nullable().describe('The registrar who made the change (null for the product defaults)'),
  changedAt: TimestampSchema,
}).meta({ id: 'SettingsVersion' });

export const SettingsVersionParamsSchema = z.strictObject({ version: z.coerce.number().int().min(1).max(2_147_483_647) });
export const SettingsVersionsQuerySchema = PageQuerySchema;
export const SettingsVersionListSchema = page(SettingsVersionSchema);

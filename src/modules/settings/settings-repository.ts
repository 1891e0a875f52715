import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../../db/client.ts';
import { registerSettings } from '../../db/schema.ts';

/** Every setting, its shape and meaning; values live in `register_settings` (seeded by migration 0004). */
export const SettingSchemas = {
  application_thresholds: z.object({
    foundationHours: z.number().positive(),
    sendTrainingHours: z.number().positive(),
    supportedCases: z.number().int().positive(),
    insuranceCoverGbp: z.number().int().positive(),
  }),
  /** Grandfathered members' obligations start with the first register year beginning on or after this. */
  grandfathering_compliance_start: z.iso.date(),
} as const;

export type SettingKey = keyof typeof SettingSchemas;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SettingSchemas)[K]>;

export async function getSetting<K extends SettingKey>(q: Queryable, key: K): Promise<SettingValue<K>> {
  const [row] = await q.select({ value: registerSettings.value }).from(registerSettings).where(eq(registerSettings.key, key));
  if (!row) throw new Error(`Setting ${key} is missing: migrations not applied?`);
  return SettingSchemas[key].parse(row.value) as SettingValue<K>;
}

import { desc } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../../db/client.ts';
import { registerSettingsVersions } from '../../db/schema.ts';

/** Every setting, its shape and meaning; version 1 holds the product defaults (migrations 0004, 0014). */
export const SettingSchemas = {
  application_thresholds: z.object({
    foundationHours: z.number().positive(),
    sendTrainingHours: z.number().positive(),
    supportedCases: z.number().int().positive(),
    insuranceCoverGbp: z.number().int().positive(),
  }),
  /** Grandfathered members' obligations start on the later of this date and the day they were imported. */
  grandfathering_compliance_start: z.iso.date(),
} as const;

export type SettingKey = keyof typeof SettingSchemas;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SettingSchemas)[K]>;
export type Settings = { [K in SettingKey]: SettingValue<K> };

export interface SettingsVersion {
  version: number;
  settings: Settings;
  reason: string;
  changedBy: string | null;
  changedAt: Date;
}

/** The version in force (the newest). */
export async function currentSettings(q: Queryable): Promise<SettingsVersion> {
  const [row] = await q.select().from(registerSettingsVersions).orderBy(desc(registerSettingsVersions.version)).limit(1);
  if (!row) throw new Error('No register settings: migrations not applied?');
  return { ...row, settings: parseSettings(row.settings) };
}

export const parseSettings = (raw: Record<string, unknown>): Settings =>
  Object.fromEntries(Object.entries(SettingSchemas).map(([k, schema]) => [k, schema.parse(raw[k])])) as Settings;

export async function getSetting<K extends SettingKey>(q: Queryable, key: K): Promise<SettingValue<K>> {
  return (await currentSettings(q)).settings[key];
}

import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Settings, SettingsChangeSchema } from '../../../schemas/settings.ts';
import type { Db } from '../../db/client.ts';
import { notFound, problem } from '../../errors.ts';
import { keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { londonDate, type Clock } from '../../lib/clock.ts';
import type { RequestContext } from '../../lib/context.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { currentSettings, insertSettingsVersion, lockSettings, moveGrandfatheredStarts, settingsVersion, settingsVersions, type SettingsVersion } from './settings-repository.ts';

/** Versions page back from the last one listed. */
const versionCursor = keysetCursor(z.tuple([z.int().min(1)]));

const toResponse = ({ settings, changedAt, ...v }: SettingsVersion) => ({ ...v, ...settings, changedAt: changedAt.toISOString() });

/**
 * The register settings as versions: a change adds one (with its reason), so a past decision can be
 * explained with the values in force then. Obligations are never imposed for time already passed.
 */
export function createSettingsService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    current: async () => toResponse(await currentSettings(db)),

    async version(version: number) {
      const v = await settingsVersion(db, version);
      if (!v) throw notFound('That settings version');
      return toResponse(v);
    },

    async versions(query: { limit: number; cursor?: string }) {
      const after = versionCursor.decode(query.cursor);
      const page = await keysetPage(
        query.limit,
        (count) => settingsVersions(db, count, after ? after[0] : null),
        (last) => versionCursor.encode([last.version]),
      );
      return { items: page.items.map(toResponse), nextCursor: page.nextCursor };
    },

    change: (ctx: RequestContext, { reason, expectedVersion, ...settings }: z.infer<typeof SettingsChangeSchema>) =>
      db.transaction(async (tx) => {
        await lockSettings(tx);
        const before = await currentSettings(tx);
        if (expectedVersion !== undefined && expectedVersion !== before.version) {
          throw problem('stale-settings-version', `The settings are at version ${before.version}, not ${expectedVersion}: reload them and make the change again.`);
        }
        if (isDeepStrictEqual(settings, before.settings)) return { ...toResponse(before), changed: false };
        refuseRetroactiveStart(before.settings, settings, londonDate(clock()));
        const next: SettingsVersion = { version: before.version + 1, settings, reason, changedBy: ctx.actor.id ?? null, changedAt: clock() };
        await insertSettingsVersion(tx, next);
        const membersMoved = settings.grandfatheringComplianceStart === before.settings.grandfatheringComplianceStart ? 0 : await moveGrandfatheredStarts(tx, settings.grandfatheringComplianceStart);
        await recordAudit(tx, ctx, {
          action: 'settings.changed',
          entityType: 'register_settings',
          entityId: String(next.version),
          before: { version: before.version, ...before.settings },
          after: { version: next.version, ...settings, reason, membersMoved },
        });
        return { ...toResponse(next), changed: true };
      }),
  };
}

/** Moving the grandfathering start earlier, into the past, would create obligations for time members were never told about. */
function refuseRetroactiveStart(before: Settings, after: Settings, today: string) {
  const to = after.grandfatheringComplianceStart;
  if (to < before.grandfatheringComplianceStart && to < today) {
    throw problem('grandfathering-start-passed', 'The grandfathering start can move later, or earlier only to a date not yet passed: members cannot owe CPD for time already gone.', [
      { in: 'body', field: 'grandfatheringComplianceStart', message: `must be on or after ${before.grandfatheringComplianceStart < today ? before.grandfatheringComplianceStart : today}` },
    ]);
  }
}

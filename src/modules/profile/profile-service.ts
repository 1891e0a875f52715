import type { z } from 'zod';
import { ProfileSchema, type ProfilePatchSchema } from '../../../schemas/mediators.ts';
import type { Db } from '../../db/client.ts';
import { notFound } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { UserContext } from '../../lib/context.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { mediatorOfUser, updateMediator, type MediatorRow as Row } from '../mediators/mediators-repository.ts';

/** Every field of the profile is a column of the entry, under the same name. */
const PROFILE_FIELDS = Object.keys(ProfileSchema.shape) as Array<keyof z.infer<typeof ProfileSchema> & keyof Row>;
const toProfile = (m: Row) => Object.fromEntries(PROFILE_FIELDS.map((k) => [k, m[k]])) as Pick<Row, (typeof PROFILE_FIELDS)[number]>;

/** The mediator's own profile: the public fields and opt-ins they control. */
export function createProfileService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    async get(ctx: UserContext) {
      const m = await mediatorOfUser(db, ctx.actor.id);
      if (!m) throw notFound('Your mediator profile');
      return toProfile(m);
    },

    change: (ctx: UserContext, patch: z.infer<typeof ProfilePatchSchema>) =>
      db.transaction(async (tx) => {
        const before = await mediatorOfUser(tx, ctx.actor.id, true);
        if (!before) throw notFound('Your mediator profile');
        const after = await updateMediator(tx, before.id, { ...patch, updatedAt: clock() });
        await recordAudit(tx, ctx, { action: 'mediator.profile_updated', entityType: 'mediator', entityId: before.id, before: toProfile(before), after: toProfile(after) });
        return toProfile(after);
      }),
  };
}

import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../../schemas/common.ts';
import { ProfilePatchSchema, ProfileSchema } from '../../../schemas/mediators.ts';
import type { Db } from '../../db/client.ts';
import { mediators } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { recordAudit } from '../audit/audit-service.ts';

type Row = typeof mediators.$inferSelect;
const toProfile = (m: Row) => ({
  id: m.id,
  fullName: m.fullName,
  organisation: m.organisation,
  regions: m.regions,
  languages: m.languages,
  contactEmail: m.contactEmail,
  contactPhone: m.contactPhone,
  website: m.website,
  showEmail: m.showEmail,
  showPhone: m.showPhone,
  showWebsite: m.showWebsite,
  insurer: m.insurer,
  insuranceCoverGbp: m.insuranceCoverGbp,
  insuranceExpiresOn: m.insuranceExpiresOn,
  body: m.body,
  membershipNumber: m.membershipNumber,
  status: m.status,
  route: m.route,
  firstAccreditedOn: m.firstAccreditedOn,
});

/** The mediator's own profile: the public fields and opt-ins they control. */
export const profileRoutes: FastifyPluginAsyncZod<{ db: Db; clock: Clock }> = async (app, { db, clock }) => {
  const security = [{ bearerAuth: [] }];
  const find = async (userId: string) => {
    const [m] = await db.select().from(mediators).where(eq(mediators.userId, userId));
    if (!m) throw notFound('Your mediator profile');
    return m;
  };

  app.get('/v1/me/profile', {
    config: { access: ['mediator'] },
    schema: { tags: ['me'], summary: 'Your register profile', security, response: { 200: ProfileSchema, ...problemResponses } },
    handler: async (req) => toProfile(await find(req.ctx.actor.id!)),
  });

  app.patch('/v1/me/profile', {
    config: { access: ['mediator'] },
    schema: { tags: ['me'], summary: 'Change your public details and opt-ins (never status, route, body or dates)', security, body: ProfilePatchSchema, response: { 200: ProfileSchema, ...problemResponses } },
    handler: async (req) =>
      db.transaction(async (tx) => {
        const [before] = await tx.select().from(mediators).where(eq(mediators.userId, req.ctx.actor.id!)).for('update');
        if (!before) throw notFound('Your mediator profile');
        const [after] = await tx.update(mediators).set({ ...req.body, updatedAt: clock() }).where(eq(mediators.id, before.id)).returning();
        await recordAudit(tx, req.ctx, { action: 'mediator.profile_updated', entityType: 'mediator', entityId: before.id, before: toProfile(before), after: toProfile(after!) });
        return toProfile(after!);
      }),
  });
};

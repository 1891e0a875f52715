import { randomUUID } from 'node:crypto';
import { mediators, statusHistory, users } from '../../src/db/schema.ts';
import type { Db } from '../../src/db/client.ts';

export interface EntrySeed {
  fullName: string;
  body?: 'com' | 'cmc';
  status?: 'accredited' | 'suspended' | 'lapsed' | 'removed';
  organisation?: string | null;
  regions?: string[];
  languages?: string[];
  contactEmail?: string | null;
  showEmail?: boolean;
  contactPhone?: string | null;
  showPhone?: boolean;
  website?: string | null;
  showWebsite?: boolean;
  firstAccreditedOn?: string;
}

let counter = 0;

/** Register entries written straight to the database, for tests of what the public sees. */
export async function insertEntries(db: Db, seeds: EntrySeed[]): Promise<string[]> {
  const ids: string[] = [];
  for (const s of seeds) {
    const n = ++counter;
    const [user] = await db.insert(users).values({ email: `entry-${n}-${randomUUID()}@example.org`, fullName: s.fullName }).returning({ id: users.id });
    const [m] = await db
      .insert(mediators)
      .values({
        userId: user!.id,
        fullName: s.fullName,
        body: s.body ?? 'com',
        membershipNumber: `M${String(n).padStart(5, '0')}-${randomUUID().slice(0, 4)}`,
        status: s.status ?? 'accredited',
        route: 'grandfathered_2018',
        standardsVersion: '2018',
        firstAccreditedOn: s.firstAccreditedOn ?? '2019-06-01',
        statusChangedAt: new Date('2019-06-01T09:00:00Z'),
        organisation: s.organisation ?? null,
        regions: s.regions ?? ['london'],
        languages: s.languages ?? ['en'],
        contactEmail: s.contactEmail ?? null,
        showEmail: s.showEmail ?? false,
        contactPhone: s.contactPhone ?? null,
        showPhone: s.showPhone ?? false,
        website: s.website ?? null,
        showWebsite: s.showWebsite ?? false,
      })
      .returning({ id: mediators.id });
    await db.insert(statusHistory).values({ mediatorId: m!.id, toStatus: 'accredited', reason: 'grandfathered (test)', actorRole: 'system', changedAt: new Date('2019-06-01T09:00:00Z') });
    if ((s.status ?? 'accredited') !== 'accredited') {
      await db.insert(statusHistory).values({ mediatorId: m!.id, fromStatus: 'accredited', toStatus: s.status!, reason: 'secret internal reason', actorRole: 'registrar', changedAt: new Date('2024-01-10T09:00:00Z') });
    }
    ids.push(m!.id);
  }
  return ids;
}

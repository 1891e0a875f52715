import { randomUUID } from 'node:crypto';
import { mediators, users } from '../../src/db/schema.ts';
import { writeStatuses } from '../../src/modules/register-entries/register-entries-repository.ts';
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
    const [user] = await db
      .insert(users)
      .values({ email: `entry-${n}-${randomUUID()}@example.org`, fullName: s.fullName })
      .returning({ id: users.id });
    const [m] = await db
      .insert(mediators)
      .values({
        userId: user!.id,
        fullName: s.fullName,
        body: s.body ?? 'com',
        membershipNumber: `M${String(n).padStart(5, '0')}-${randomUUID().slice(0, 4)}`,
        route: 'grandfathered_2018',
        standardsVersion: '2018',
        firstAccreditedOn: s.firstAccreditedOn ?? '2019-06-01',
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
    ids.push(m!.id);
  }
  // Onto the register and off it through the register's writer of status, backdated; no audit or mail.
  const accredited = new Date('2019-06-01T09:00:00Z');
  await writeStatuses(
    db,
    ids.map((id) => ({ id, from: null, to: 'accredited', reason: 'grandfathered (test)', at: accredited })),
    { userId: null, role: 'system' },
    new Date(),
  );
  const changed = new Date('2024-01-10T09:00:00Z');
  const changes = seeds.flatMap((s, i) => (s.status && s.status !== 'accredited' ? [{ id: ids[i]!, from: 'accredited' as const, to: s.status, reason: 'secret internal reason', at: changed }] : []));
  await writeStatuses(db, changes, { userId: null, role: 'registrar' }, new Date());
  return ids;
}

import t from 'tap';
import { toFeedItem } from '../../../src/modules/register/register-feed.ts';
import type { PublicEntryRow } from '../../../src/modules/register/register-repository.ts';

const row: PublicEntryRow = {
  id: '0b6f3c1e-5d0a-4e57-9a43-2f1d8e7c6b50',
  fullName: 'Zoë Ellis',
  body: 'com',
  membershipNumber: 'COM-01234',
  route: 'standards_2024',
  firstAccreditedOn: '2024-09-02',
  status: 'lapsed',
  statusSince: '2026-05-31',
  regions: [],
  languages: [],
  organisation: null,
  contactEmail: null,
  contactPhone: null,
  website: null,
  cpdUpToDateFor: '2024/25',
  sortName: 'zoe ellis',
  group: 0,
  score: null,
};
const change = { position: 7, kind: 'status_changed' as const, mediatorId: row.id, changedAt: new Date('2026-05-31T01:00:00Z') };

t.test('an entry in view: its kind, and its public record as it now stands', async (t) => {
  const item = toFeedItem({ ...change, entry: row });
  t.match(item, { position: 7, kind: 'status_changed', id: row.id, changedAt: '2026-05-31T01:00:00.000Z', entry: { status: 'lapsed', statusSince: '2026-05-31' } });
  t.match(item.entry!.statusExplained, /^Lapsed on 31 May 2026/);
  t.notOk('sortName' in item.entry! || 'group' in item.entry!, 'only the allow-listed keys');
});

t.test('an entry out of public view: gone, whatever the change was, and no record', async (t) => {
  for (const kind of ['added', 'updated', 'status_changed', 'gone'] as const) {
    t.same(toFeedItem({ ...change, kind, entry: null }), { position: 7, kind: 'gone', id: row.id, changedAt: '2026-05-31T01:00:00.000Z', entry: null }, kind);
  }
});

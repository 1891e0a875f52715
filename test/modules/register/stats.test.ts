import t from 'tap';
import { RegisterStatsSchema } from '../../../schemas/register-stats.ts';
import { partitionTotal, publishStats, suppressSmall } from '../../../src/modules/register/register-stats.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';
import { insertEntries } from '../../helpers/entries.ts';

t.test('the schema example is a valid answer', async (t) => {
  t.ok(RegisterStatsSchema.safeParse((RegisterStatsSchema.meta()!.examples as unknown[])[0]).success);
});

t.test('suppressSmall: 1 to 4 as "<5", zero and 5 up as they are', async (t) => {
  t.same([0, 1, 2, 3, 4, 5, 6, 1000].map(suppressSmall), [0, '<5', '<5', '<5', '<5', 5, 6, 1000]);
});

t.test('partitionTotal: exact only when no cell could be subtracted back', async (t) => {
  t.equal(partitionTotal([12, 5, 0]), 17);
  t.equal(partitionTotal([0, 0]), 0);
  t.equal(partitionTotal([12, 4]), null, 'one cell suppressed: 12 and a total would give 4');
  t.equal(partitionTotal([1, 1]), null);
});

t.test('publishStats: every region listed, open lists ordered without ranking the suppressed', async (t) => {
  const stats = publishStats(
    {
      byBody: new Map([['com', 9]]),
      byRegion: new Map([['london', 3]]),
      byLanguage: new Map([
        ['pl', 2],
        ['en', 9],
        ['cy', 6],
        ['bfi', 4],
      ]),
      outcomes: [
        { year: 2024, end: '2025-03-31', outcome: 'compliant', n: 7 },
        { year: 2025, end: '2026-03-31', outcome: 'compliant', n: 5 },
        { year: 2025, end: '2026-03-31', outcome: 'exempt', n: 1 },
      ],
    },
    '2026-06-02',
  );
  t.same(stats.accredited.byBody, [
    { body: 'com', count: 9 },
    { body: 'cmc', count: 0 },
  ]);
  t.equal(stats.accredited.total, 9, 'no body suppressed (zero is not)');
  t.equal(stats.accredited.byRegion.length, 10);
  t.same(
    stats.accredited.byRegion.find((r) => r.region === 'london'),
    { region: 'london', count: '<5' },
  );
  t.same(
    stats.accredited.byLanguage.map((l) => l.language),
    ['en', 'cy', 'bfi', 'pl'],
    'shown counts largest first, then "<5" by tag (bfi 4 and pl 2 are not ranked)',
  );
  t.same(stats.complianceOutcomes, [
    { registerYear: 2025, label: '2025/26', total: null, outcomes: { in_grace: 0, compliant: 5, non_compliant: 0, exempt: '<5' } },
    { registerYear: 2024, label: '2024/25', total: 7, outcomes: { in_grace: 0, compliant: 7, non_compliant: 0, exempt: 0 } },
  ]);
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind); // 2 June 2025
  const registrar = await ta.staff('registrar');
  const stats = async () => {
    const res = await ta.request({ method: 'GET', url: '/v1/register/stats' });
    t.equal(res.statusCode, 200);
    t.match(res.headers['cache-control'], /^public, max-age=300/);
    return res.json();
  };
  // Each server counts at most once a minute: a reader after a change waits that long.
  const aMinuteLater = () => ta.clock.set(new Date(ta.clock().getTime() + 60_000).toISOString());
  const run = async (asOf: string) => {
    ta.clock.set(`${asOf}T08:00:00Z`);
    t.equal((await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf } })).statusCode, 200, `job for ${asOf}`);
  };

  const assessed: Array<{ mediatorId: string }> = [];
  for (let i = 0; i < 7; i++) {
    const m = await ta.mediator();
    await accredit(ta, m.mediatorId, { body: 'com', route: 'grandfathered_2018', firstAccreditedOn: '2019-01-10', complianceStartOn: '2025-04-01' });
    assessed.push(m);
  }

  await t.test('before any assessment: counts, and no outcomes', async (t) => {
    const s = await stats();
    t.equal(s.asOf, '2025-06-02');
    t.same(s.accredited.byBody, [
      { body: 'com', count: 7 },
      { body: 'cmc', count: 0 },
    ]);
    t.equal(s.accredited.total, 7);
    t.ok(
      s.accredited.byRegion.every((r: { count: unknown }) => r.count === 0),
      'every region listed, none covered yet',
    );
    t.same(s.accredited.byLanguage, []);
    t.same(s.complianceOutcomes, []);
  });

  await t.test('compliance outcomes per register year, from the job', async (t) => {
    await run('2026-04-01');
    t.same((await stats()).complianceOutcomes, [{ registerYear: 2025, label: '2025/26', total: 7, outcomes: { in_grace: 7, compliant: 0, non_compliant: 0, exempt: 0 } }]);

    const exempted = await ta.request({
      method: 'POST',
      url: `/v1/admin/mediators/${assessed[0]!.mediatorId}/exemptions`,
      token: registrar.token,
      payload: { period: 2025, kind: 'exemption', reason: 'Illness' },
    });
    t.equal(exempted.statusCode, 201);
    await run('2026-06-01'); // grace (60 days) ended 30 May: the other six lapse
    const s = await stats();
    t.same(
      s.complianceOutcomes,
      [{ registerYear: 2025, label: '2025/26', total: null, outcomes: { in_grace: 0, compliant: 0, non_compliant: 6, exempt: '<5' } }],
      'total withheld: 6 and a total would give the one exemption',
    );
    t.same(s.accredited.byBody, [
      { body: 'com', count: '<5' },
      { body: 'cmc', count: 0 },
    ]);
    t.equal(s.accredited.total, null);
  });

  await t.test('accredited mediators by body, region and language', async (t) => {
    await insertEntries(ta.database.db, [
      ...Array.from({ length: 5 }, (_, i) => ({ fullName: `London ${i}`, regions: ['london'], languages: ['en', 'cy'] })),
      ...Array.from({ length: 2 }, (_, i) => ({ fullName: `North West ${i}`, body: 'cmc' as const, regions: ['north_west'], languages: ['en'] })),
      { fullName: 'Lapsed Entry', regions: ['london'], languages: ['pl'], status: 'lapsed' as const },
    ]);
    t.same((await stats()).accredited.byLanguage, [], 'within the minute, the last count');
    aMinuteLater();
    const s = await stats();
    t.same(s.accredited.byBody, [
      { body: 'com', count: 6 },
      { body: 'cmc', count: '<5' },
    ]);
    t.equal(s.accredited.total, null, 'withheld: 8 and com 6 would give cmc 2');
    t.same(
      s.accredited.byRegion.filter((r: { count: unknown }) => r.count !== 0),
      [
        { region: 'north_west', count: '<5' },
        { region: 'london', count: 5 },
      ],
      'the lapsed entry is not counted',
    );
    t.same(s.accredited.byLanguage, [
      { language: 'en', count: 7 },
      { language: 'cy', count: 5 },
    ]);
  });

  await t.test('the total once no body count is small', async (t) => {
    await insertEntries(
      ta.database.db,
      Array.from({ length: 3 }, (_, i) => ({ fullName: `More ${i}`, body: 'cmc' as const })),
    );
    aMinuteLater();
    const s = await stats();
    t.same(s.accredited.byBody, [
      { body: 'com', count: 6 },
      { body: 'cmc', count: 5 },
    ]);
    t.equal(s.accredited.total, 11);
  });
});

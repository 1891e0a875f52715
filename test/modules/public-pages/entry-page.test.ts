import t from 'tap';
import { writeStatuses } from '../../../src/modules/register-entries/register-entries-repository.ts';
import { buildTestApp, eachDatabase, testClock } from '../../helpers/app.ts';
import { insertEntries } from '../../helpers/entries.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind, { clock: testClock('2026-12-02T10:00:00Z') });
  const get = (url: string) => ta.request({ method: 'GET', url });
  const contacts = {
    organisation: 'Lapsey Mediation',
    contactEmail: 'lorna@example.org',
    showEmail: true,
    contactPhone: '020 7946 0000',
    showPhone: true,
    website: 'https://lorna.example.org',
    showWebsite: true,
  };
  const [accredited, lapsed, gone] = await insertEntries(ta.database.db, [
    { fullName: 'Zoë Ellis', ...contacts, organisation: 'Ellis Mediation', contactEmail: 'zoe@example.org' },
    { fullName: 'Lorna Lapsey', ...contacts },
    { fullName: 'Gil Gone' },
  ]);
  await writeStatuses(
    ta.database.db,
    [
      { id: lapsed!, from: 'accredited', to: 'lapsed', reason: 'secret internal reason', at: new Date('2026-05-31T09:00:00Z') },
      { id: gone!, from: 'accredited', to: 'removed', reason: 'secret internal reason', at: new Date('2020-01-31T09:00:00Z') },
    ],
    { userId: null, role: 'registrar' },
    ta.clock(),
  );

  await t.test('an entry not accredited now: a banner first, no contact details, its history', async (t) => {
    const res = await get(`/mediators/${lapsed}`);
    t.equal(res.statusCode, 200);
    const main = res.body.slice(res.body.indexOf('<main'));
    t.match(
      main,
      /<h1>Lorna Lapsey<\/h1>\s*<div class="status-banner" role="region" aria-labelledby="status-banner-title">\s*<h2 id="status-banner-title">Not currently accredited: lapsed on 31 May 2026<\/h2>\s*<p>Lapsed on 31 May 2026: [^<]+<\/p>/,
      'the banner straight under the name, explained',
    );
    for (const hidden of ['lorna@example.org', '020 7946 0000', 'lorna.example.org', 'Lapsey Mediation', 'secret', 'Accredited SEND mediator']) t.notMatch(main, hidden, `no ${hidden}`);
    t.match(main, /<td>31 May 2026<\/td><td>Lapsed<\/td>/);
    const ok = await get(`/mediators/${accredited}`);
    t.notMatch(ok.body, 'status-banner', 'no banner while accredited');
    t.match(ok.body, 'mailto:zoe@example.org');
  });

  await t.test('check status on a date: a form without JavaScript, the answer on the page', async (t) => {
    const form = (await get(`/mediators/${lapsed}`)).body;
    t.match(form, /<form class="as-of" method="get" action="#check-status"/);
    t.match(form, /<label for="asOf">Date<\/label>/);
    t.notMatch(form, 'as-of-answer', 'no answer before a date is asked');
    const answer = async (asOf: string) => {
      const res = await get(`/mediators/${lapsed}?asOf=${asOf}`);
      t.equal(res.statusCode, 200, asOf);
      t.match(res.body, `value="${asOf}"`, 'the date stays in the field');
      return /<p class="notice" id="as-of-answer">([^<]+)<\/p>/.exec(res.body)?.[1];
    };
    t.equal(await answer('2026-03-12'), 'On 12 March 2026, Lorna Lapsey was accredited (since 1 June 2019).');
    t.equal(await answer('2026-05-31'), 'On 31 May 2026, Lorna Lapsey was not accredited: their accreditation had lapsed (since 31 May 2026).');
    t.equal(await answer('2019-05-31'), 'On 31 May 2019, Lorna Lapsey was not yet on the register.');
  });

  await t.test('a wrong date is explained next to the field', async (t) => {
    for (const [asOf, message] of [
      ['2026-02-30', 'Enter a real date as year, month and day, for example 2026-03-12'],
      ['tomorrow', 'Enter a real date as year, month and day, for example 2026-03-12'],
      ['2026-12-03', 'Enter today’s date or a date in the past'],
    ] as const) {
      const res = await get(`/mediators/${lapsed}?asOf=${asOf}`);
      t.equal(res.statusCode, 400, asOf);
      t.match(res.body, /<title>Error: Lorna Lapsey/);
      t.match(res.body, new RegExp(`id="asOf-error"><span class="visually-hidden">Error:</span> ${message}</span>`));
      t.match(res.body, /aria-describedby="asOf-hint asOf-error" aria-invalid="true"/);
      t.notMatch(res.body, 'as-of-answer');
    }
  });

  await t.test('410 page when gone, 404 page when never on the register', async (t) => {
    const goneRes = await get(`/mediators/${gone}`);
    t.equal(goneRes.statusCode, 410);
    t.match(goneRes.body, /<h1>Mediator no longer on the register<\/h1>/);
    t.notMatch(goneRes.body, /Gil|2020/, 'nothing about the entry');
    const never = await get('/mediators/00000000-0000-4000-8000-000000000000');
    t.equal(never.statusCode, 404);
    t.match(never.body, /<h1>Mediator not found<\/h1>/);
    // A mangled link (an id with text pasted on) gets the page, not a JSON 400.
    const mangled = await get(`/mediators/${'a'.repeat(150)}`);
    t.equal(mangled.statusCode, 404);
    t.match(mangled.body, /<h1>Mediator not found<\/h1>/);
  });
});

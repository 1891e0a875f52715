import t, { type Test } from 'tap';
import pg from 'pg';
import { text } from 'node:stream/consumers';
import { recordGoneEntries, feedCursorAt } from '../../../src/modules/register/register-feed.ts';
import { createRegisterService } from '../../../src/modules/register/register-service.ts';
import { buildTestApp, eachDatabase, type TestApp } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';
import { insertEntries } from '../../helpers/entries.ts';

interface Entry {
  id: string;
  fullName: string;
  status: string;
  organisation: string | null;
}
interface Item {
  position: number;
  kind: string;
  id: string;
  changedAt: string;
  entry: Entry | null;
}
/** The export as a mirror keeps it: its entries, its ETag and where to poll the feed from. */
interface Snapshot {
  etag: string;
  since: string;
  entries: Entry[];
}

const ok = <R extends { statusCode: number; body: string }>(res: R, status = 200): R => {
  if (res.statusCode !== status) throw new Error(`${res.statusCode} ${res.body}`);
  return res;
};

/** Reads the feed from `since` until caught up with its head, `limit` at a time; checks the pages chain without gaps. */
async function readFeed(t: Test, ta: TestApp, since: string | undefined, limit: number) {
  const items: Item[] = [];
  let cursor = since;
  for (;;) {
    const res = ok(await ta.request({ method: 'GET', url: `/v1/register/changes?limit=${limit}${cursor ? `&since=${cursor}` : ''}` }));
    const page = res.json() as { items: Item[]; nextCursor: string; head: number };
    if (page.items.length > limit) t.fail(`a page of ${page.items.length} for limit ${limit}`);
    const expected = (items.at(-1)?.position ?? page.items[0]?.position ?? 0) + (items.length ? 1 : 0);
    if (page.items.some((i, n) => i.position !== expected + n)) t.fail(`positions not consecutive from ${expected}: ${page.items.map((i) => i.position)}`);
    items.push(...page.items);
    if (page.items.length === 0 && cursor !== undefined && page.nextCursor !== cursor) t.fail('an empty page moved the cursor');
    cursor = page.nextCursor;
    if (page.items.length === 0 || page.items.at(-1)!.position === page.head) return { items, cursor, head: page.head };
  }
}

/** Applies the items in order: the entry upserted by id, or deleted when null. */
function replay(start: Entry[], items: Item[]): Map<string, Entry> {
  const byId = new Map(start.map((e) => [e.id, e]));
  for (const i of items) {
    if (i.entry) byId.set(i.id, i.entry);
    else byId.delete(i.id);
  }
  return byId;
}
const asMap = (entries: Entry[]) => new Map(entries.map((e) => [e.id, e]));

async function takeExport(ta: TestApp): Promise<Snapshot> {
  const res = ok(await ta.request({ method: 'GET', url: '/v1/register/export.json' }));
  return { etag: String(res.headers.etag), since: String(res.headers['register-changes-since']), entries: res.json() };
}

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const db = ta.database.db;
  const registrar = await ta.staff('registrar');
  const snapshots: Snapshot[] = [];
  /** Positions that did not end a commit: no export was ever at them. */
  const insideACommit: number[] = [];

  /** Makes a change, then checks the feed from the last export: the kinds it adds, and the new export's ETag is the feed's head. */
  const step = async (t: Test, what: string, kinds: string[] | null, change: () => Promise<unknown>) => {
    const last = snapshots.at(-1)!;
    await change();
    const { items, head } = await readFeed(t, ta, last.since, 100);
    if (kinds)
      t.same(
        items.map((i) => i.kind),
        kinds,
        `${what}: ${kinds.join(', ') || 'no change'}`,
      );
    const now = await takeExport(ta);
    t.equal(now.etag, `"${head}"`, `${what}: the export's ETag is the feed's head`);
    t.same((await readFeed(t, ta, now.since, 100)).items, [], `${what}: the export's cursor is caught up`);
    if (now.etag !== last.etag) snapshots.push(now);
    else t.same(now.entries, last.entries, `${what}: the same ETag, the same export`);
    return items;
  };
  const status = async (id: string, s: string) =>
    ok(await ta.request({ method: 'POST', url: `/v1/admin/mediators/${id}/status`, token: registrar.token, payload: { status: s, reason: 'Complaint under investigation' } }));

  const today = ta.clock().toISOString();
  snapshots.push(await takeExport(ta));
  t.equal(snapshots[0]!.etag, '"0"', 'an empty register is at position 0');

  let removedLongAgo = '';
  await t.test('entries onto the register and off it, one commit each', async (t) => {
    for (const seed of [
      { fullName: 'Zoë Ellis', organisation: 'Ellis Mediation' },
      { fullName: "Aoife O'Neill", body: 'cmc' as const },
      { fullName: 'Sam Suspended', status: 'suspended' as const },
      { fullName: 'Sam Removed', status: 'removed' as const },
    ]) {
      const items = await step(t, seed.fullName, seed.status ? ['added', 'status_changed'] : ['added'], async () => {
        // One commit for each change, so every position is the head of an export.
        const [id] = await insertEntries(db, [{ ...seed, status: undefined }]);
        if (!seed.status) return;
        snapshots.push(await takeExport(ta));
        // Sam was removed long ago: the window of a removal made today is another test's.
        if (seed.status === 'removed') ta.clock.set('2024-01-10T09:00:00Z');
        await status(id!, seed.status);
        ta.clock.set(today);
      });
      if (seed.status === 'removed') removedLongAgo = items[0]!.id;
    }
  });

  const me = await ta.mediator(undefined, 'Priya Shah');
  const patch = async (payload: object) => ok(await ta.request({ method: 'PATCH', url: '/v1/me/profile', token: me.token, payload }));
  await t.test('each kind of change', async (t) => {
    const [added] = await step(t, 'an accreditation', ['added'], () =>
      accredit(ta, me.mediatorId, { body: 'com', route: 'grandfathered_2018', firstAccreditedOn: '2019-03-01', complianceStartOn: null }),
    );
    t.equal(added!.entry!.status, 'accredited');
    const [updated] = await step(t, 'a profile edit of a public field', ['updated'], () => patch({ organisation: 'Calm Waters Mediation' }));
    t.equal(updated!.entry!.organisation, 'Calm Waters Mediation');
    await step(t, 'a profile edit of a private field', [], () => patch({ insurer: 'Insure Co' }));
    const [lapsed] = await step(t, 'a lapse', ['status_changed'], () => status(me.mediatorId, 'lapsed'));
    t.match(lapsed!.entry, { status: 'lapsed', organisation: null }, 'the entry as the public sees it now');
    await step(t, 'an edit while lapsed, of a field shown only while accredited', [], () => patch({ organisation: 'Still Waters' }));
    const [back] = await step(t, 'a reinstatement', ['status_changed'], () => status(me.mediatorId, 'accredited'));
    t.match(back!.entry, { status: 'accredited', organisation: 'Still Waters' });
    const [removed] = await step(t, 'a removal', ['status_changed'], () => status(me.mediatorId, 'removed'));
    t.match(removed!.entry, { status: 'removed', organisation: null });
  });

  await t.test('a removal past its years leaves public view: a gone change', async (t) => {
    const years = ta.config.REGISTER_REMOVED_VISIBLE_YEARS;
    // insertEntries removed Sam on 2024-01-10: the window ends after 2029-01-10.
    ta.clock.set(`${2024 + years}-01-10T12:00:00Z`);
    t.equal(await db.transaction((tx) => recordGoneEntries(tx, ta.clock(), years)), 0, 'the last day in view: nothing gone');
    ta.clock.set(`${2024 + years}-01-11T12:00:00Z`);
    const [gone] = await step(t, 'the window passed', ['gone'], () => db.transaction((tx) => recordGoneEntries(tx, ta.clock(), years)));
    t.same({ id: gone!.id, entry: gone!.entry }, { id: removedLongAgo, entry: null });
    t.notOk(
      snapshots.at(-1)!.entries.some((e) => e.id === removedLongAgo),
      'the export drops it',
    );
    await step(t, 'recorded again', [], () => db.transaction((tx) => recordGoneEntries(tx, ta.clock(), years)));
    const all = (await readFeed(t, ta, undefined, 1000)).items.filter((i) => i.id === removedLongAgo);
    t.same(
      all.map((i) => [i.kind, i.entry]),
      [
        ['gone', null],
        ['gone', null],
        ['gone', null],
      ],
      'its earlier changes read gone too: no record of it leaves',
    );
    t.equal((await ta.request({ method: 'GET', url: `/v1/register/${removedLongAgo}` })).statusCode, 410, 'as its page says');
  });

  await t.test('the daily compliance job records the entries gone from view', async (t) => {
    const run = async (asOf: string) => ok(await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf } }));
    ta.clock.set('2031-01-05T03:00:00Z');
    // The run also lapses the entries that logged nothing: changes of their own, in the same commit.
    const items = await step(t, 'a run past the window of the removal in this test', null, () => run('2031-01-05'));
    t.same(
      items.filter((i) => i.kind === 'gone').map((i) => i.id),
      [me.mediatorId],
      'gone: the entry removed in this test',
    );
    insideACommit.push(...items.slice(0, -1).map((i) => i.position));
    ta.clock.set('2031-01-06T03:00:00Z');
    await step(t, 'the next day', [], () => run('2031-01-06'));
  });

  await t.test('the feed resumed from every cursor reproduces the export', async (t) => {
    const final = await takeExport(ta);
    const head = Number(JSON.parse(final.etag));
    // Every position that ended a commit is the ETag of an export a mirror may hold.
    t.same(
      snapshots.map((s) => Number(JSON.parse(s.etag))),
      Array.from({ length: head + 1 }, (_, i) => i).filter((p) => !insideACommit.includes(p)),
      `an export at every position 0..${head} but the ${insideACommit.length} inside the job's commit`,
    );
    for (const s of snapshots) {
      for (const limit of [1, 2, 5, 1000]) {
        const { items } = await readFeed(t, ta, s.since, limit);
        t.same(replay(s.entries, items), asMap(final.entries), `from ${s.etag}, ${limit} at a time`);
      }
    }
    t.same(replay([], (await readFeed(t, ta, undefined, 3)).items), asMap(final.entries), 'without since: from the start');
  });

  await t.test('a change committed while a reader pages is not skipped', async (t) => {
    const start = await takeExport(ta);
    const other = (await insertEntries(db, [{ fullName: 'Ada Page' }, { fullName: 'Ben Page' }, { fullName: 'Cy Page' }]))[0]!;
    const first = ok(await ta.request({ method: 'GET', url: `/v1/register/changes?limit=1&since=${start.since}` })).json();
    t.equal(first.items.length, 1);
    await ok(await ta.request({ method: 'POST', url: `/v1/admin/mediators/${other}/status`, token: registrar.token, payload: { status: 'suspended', reason: 'Complaint' } }));
    const rest = await readFeed(t, ta, first.nextCursor, 1);
    const items = [...first.items, ...rest.items];
    t.same(
      items.map((i: Item) => i.kind),
      ['added', 'added', 'added', 'status_changed'],
    );
    t.same(replay(start.entries, items), asMap((await takeExport(ta)).entries));
  });

  await t.test('a change committed after the export read its head is in both: replaying it is harmless', async (t) => {
    const register = createRegisterService({ db, clock: ta.clock, config: ta.config });
    const { position } = await register.version();
    await ok(
      await ta.request({
        method: 'POST',
        url: `/v1/admin/mediators/${(await insertEntries(db, [{ fullName: 'Dee Late' }]))[0]}/status`,
        token: registrar.token,
        payload: { status: 'lapsed', reason: 'Late' },
      }),
    );
    const streamed = JSON.parse(await text(register.exportJson())) as Entry[];
    t.match(
      streamed.find((e) => e.fullName === 'Dee Late'),
      { status: 'lapsed' },
      'the stream already has the change',
    );
    const { items } = await readFeed(t, ta, feedCursorAt(position), 100);
    t.same(
      items.map((i) => i.kind),
      ['added', 'status_changed'],
      'and the feed from its ETag repeats it',
    );
    t.same(replay(streamed, items), asMap((await takeExport(ta)).entries), 'applied again, the copy is still the register');
  });

  if (kind === 'postgres') {
    await t.test('a change still uncommitted while a reader reaches the head comes after it', async (t) => {
      const client = new pg.Client({ connectionString: ta.databaseUrl });
      await client.connect();
      t.teardown(() => client.end());
      const start = await takeExport(ta);
      await client.query('BEGIN');
      await client.query(`UPDATE mediators SET organisation = 'Open Late Mediation' WHERE id = $1`, [me.mediatorId]);
      await client.query(`UPDATE mediators SET full_name = 'Zoe Ellis-Grey' WHERE full_name = 'Zoë Ellis'`);
      const before = await readFeed(t, ta, start.since, 100);
      t.same(before.items, [], 'nothing visible yet');
      // A commit elsewhere meanwhile: it takes the next position, the open one the one after.
      await insertEntries(db, [{ fullName: 'Eve Between' }]);
      await client.query('COMMIT');
      const after = await readFeed(t, ta, before.cursor, 1);
      t.same(
        after.items.map((i) => [i.kind, i.entry?.fullName]),
        [
          ['added', 'Eve Between'],
          ['updated', 'Zoe Ellis-Grey'],
        ],
        'the removed entry’s edit is not public; the other is',
      );
      t.same(replay(start.entries, [...before.items, ...after.items]), asMap((await takeExport(ta)).entries));
    });
  }

  await t.test('bad since and limit: 400 naming the field', async (t) => {
    const { head } = await readFeed(t, ta, undefined, 1000);
    const field = async (query: string) => {
      const res = await ta.request({ method: 'GET', url: `/v1/register/changes?${query}` });
      t.equal(res.statusCode, 400, query);
      t.match(res.headers['content-type'], /application\/problem\+json/);
      return res.json().errors?.[0]?.field;
    };
    const made = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const since of ['garbage', made([-1]), made([1.5]), made(['1']), made([1, 2]), feedCursorAt(head + 1)]) t.equal(await field(`since=${since}`), 'since', `since=${since}`);
    for (const limit of ['0', '1001', 'x', '-1']) t.equal(await field(`limit=${limit}`), 'limit', `limit=${limit}`);
    t.equal((await ta.request({ method: 'GET', url: '/v1/register/changes?unknown=1' })).statusCode, 400, 'unknown parameters refused');
    t.equal(ok(await ta.request({ method: 'GET', url: `/v1/register/changes?since=${feedCursorAt(head)}` })).json().nextCursor, feedCursorAt(head), 'at the head: the same cursor');
  });
});

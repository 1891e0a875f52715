import t from 'tap';
import { openDatabase, queryRows, sql, type Db } from '../../../src/db/client.ts';
import { accredit } from '../../helpers/compliance.ts';
import type { MailMessage, MailTransport } from '../../../src/modules/notifications/mail-transport.ts';
import { enqueueNotifications } from '../../../src/modules/notifications/outbox.ts';
import { MAX_DELIVERY_ATTEMPTS } from '../../../src/db/schema.ts';
import { createOutboxSender, retryDelayMs } from '../../../src/modules/notifications/outbox-sender.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';

/** A transport that records what it was given and fails while `failures` says so. */
function fakeTransport(failures: (m: MailMessage) => boolean = () => false) {
  const delivered: MailMessage[] = [];
  const onDelivery = new Set<() => void>();
  const transport: MailTransport & { delivered: MailMessage[]; attempts: number; closed: boolean; deliveredWhen(check: () => boolean): Promise<void> } = {
    delivered,
    attempts: 0,
    closed: false,
    async send(m) {
      transport.attempts++;
      if (failures(m)) throw new Error(`mailbox unavailable for ${m.to}`);
      delivered.push(m);
      for (const listener of onDelivery) listener();
    },
    close() {
      transport.closed = true;
    },
    /** Resolves once `check` holds, judged now and after every delivery (no timer decides). */
    deliveredWhen(check) {
      return new Promise((resolve) => {
        const listener = () => {
          if (!check()) return;
          onDelivery.delete(listener);
          resolve();
        };
        onDelivery.add(listener);
        listener();
      });
    },
  };
  return transport;
}

const sender = (db: Db, transport: MailTransport, batchSize?: number) =>
  createOutboxSender({
    db,
    transport,
    batchSize,
    onError: (err) => {
      throw err;
    },
  });

async function drain(s: ReturnType<typeof sender>) {
  while ((await s.deliverDue()).more);
}

const welcome = (recipient: string) => ({ recipient, template: 'welcome' as const, data: { fullName: 'Sam Example' } });

const row = async (db: Db, recipient: string) =>
  (
    await queryRows<{ attempts: number; lastError: string | null; sentAt: Date | null; due: boolean; lockedUntil: Date | null }>(
      db,
      sql`SELECT attempts, last_error AS "lastError", sent_at AS "sentAt", send_after <= now() AS due, locked_until AS "lockedUntil" FROM notifications WHERE recipient = ${recipient}`,
    )
  )[0]!;

t.test('backoff doubles from 30 seconds and stops growing at 6 hours', async (t) => {
  t.same([1, 2, 3, 4].map(retryDelayMs), [30_000, 60_000, 120_000, 240_000]);
  t.equal(retryDelayMs(MAX_DELIVERY_ATTEMPTS + 20), 6 * 3_600_000);
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const db = ta.database.db;

  await t.test('an outbox row exists only if its transaction commits', async (t) => {
    await t.rejects(
      db.transaction(async (tx) => {
        await enqueueNotifications(tx, [welcome('rolled-back@example.org')]);
        throw new Error('the change failed after queuing its message');
      }),
      /the change failed/,
    );
    await db.transaction((tx) => enqueueNotifications(tx, [welcome('committed@example.org')]));
    const rows = await queryRows<{ recipient: string }>(db, sql`SELECT recipient FROM notifications WHERE recipient LIKE '%ed@example.org'`);
    t.same(
      rows.map((r) => r.recipient),
      ['committed@example.org'],
    );
    await drain(sender(db, fakeTransport()));
  });

  await t.test('a repeated dedupe key queues one message', async (t) => {
    const first = await db.transaction((tx) => enqueueNotifications(tx, [{ ...welcome('once@example.org'), dedupeKey: 'once' }]));
    const again = await db.transaction((tx) => enqueueNotifications(tx, [{ ...welcome('once@example.org'), dedupeKey: 'once' }]));
    t.same([first, again], [1, 0]);
    await drain(sender(db, fakeTransport()));
  });

  await t.test('two senders racing deliver each message once', async (t) => {
    const recipients = Array.from({ length: 40 }, (_, i) => `race${i}@example.org`);
    await db.transaction((tx) => enqueueNotifications(tx, recipients.map(welcome)));
    // On PostgreSQL the second sender has its own pool, as another API instance would.
    const other = kind === 'postgres' ? await openDatabase({ kind: 'postgres', url: ta.databaseUrl!, poolMax: 5 }) : undefined;
    t.teardown(() => other?.close());
    const a = fakeTransport();
    const b = fakeTransport();
    await Promise.all([drain(sender(db, a, 3)), drain(sender(other?.db ?? db, b, 3))]);
    const all = [...a.delivered, ...b.delivered].map((m) => m.to);
    t.equal(all.length, recipients.length, 'no duplicates');
    t.same(new Set(all), new Set(recipients), 'and none missed');
    if (kind === 'postgres') t.ok(a.delivered.length > 0 && b.delivered.length > 0, 'both senders took a share');
    const [left] = await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM notifications WHERE sent_at IS NULL`);
    t.equal(left!.n, 0);
    t.match(a.delivered[0], { subject: 'Your SEND Mediator Register account', text: /Hello Sam Example/ });
  });

  await t.test('a failing transport retries after a backoff, then succeeds once', async (t) => {
    let down = true;
    const transport = fakeTransport((m) => down && m.to === 'flaky@example.org');
    const s = sender(db, transport);
    await db.transaction((tx) => enqueueNotifications(tx, [welcome('flaky@example.org')]));

    t.match(await s.deliverDue(), { sent: 0, failed: 1 });
    t.match(await row(db, 'flaky@example.org'), { attempts: 1, lastError: 'mailbox unavailable for flaky@example.org', sentAt: null, due: false, lockedUntil: null });
    t.match(await s.deliverDue(), { sent: 0, failed: 0 }, 'not retried before its backoff');

    down = false;
    await db.execute(sql`UPDATE notifications SET send_after = now() WHERE recipient = 'flaky@example.org'`); // the backoff passes
    t.match(await s.deliverDue(), { sent: 1, failed: 0 });
    t.match(await s.deliverDue(), { sent: 0, failed: 0 });
    t.equal(transport.delivered.filter((m) => m.to === 'flaky@example.org').length, 1, 'delivered exactly once');
    t.match(await row(db, 'flaky@example.org'), { attempts: 2, lastError: null });
    t.ok((await row(db, 'flaky@example.org')).sentAt);
  });

  await t.test('the sender gives up after the last attempt; a bad template fails without blocking others', async (t) => {
    const s = sender(
      db,
      fakeTransport((m) => m.to === 'dead@example.org'),
    );
    await db.transaction((tx) =>
      enqueueNotifications(tx, [
        welcome('dead@example.org'),
        { recipient: 'typo@example.org', template: 'no_such_template' as 'welcome', data: { fullName: 'Sam Example' } },
        welcome('fine@example.org'),
      ]),
    );
    for (let i = 0; i < MAX_DELIVERY_ATTEMPTS + 2; i++) {
      await s.deliverDue();
      await db.execute(sql`UPDATE notifications SET send_after = now() WHERE sent_at IS NULL`);
    }
    t.match(await row(db, 'dead@example.org'), { attempts: MAX_DELIVERY_ATTEMPTS, sentAt: null });
    t.match(await row(db, 'typo@example.org'), { attempts: MAX_DELIVERY_ATTEMPTS, lastError: 'Unknown notification template: no_such_template' });
    t.ok((await row(db, 'fine@example.org')).sentAt);
  });

  await t.test('a claim left by a sender that died is taken again when its lease ends', async (t) => {
    await db.transaction((tx) => enqueueNotifications(tx, [welcome('orphan@example.org')]));
    await db.execute(sql`UPDATE notifications SET locked_until = now() + interval '1 minute', attempts = 1 WHERE recipient = 'orphan@example.org'`);
    const transport = fakeTransport();
    await sender(db, transport).deliverDue();
    t.same(transport.delivered, [], 'leased: left alone');
    await db.execute(sql`UPDATE notifications SET locked_until = now() - interval '1 second' WHERE recipient = 'orphan@example.org'`);
    await sender(db, transport).deliverDue();
    t.same(
      transport.delivered.map((m) => m.to),
      ['orphan@example.org'],
    );
  });

  await t.test('GET /v1/admin/notifications: roles, body scoping, filters, pages, no message data', async (t) => {
    const registrar = await ta.staff('registrar');
    const adminCom = await ta.staff('admin', 'com');
    const com = await ta.mediator('com-member@example.org', 'Com Member');
    const cmc = await ta.mediator('cmc-member@example.org', 'Cmc Member');
    await accredit(ta, com.mediatorId, { body: 'com', route: 'grandfathered_2018', firstAccreditedOn: '2019-01-01', complianceStartOn: '2025-04-01' });
    await accredit(ta, cmc.mediatorId, { body: 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-01-01', complianceStartOn: '2025-04-01' });

    const list = (token: string, query = '') => ta.request({ method: 'GET', url: `/v1/admin/notifications${query}`, token });
    t.equal((await list(com.token)).statusCode, 403, 'mediator');
    t.equal((await list((await ta.staff('assessor')).token)).statusCode, 403, 'assessor');
    t.equal((await ta.request({ method: 'GET', url: '/v1/admin/notifications' })).statusCode, 401);

    const asAdmin = await list(adminCom.token, '?limit=100');
    t.equal(asAdmin.statusCode, 200);
    t.same(
      asAdmin.json().items.map((n: { recipient: string }) => n.recipient),
      ['com-member@example.org'],
      "an admin sees their body's mediators only",
    );
    t.match(asAdmin.json().items[0], { userId: com.userId, template: 'welcome', status: 'pending', attempts: 0, sentAt: null });
    t.notOk('data' in asAdmin.json().items[0], 'message data (it may hold claim tokens) is not listed');

    const failed = await list(registrar.token, '?status=failed');
    t.same(
      failed
        .json()
        .items.map((n: { recipient: string }) => n.recipient)
        .sort(),
      ['dead@example.org', 'typo@example.org'],
    );
    t.match(failed.json().items[0], { status: 'failed', lastError: /./ });
    const byRecipient = await list(registrar.token, '?recipient=FLAKY@example.org');
    t.match(byRecipient.json().items, [{ recipient: 'flaky@example.org', status: 'sent', attempts: 2 }]);
    const byUser = await list(registrar.token, `?userId=${cmc.userId}&template=welcome&status=pending`);
    t.same(
      byUser.json().items.map((n: { recipient: string }) => n.recipient),
      ['cmc-member@example.org'],
    );

    const [{ total }] = (await queryRows<{ total: number }>(db, sql`SELECT count(*)::int AS total FROM notifications`)) as [{ total: number }];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(registrar.token, `?limit=6${cursor ? `&cursor=${cursor}` : ''}`);
      t.equal(res.statusCode, 200);
      seen.push(...res.json().items.map((n: { id: string }) => n.id));
      cursor = res.json().nextCursor;
    } while (cursor);
    t.equal(seen.length, total, 'every message');
    t.equal(new Set(seen).size, total, 'once');

    const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    for (const bad of [`cursor=${forged}`, 'status=lost', 'userId=me', 'data=1']) t.equal((await list(registrar.token, `?${bad}`)).statusCode, 400, bad);
  });
});

await t.test('a listening API process starts the sender and stops it on close', { timeout: 60_000 }, async (t) => {
  const transport = fakeTransport();
  const ta = await buildTestApp(t, 'pglite', { env: { OUTBOX_POLL_MS: '100' }, mailTransport: transport });
  await ta.mediator('listening@example.org', 'Listening Person');
  t.same(transport.delivered, [], 'nothing is sent by a request itself');
  await ta.app.listen({ port: 0, host: '127.0.0.1' });
  // Two messages wait: the verification link the registration sent and the welcome, in either order.
  const welcomed = () => transport.delivered.some((m) => m.subject === 'Your SEND Mediator Register account');
  await transport.deliveredWhen(() => welcomed() && transport.delivered.length >= 2);
  t.same(
    transport.delivered.map((m) => m.to),
    ['listening@example.org', 'listening@example.org'],
    'both sent, once each',
  );
  t.ok(welcomed());
  t.notOk(transport.closed, 'the transport stays open while the process listens');
  await ta.app.close();
  t.ok(transport.closed, 'the sender stopped: its last step closes the transport');
  const sendsAtClose = transport.attempts;
  await ta.database.db.transaction((tx) => enqueueNotifications(tx, [welcome('after-close@example.org')]));
  await new Promise((r) => setTimeout(r, 300));
  t.equal(transport.attempts, sendsAtClose, 'no delivery after close');
});

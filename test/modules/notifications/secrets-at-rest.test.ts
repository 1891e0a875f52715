import t from 'tap';
import { queryRows, sql, type Db } from '../../../src/db/client.ts';
import type { MailMessage } from '../../../src/modules/notifications/mail-transport.ts';
import { enqueueNotifications } from '../../../src/modules/notifications/outbox.ts';
import { MAX_DELIVERY_ATTEMPTS } from '../../../src/db/schema.ts';
import { createOutboxSender } from '../../../src/modules/notifications/outbox-sender.ts';
import type { TemplateData } from '../../../src/modules/notifications/templates.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';

const dataOf = async (db: Db, recipient: string) => (await queryRows<{ data: Record<string, unknown> }>(db, sql`SELECT data FROM notifications WHERE recipient = ${recipient}`))[0]!.data;

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const db = ta.database.db;
  const delivered: MailMessage[] = [];
  let failing = false;
  const sender = createOutboxSender({
    db,
    transport: {
      async send(m) {
        if (failing) throw new Error('mailbox unavailable');
        delivered.push(m);
      },
    },
    onError: (err) => {
      throw err;
    },
  });

  await t.test('a claim code leaves the outbox row when the mail is sent, and never shows in the admin list or the audit', async (t) => {
    const admin = await ta.staff('admin', 'com');
    const imported = await ta.request({
      method: 'POST',
      url: '/v1/admin/imports/grandfathered',
      token: admin.token,
      payload: [{ fullName: 'Siân Jones', email: 'sian@example.org', membershipNumber: 'COM-1', firstAccreditedOn: '2019-05-01', regions: ['london'], languages: ['en'] }],
    });
    t.equal(imported.statusCode, 200);
    // The claim mail carries its code as a link (or, before links, as the bare token).
    const queued = await dataOf(db, 'sian@example.org');
    const code = typeof queued.link === 'string' ? new URL(queued.link).searchParams.get('code')! : (queued.token as string);
    t.ok(code.length >= 20, 'queued with its code, as the mail needs it');

    const list = (status: string) => ta.request({ method: 'GET', url: `/v1/admin/notifications?template=claim_account&status=${status}`, token: admin.token });
    const pending = await list('pending');
    t.equal(pending.json().items.length, 1);
    t.notOk(pending.body.includes(code), 'the admin list does not show the code before sending');

    const audit = await queryRows<{ row: string }>(db, sql`SELECT row_to_json(a)::text AS row FROM audit_events a`);
    t.ok(audit.length > 0);
    t.notOk(
      audit.some((a) => a.row.includes(code)),
      'no audit event carries the code',
    );

    await sender.deliverDue();
    t.match(delivered.at(-1)!.text, code, 'the mail carried it');
    const after = await dataOf(db, 'sian@example.org');
    t.notOk('token' in after || 'link' in after, 'the sent row no longer holds the code');
    t.notOk(JSON.stringify(after).includes(code));
    t.equal(after.fullName, 'Siân Jones', 'the rest of the data is kept');
    const sent = await list('sent');
    t.equal(sent.json().items.length, 1);
    t.notOk(sent.body.includes(code));
  });

  await t.test('a link is kept for retries, and dropped when the sender gives up', async (t) => {
    const link = 'https://register.example.org/reset?code=the-single-use-code';
    await db.transaction((tx) => enqueueNotifications(tx, [{ recipient: 'bounce@example.org', template: 'welcome', data: { fullName: 'Sam', link } as TemplateData['welcome'] }]));
    failing = true;
    t.teardown(() => void (failing = false));
    await sender.deliverDue();
    t.equal((await dataOf(db, 'bounce@example.org')).link, link, 'a failed attempt keeps it for the next');

    // The last attempt: the claim counts it, so it is due with MAX_DELIVERY_ATTEMPTS - 1 behind it.
    await db.execute(sql`UPDATE notifications SET attempts = ${MAX_DELIVERY_ATTEMPTS - 1}, send_after = now() WHERE recipient = 'bounce@example.org'`);
    await sender.deliverDue();
    const [row] = await queryRows<{ attempts: number; data: Record<string, unknown> }>(db, sql`SELECT attempts, data FROM notifications WHERE recipient = 'bounce@example.org'`);
    t.equal(row!.attempts, MAX_DELIVERY_ATTEMPTS, 'given up');
    t.same(row!.data, { fullName: 'Sam' }, 'and the link is gone');
  });
});

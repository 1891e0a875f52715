import t from 'tap';
import { createHash } from 'node:crypto';
import { commitment, commitmentsIn, commitPersonalValues, ERASED, leafBytes, redact, revealPersonalValues, type EventFields } from '../../../src/modules/audit/audit-leaf.ts';
import { londonDayEnd, londonDayStart } from '../../../src/modules/audit/audit-service.ts';

const fields = (n: number): EventFields => ({
  occurredAt: `2025-06-0${n}T10:00:00.000Z`,
  actorType: 'user',
  actorId: '00000000-0000-4000-8000-000000000001',
  actorRole: 'registrar',
  action: 'user.role_changed',
  entityType: 'user',
  entityId: `user-${n}`,
  before: { role: 'mediator', body: null },
  after: { body: 'com', role: 'admin' },
  requestId: `req-${n}`,
});

t.test('leaf bytes: canonical JSON of the event, whatever order keys were written in', async (t) => {
  const f = fields(1);
  const bytes = leafBytes(f).toString('utf8');
  t.equal(
    bytes,
    '{"action":"user.role_changed","actorId":"00000000-0000-4000-8000-000000000001","actorRole":"registrar","actorType":"user","after":{"body":"com","role":"admin"},' +
      '"before":{"body":null,"role":"mediator"},"entityId":"user-1","entityType":"user","occurredAt":"2025-06-01T10:00:00.000Z","requestId":"req-1"}',
  );
  t.same(leafBytes({ ...f, after: { role: 'admin', body: 'com' } }), leafBytes(f));
  t.not(leafBytes({ ...f, after: { role: 'registrar', body: 'com' } }).toString(), bytes);
  t.equal(
    leafBytes({ ...f, before: undefined })
      .toString()
      .includes('"before":null'),
    true,
    'absent snapshots are null',
  );
});

t.test('personal values: committed with a fresh salt, revealed, erased', async (t) => {
  const snapshot = { email: 'ann@example.org', fullName: 'Ann Example', role: 'mediator', hours: 3, nested: { reason: 'moved away', status: 'lapsed' }, notes: ['one', 'two'] };
  const { committed, values } = commitPersonalValues(snapshot);
  t.equal(values.length, 5, 'email, name, reason and both notes');
  const text = JSON.stringify(committed);
  for (const v of ['ann@example.org', 'Ann Example', 'moved away', 'one', 'two']) t.notOk(text.includes(v), `${v} is not in the leaf`);
  t.match(committed, { role: 'mediator', hours: 3, nested: { status: 'lapsed' } }, 'other values stay as they are');
  for (const v of values) {
    // SHA-256(salt || value), by hand.
    t.equal(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from(v.salt, 'base64'), Buffer.from(v.value)]))
        .digest('base64'),
      v.commitment,
    );
    t.equal(Buffer.from(v.salt, 'base64').length, 16);
  }
  t.same(commitmentsIn(committed), new Set(values.map((v) => v.commitment)));
  const all = new Map(values.map((v) => [v.commitment, v.value]));
  t.same(revealPersonalValues(committed, all), snapshot, 'revealed whole');
  const erased = revealPersonalValues(committed, new Map());
  t.same(erased, { ...snapshot, email: ERASED, fullName: ERASED, nested: { reason: ERASED, status: 'lapsed' }, notes: [ERASED, ERASED] });
  const again = commitPersonalValues(snapshot);
  t.not(JSON.stringify(again.committed), text, 'the same value commits differently each time');
  t.equal(commitment(values[0]!.salt, values[0]!.value), values[0]!.commitment);
});

t.test('redact drops secrets at any depth and keeps the rest as JSON', async (t) => {
  const at = new Date('2025-06-02T10:00:00Z');
  t.same(redact({ email: 'a@example.org', passwordHash: 'x', nested: { refreshToken: 'y', clientSecret: 'z', ok: 1 }, at }), {
    email: 'a@example.org',
    nested: { ok: 1 },
    at: '2025-06-02T10:00:00.000Z',
  });
  t.equal(redact(undefined), null);
});

t.test('London days: midnight in London, across the clock changes', async (t) => {
  t.equal(londonDayStart('2025-01-15').toISOString(), '2025-01-15T00:00:00.000Z', 'GMT');
  t.equal(londonDayStart('2025-06-02').toISOString(), '2025-06-01T23:00:00.000Z', 'BST');
  t.equal(londonDayEnd('2025-03-30').toISOString(), '2025-03-30T23:00:00.000Z', 'the 23-hour day clocks go forward');
  t.equal(londonDayEnd('2025-10-26').toISOString(), '2025-10-27T00:00:00.000Z', 'the 25-hour day clocks go back');
});

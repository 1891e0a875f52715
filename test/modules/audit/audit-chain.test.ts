import t from 'tap';
import { GENESIS_HASH, checkChain, eventHash, redact, type ChainedFields, type StoredEvent } from '../../../src/modules/audit/audit-chain.ts';
import { londonDayEnd, londonDayStart } from '../../../src/modules/audit/audit-service.ts';

const fields = (n: number): ChainedFields => ({
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

function chain(count: number): StoredEvent[] {
  let prevHash = GENESIS_HASH;
  return Array.from({ length: count }, (_, i) => {
    const f = fields(i + 1);
    const hash = eventHash(prevHash, f);
    const e = { ...f, seq: i + 1, prevHash, hash };
    prevHash = hash;
    return e;
  });
}

t.test('an untouched chain checks out to its last hash', async (t) => {
  const events = chain(3);
  t.same(checkChain(GENESIS_HASH, events), { headHash: events[2]!.hash });
  t.same(checkChain(GENESIS_HASH, []), { headHash: GENESIS_HASH }, 'empty');
  t.same(checkChain(events[0]!.hash, events.slice(1)), { headHash: events[2]!.hash }, 'continues from a batch before');
});

t.test('the hash covers the content, not the order keys were written in', async (t) => {
  const f = fields(1);
  t.equal(eventHash(GENESIS_HASH, { ...f, after: { role: 'admin', body: 'com' } }), eventHash(GENESIS_HASH, f));
  t.not(eventHash(GENESIS_HASH, { ...f, after: { role: 'registrar', body: 'com' } }), eventHash(GENESIS_HASH, f));
  t.not(eventHash('f'.repeat(64), f), eventHash(GENESIS_HASH, f), 'and the hash before it');
});

t.test('an altered event is named by its own hash', async (t) => {
  const events = chain(3);
  events[1] = { ...events[1]!, after: { role: 'registrar', body: null } };
  t.match(checkChain(GENESIS_HASH, events), { break: { seq: 2, reason: 'hash_mismatch', found: events[1]!.hash } });
});

t.test('a removed event shows at the one after it', async (t) => {
  const events = chain(3);
  t.match(checkChain(GENESIS_HASH, [events[0]!, events[2]!]), { break: { seq: 3, reason: 'prev_hash_mismatch', expected: events[0]!.hash, found: events[1]!.hash } });
});

t.test('a rewritten hash does not hide an edit: the next event no longer fits', async (t) => {
  const events = chain(3);
  const edited = { ...events[1]!, entityId: 'someone-else' };
  events[1] = { ...edited, hash: eventHash(edited.prevHash, edited) };
  t.match(checkChain(GENESIS_HASH, events), { break: { seq: 3, reason: 'prev_hash_mismatch' } });
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

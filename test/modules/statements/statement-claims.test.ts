import { createHash } from 'node:crypto';
import t from 'tap';
import { StatementClaimsSchema } from '../../../schemas/statements.ts';
import { historyDigest, statementClaims } from '../../../src/modules/statements/statement-claims.ts';

const entry = { id: '3f2b8c1e-5d4a-4b6c-9e7f-1a2b3c4d5e6f', status: 'lapsed' as const, statusSince: '2026-05-31', fullName: 'Zoë Ellis', body: 'com' as const, membershipNumber: 'COM-01234' };
const history = [
  { status: 'accredited', date: '2019-06-01' },
  { status: 'lapsed', date: '2026-05-31' },
];

t.test('the history digest: SHA-256 of the items with sorted keys and no whitespace, base64url', async (t) => {
  const expected = createHash('sha256').update('[{"date":"2019-06-01","status":"accredited"},{"date":"2026-05-31","status":"lapsed"}]').digest('base64url');
  t.equal(historyDigest(history), `sha-256:${expected}`);
  t.equal(historyDigest([{ date: '2019-06-01', status: 'accredited' }, history[1]!]), historyDigest(history), 'key order does not matter');
  t.not(historyDigest(history.slice(0, 1)), historyDigest(history), 'a change of history changes it');
  t.match(historyDigest([]), /^sha-256:[\w-]{43}$/, 'an empty history has one too');
});

t.test('the claims: whole seconds, expiry TTL days later, the entry as stated', async (t) => {
  const claims = statementClaims(entry, history, { issuer: 'https://register.example.org', issuedAt: new Date('2026-06-02T10:00:00.750Z'), ttlDays: 30 });
  t.same(claims, {
    iss: 'https://register.example.org',
    sub: entry.id,
    iat: 1780394400,
    exp: 1780394400 + 30 * 86_400,
    status: 'lapsed',
    statusSince: '2026-05-31',
    fullName: 'Zoë Ellis',
    body: 'com',
    membershipNumber: 'COM-01234',
    historyDigest: historyDigest(history),
  });
  t.ok(StatementClaimsSchema.safeParse(claims).success, 'what the verify page accepts as a statement');
  t.equal(statementClaims(entry, history, { issuer: 'x', issuedAt: new Date(0), ttlDays: 1 }).exp, 86_400);
});

import t from 'tap';
import { checkStatusTransition } from '../../src/domain/status-transitions.ts';
import type { EntryStatus } from '../../src/domain/vocabulary.ts';

const registrar = { role: 'registrar' as const, body: null };
const comAdmin = { role: 'admin' as const, body: 'com' as const };

t.test('allowed moves (DOMAIN.md "Register entry")', async (t) => {
  const table: Array<[EntryStatus, EntryStatus, boolean]> = [
    ['accredited', 'suspended', true],
    ['accredited', 'lapsed', true],
    ['accredited', 'removed', true],
    ['suspended', 'accredited', true],
    ['suspended', 'removed', true],
    ['suspended', 'lapsed', false],
    ['lapsed', 'accredited', true],
    ['lapsed', 'removed', true],
    ['lapsed', 'suspended', false],
    ['removed', 'accredited', false],
    ['removed', 'suspended', false],
    ['accredited', 'accredited', false],
  ];
  for (const [from, to, ok] of table) t.equal(checkStatusTransition(from, to, registrar, 'cmc').ok, ok, `${from} → ${to}`);
});

t.test('who may make them', async (t) => {
  t.same(checkStatusTransition('accredited', 'suspended', comAdmin, 'com'), { ok: true }, 'an admin of the entry’s body');
  t.same(checkStatusTransition('accredited', 'suspended', comAdmin, 'cmc'), { ok: false, reason: 'other_body' });
  t.same(checkStatusTransition('accredited', 'suspended', { role: 'mediator', body: null }, 'com'), { ok: false, reason: 'forbidden_role' });
  t.same(checkStatusTransition('accredited', 'suspended', { role: 'assessor', body: null }, 'com'), { ok: false, reason: 'forbidden_role' });
  t.same(checkStatusTransition('accredited', 'lapsed', { role: 'system', body: null }, 'com'), { ok: true }, 'the compliance job');
});

t.test('onto the register: from no status only to accredited (approval, import)', async (t) => {
  t.same(checkStatusTransition(null, 'accredited', registrar, 'com'), { ok: true });
  t.same(checkStatusTransition(null, 'accredited', comAdmin, 'cmc'), { ok: false, reason: 'other_body' });
  for (const to of ['suspended', 'lapsed', 'removed'] as const) t.same(checkStatusTransition(null, to, registrar, 'com'), { ok: false, reason: 'not_allowed' }, `none → ${to}`);
});

import t from 'tap';
import { explainStatus, isGone, removedVisibleFrom, statusOn, type HistoryEntry } from '../../src/domain/public-status.ts';
import { ENTRY_STATUSES } from '../../src/domain/vocabulary.ts';

t.test('each status explained in one plain sentence with its date, never a reason', async (t) => {
  t.equal(explainStatus('lapsed', '2026-05-31').split(': ')[0], 'Lapsed on 31 May 2026');
  t.match(explainStatus('accredited', '2019-06-01'), /^Accredited since 1 June 2019: .*may be booked/);
  t.match(explainStatus('suspended', '2024-01-10'), /^Suspended on 10 January 2024: .*not accredited/);
  t.match(explainStatus('removed', '2024-01-10'), /^Removed from the register on 10 January 2024: .*no longer accredited/);
  for (const status of ENTRY_STATUSES) {
    const sentence = explainStatus(status, '2024-01-10');
    t.equal(sentence.match(/[.!?](\s|$)/g)?.length, 1, `${status}: one sentence`);
    t.notMatch(sentence, /\bCPD\b|reason|complain/i, `${status}: plain words, no reason`);
  }
});

t.test('a removed entry stays in view for its years, then is gone', async (t) => {
  t.equal(removedVisibleFrom('2026-12-02', 5), '2021-12-02');
  t.equal(removedVisibleFrom('2028-02-29', 5), '2023-02-29', 'a cutoff that is no real date still compares in order');
  const removed = (statusSince: string) => ({ status: 'removed' as const, statusSince });
  t.notOk(isGone(removed('2021-12-02'), '2021-12-02'), 'removed exactly five years ago today: still in view');
  t.ok(isGone(removed('2021-12-01'), '2021-12-02'), 'a day more: gone');
  t.ok(isGone(removed('2023-02-28'), '2023-02-29'), 'the day before a 29 February cutoff: gone');
  t.notOk(isGone(removed('2023-03-01'), '2023-02-29'));
  t.notOk(isGone({ status: 'lapsed', statusSince: '2001-01-01' }, '2021-12-02'), 'only removal ever leaves public view');
});

t.test('status on a date: across a lapse and a reinstatement, on the change days themselves', async (t) => {
  const history: HistoryEntry[] = [
    { status: 'accredited', date: '2019-06-01' },
    { status: 'lapsed', date: '2025-05-31' },
    { status: 'accredited', date: '2025-09-15' },
    // Two changes on one day: the later is in force at the end of it.
    { status: 'suspended', date: '2026-02-03' },
    { status: 'accredited', date: '2026-02-03' },
  ];
  const at = (asOf: string) => statusOn(history, asOf);
  t.same(at('2019-05-31'), { status: 'not_registered', since: null, historyEntry: null }, 'the day before the first accreditation');
  t.same(at('2019-06-01'), { status: 'accredited', since: '2019-06-01', historyEntry: { status: 'accredited', date: '2019-06-01' } }, 'the day of accreditation');
  t.same(at('2025-05-30'), { status: 'accredited', since: '2019-06-01', historyEntry: { status: 'accredited', date: '2019-06-01' } }, 'the day before the lapse');
  t.same(at('2025-05-31'), { status: 'lapsed', since: '2025-05-31', historyEntry: { status: 'lapsed', date: '2025-05-31' } }, 'the day of the lapse');
  t.same(at('2025-09-14'), { status: 'lapsed', since: '2025-05-31', historyEntry: { status: 'lapsed', date: '2025-05-31' } }, 'the day before reinstatement');
  t.same(at('2025-09-15'), { status: 'accredited', since: '2025-09-15', historyEntry: { status: 'accredited', date: '2025-09-15' } }, 'the day of reinstatement');
  t.same(at('2026-02-03').status, 'accredited', 'the last change of a day is in force at its end');
  t.same(at('2030-01-01').since, '2026-02-03');
  t.same(statusOn([], '2026-01-01').status, 'not_registered', 'no history at all');
});

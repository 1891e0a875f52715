import t from 'tap';
import { createRegisterCache } from '../../../src/modules/register/register-cache.ts';

type Answer = { text: string };
const at = (position: number, removedVisibleFrom = '2021-06-02') => ({ position, removedVisibleFrom });

/** A cache of answers sized by their length, and a computation that counts its runs. */
function setUp(maxSize = 1000) {
  const cache = createRegisterCache<Answer>({ maxSize, size: (a) => a.text.length });
  let runs = 0;
  const work = (text: string) => async () => {
    runs++;
    return { text };
  };
  return { cache, work, runs: () => runs };
}

t.test('an answer is kept for its version and key', async (t) => {
  const { cache, work, runs } = setUp();
  t.same(await cache.get(at(1), 'a', work('one')), { text: 'one' });
  t.same(await cache.get(at(1), 'a', work('other')), { text: 'one' }, 'the kept answer');
  t.same(await cache.get(at(1), 'b', work('two')), { text: 'two' }, 'another key is worked out');
  t.equal(runs(), 2);
  t.same(cache.stats(), { hits: 1, misses: 2, size: 6 });
});

t.test('a newer version (a change, or the next day) drops every kept answer', async (t) => {
  const { cache, work } = setUp();
  await cache.get(at(1), 'a', work('one'));
  t.same(await cache.get(at(2), 'a', work('two')), { text: 'two' }, 'the head moved');
  t.same(await cache.get(at(2, '2021-06-03'), 'a', work('three')), { text: 'three' }, 'the day moved');
  t.same(await cache.get(at(1, '2021-06-04'), 'a', work('four')), { text: 'four' }, 'a later day with a lower head is newer: the day is compared first');
  t.same(await cache.get(at(1, '2021-06-04'), 'a', work('five')), { text: 'four' });
});

t.test('an asker holding an older version gets a fresh answer, and it is not kept', async (t) => {
  const { cache, work } = setUp();
  await cache.get(at(5), 'a', work('at five'));
  t.same(await cache.get(at(4), 'a', work('at four')), { text: 'at four' }, 'worked out for it');
  t.same(await cache.get(at(5), 'a', work('again')), { text: 'at five' }, 'what was kept for the newer version stays');
  t.same(await cache.get(at(4, '2021-06-01'), 'b', work('yesterday')), { text: 'yesterday' });
  t.same(await cache.get(at(5), 'b', work('today')), { text: 'today' }, 'nor was the older answer kept');
});

t.test('askers of one key at once share one computation', async (t) => {
  const { cache, work, runs } = setUp();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const slow = async () => {
    await gate;
    return work('shared')();
  };
  const answers = Promise.all([cache.get(at(1), 'a', slow), cache.get(at(1), 'a', slow), cache.get(at(1), 'a', slow)]);
  release();
  t.same(await answers, [{ text: 'shared' }, { text: 'shared' }, { text: 'shared' }]);
  t.equal(runs(), 1);
  t.same(cache.stats(), { hits: 2, misses: 1, size: 6 });
});

t.test('a failed computation reaches every asker and is not kept', async (t) => {
  const { cache, work } = setUp();
  const failing = async () => {
    throw new Error('connection lost');
  };
  await t.rejects(Promise.all([cache.get(at(1), 'a', failing), cache.get(at(1), 'a', failing)]), /connection lost/);
  t.same(await cache.get(at(1), 'a', work('recovered')), { text: 'recovered' }, 'the next asker works it out again');
});

t.test('a computation of an older version that ends after a change is not kept for the newer one', async (t) => {
  const { cache, work } = setUp();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const late = cache.get(at(1), 'a', async () => {
    await gate;
    return { text: 'before the change' };
  });
  t.same(await cache.get(at(2), 'a', work('after the change')), { text: 'after the change' });
  release();
  t.same(await late, { text: 'before the change' }, 'its own asker still gets it');
  await cache.get(at(2), 'b', work('x'));
  t.same(await cache.get(at(2), 'a', work('not used')), { text: 'after the change' });
});

t.test('full: the least recently used go first, and an answer larger than the whole is not kept', async (t) => {
  const { cache, work } = setUp(10);
  await cache.get(at(1), 'a', work('aaaa'));
  await cache.get(at(1), 'b', work('bbbb'));
  await cache.get(at(1), 'a', work('used'));
  await cache.get(at(1), 'c', work('cccc'));
  t.equal(cache.stats().size, 8, 'b went to make room');
  t.same(await cache.get(at(1), 'a', work('new')), { text: 'aaaa' }, 'a, used lately, stayed');
  t.same(await cache.get(at(1), 'b', work('b again')), { text: 'b again' });
  t.same(await cache.get(at(1), 'big', work('eleven long')), { text: 'eleven long' });
  t.same(await cache.get(at(1), 'big', work('worked out again')), { text: 'worked out again' });
});

t.test('a size of 0 keeps nothing', async (t) => {
  const { cache, work, runs } = setUp(0);
  await cache.get(at(1), 'a', work('one'));
  t.same(await cache.get(at(1), 'a', work('two')), { text: 'two' });
  t.equal(runs(), 2);
  t.same(cache.stats(), { hits: 0, misses: 2, size: 0 });
});

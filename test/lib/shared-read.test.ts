import t from 'tap';
import { sharedRead } from '../../src/lib/shared-read.ts';

/** A read whose runs the test ends by hand: each run answers the number of the run. */
function manualRead() {
  const runs: Array<{ end: (err?: Error) => void }> = [];
  const read = () =>
    new Promise<number>((resolve, reject) => {
      const n = runs.length + 1;
      runs.push({ end: (err) => (err ? reject(err) : resolve(n)) });
    });
  return { read, runs };
}
const tick = () => new Promise((r) => setImmediate(r));

t.test('callers asking while a read runs share the next one, begun after they asked', async (t) => {
  const { read, runs } = manualRead();
  const shared = sharedRead(read);
  const first = shared();
  t.equal(runs.length, 1);
  const [second, third] = [shared(), shared()];
  await tick();
  t.equal(runs.length, 1, 'no second read while one runs');
  runs[0]!.end();
  t.equal(await first, 1);
  await tick();
  t.equal(runs.length, 2, 'the next read begins when the first ends');
  const fourth = shared();
  runs[1]!.end();
  t.same(await Promise.all([second, third]), [2, 2], 'the two who asked meanwhile share it: neither gets the read begun before it asked');
  await tick();
  t.equal(runs.length, 3, 'one who asked while that read ran gets another');
  runs[2]!.end();
  t.equal(await fourth, 3);
});

t.test('alone, a caller reads at once', async (t) => {
  const { read, runs } = manualRead();
  const shared = sharedRead(read);
  const one = shared();
  runs[0]!.end();
  t.equal(await one, 1);
  await tick();
  const two = shared();
  t.equal(runs.length, 2, 'began at once: nothing was running');
  runs[1]!.end();
  t.equal(await two, 2);
});

t.test('a failed read fails those sharing it; the next caller reads afresh', async (t) => {
  const { read, runs } = manualRead();
  const shared = sharedRead(read);
  const first = shared();
  const [a, b] = [shared(), shared()];
  runs[0]!.end();
  await first;
  await tick();
  runs[1]!.end(new Error('connection lost'));
  await t.rejects(a, /connection lost/);
  await t.rejects(b, /connection lost/);
  await tick();
  const next = shared();
  t.equal(runs.length, 3);
  runs[2]!.end();
  t.equal(await next, 3);
});

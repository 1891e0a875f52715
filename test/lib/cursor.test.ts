import t from 'tap';
import { keysetPage } from '../../src/lib/cursor.ts';

const rows = [1, 2, 3, 4, 5];
const fetchFrom = (asked: number[]) => async (count: number) => {
  asked.push(count);
  return rows.slice(0, count);
};

t.test('keysetPage asks for one row more than the page and gives the cursor after its last row when there are more', async (t) => {
  const asked: number[] = [];
  const page = await keysetPage(2, fetchFrom(asked), (last) => `after ${last}`);
  t.same(asked, [3]);
  t.same(page, { items: [1, 2], nextCursor: 'after 2' });
});

t.test('keysetPage has no cursor on the last page, full or not', async (t) => {
  t.same(await keysetPage(5, fetchFrom([]), String), { items: rows, nextCursor: null });
  t.same(await keysetPage(9, fetchFrom([]), String), { items: rows, nextCursor: null });
  t.same(await keysetPage(3, async () => [], String), { items: [], nextCursor: null });
});

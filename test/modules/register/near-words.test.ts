import t from 'tap';
import { allowedEdits, distanceLevels, editDistance, lengthRanges, levelScore, nearWords } from '../../../src/modules/register/near-words.ts';

t.test('edit distance: one edit each for an insertion, a deletion, a substitution and a swap of neighbours', async (t) => {
  t.equal(editDistance('john', 'john', 2), 0);
  t.equal(editDistance('jonh', 'john', 2), 1, 'swapped neighbours');
  t.equal(editDistance('jon', 'john', 2), 1, 'a letter missing');
  t.equal(editDistance('johhn', 'john', 2), 1, 'a letter too many');
  t.equal(editDistance('josh', 'jonh', 2), 1, 'a letter wrong');
  t.equal(editDistance('josh', 'john', 2), 2);
  t.equal(editDistance('jonh', 'jones', 2), 2);
  t.equal(editDistance('walkr', 'walker', 2), 1);
  t.equal(editDistance('zoë', 'zoe', 2), 1, 'letters, not bytes');
  t.equal(editDistance('', 'ab', 2), 2);
  t.equal(editDistance('abcdef', 'uvwxyz', 2), 3, 'over the limit: the limit and one');
  t.equal(editDistance('a', 'abcdef', 2), 3, 'lengths too far apart');
});

t.test('edits allowed grow with the word', async (t) => {
  t.same(['jo', 'zoe', 'jonh', 'walkr', 'mediaton'].map(allowedEdits), [0, 1, 1, 1, 2]);
  t.same(lengthRanges(['jo', 'jonh', 'mediaton']), [
    [2, 2],
    [3, 5],
    [6, 10],
  ]);
});

t.test('near words of each query word, by distance', async (t) => {
  const register = ['john', 'jon', 'jones', 'josh', 'smith', 'smyth', 'smiths', 'zoe'];
  t.same(nearWords(['jonh'], register), [[[], ['john', 'jon', 'josh']]]);
  t.same(nearWords(['smith', 'jonh'], register), [
    [['smith'], ['smyth', 'smiths']],
    [[], ['john', 'jon', 'josh']],
  ]);
  t.equal(nearWords(['jonh', 'xqzvw'], register), null, 'a query word with no near word: nothing matches');
  t.equal(nearWords(['jo'], register), null, 'two letters: only the word itself');
});

t.test('levels: the totals an entry can reach, closest first, and their scores', async (t) => {
  t.same(distanceLevels([[[], ['john']]]), [1]);
  t.same(
    distanceLevels([
      [['smith'], ['smyth']],
      [[], ['john'], ['jones']],
    ]),
    [1, 2, 3],
  );
  t.same([0, 1, 2].map(levelScore), [1, 0.5, 0.333333]);
});

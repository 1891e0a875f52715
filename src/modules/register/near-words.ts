/**
 * Typo tolerance of the public search, on words: which words of the register a mistyped word of a
 * query may mean. Plain functions; the repository fetches the register's words (register_name_words)
 * and finds the entries holding the words chosen here.
 */

/** Edits a query word of this length may differ by: none for 1-2 letters, 1 for 3-5, 2 for longer (as search engines' "auto" fuzziness). */
export const allowedEdits = (word: string): number => ([...word].length <= 2 ? 0 : [...word].length <= 5 ? 1 : 2);

/**
 * Edit distance (optimal string alignment: insertions, deletions, substitutions and swaps of two
 * neighbouring letters, each one edit; `jonh` is one from `john`), or `max + 1` as soon as it is
 * known to be over `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let before: number[] = [];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    before = previous;
    previous = row;
  }
  return Math.min(previous[t.length]!, max + 1);
}

/** The lengths of the register's words worth comparing with each query word: within its allowed edits. */
export const lengthRanges = (queryWords: readonly string[]): Array<[number, number]> => queryWords.map((w) => [Math.max(1, [...w].length - allowedEdits(w)), [...w].length + allowedEdits(w)]);

/** For one query word: the register's words within its allowed edits, by distance (index 0: the word itself). */
export type NearWords = string[][];

/**
 * Each query word's near words among `registerWords`, by distance; null when some query word has
 * none (an entry must hold a near word of every query word, so nothing matches).
 */
export function nearWords(queryWords: readonly string[], registerWords: readonly string[]): NearWords[] | null {
  const found = queryWords.map((q) => {
    const max = allowedEdits(q);
    const byDistance: NearWords = Array.from({ length: max + 1 }, () => []);
    for (const w of registerWords) {
      const d = editDistance(q, w, max);
      if (d <= max) byDistance[d]!.push(w);
    }
    return byDistance;
  });
  return found.every((byDistance) => byDistance.some((ws) => ws.length > 0)) ? found : null;
}

/**
 * The total distances an entry can have (each query word's closest near word, summed), smallest
 * first: the levels near misses are listed in, closest first.
 */
export function distanceLevels(near: readonly NearWords[]): number[] {
  let sums = new Set([0]);
  for (const byDistance of near) {
    const ds = byDistance.flatMap((ws, d) => (ws.length > 0 ? [d] : []));
    sums = new Set([...sums].flatMap((s) => ds.map((d) => s + d)));
  }
  return [...sums].sort((a, b) => a - b);
}

/** A near miss's score, for its place in the list and its cursor: 1 for every word found as typed, less the more edits; always under a substring match's. */
export const levelScore = (distance: number): number => Math.round(1_000_000 / (1 + distance)) / 1_000_000;

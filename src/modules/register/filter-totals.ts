import type { Queryable } from '../../db/client.ts';
import { registerHead } from './register-repository.ts';
import { countFiltered, type SearchQuery, type SearchTotal } from './register-search-repository.ts';

/** More filter combinations than the register has is a sign of something else: start afresh. */
const MOST_KEPT = 1000;

/**
 * The totals of searches without `q` (filters only: status, region, body, language), kept until the
 * register changes: until its head (the change feed's position, moved by every public change,
 * whoever makes it) or the day (a removal leaving public view) moves. The few such searches are
 * most of what people ask, and counting a thousand entries costs more than reading the page; the
 * head is one row. Per process: each server reads the head itself.
 */
export function createFilterTotals(db: Queryable) {
  let version = '';
  let totals = new Map<string, Promise<SearchTotal>>();
  return async (query: SearchQuery): Promise<SearchTotal> => {
    const { position } = await registerHead(db);
    const now = `${position}/${query.removedVisibleFrom}`;
    if (now !== version || totals.size >= MOST_KEPT) {
      version = now;
      totals = new Map();
    }
    const key = JSON.stringify([query.status ?? ['accredited'], query.region ?? null, query.body ?? null, query.language ?? null]);
    let total = totals.get(key);
    if (!total) {
      const kept = totals;
      total = countFiltered(db, query);
      kept.set(key, total);
      // A failed count is not kept: the next search counts again.
      total.catch(() => kept.delete(key));
    }
    return total;
  };
}

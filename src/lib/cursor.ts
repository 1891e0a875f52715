import { z } from 'zod';
import { DateSchema, IdSchema, TimestampSchema } from '../../schemas/common.ts';
import { problem } from '../errors.ts';

// ISO 8601 and zod have a year 0000; PostgreSQL does not, and would refuse it in the keyset query.
const notYearZero = (v: string) => !v.startsWith('0000');

/**
 * The parts keys are made of, as the lists write them: whatever a decoded key holds goes into SQL
 * as a date, a timestamp, a uuid or text, so each part is checked to be one PostgreSQL takes.
 */
export const cursorKey = {
  date: DateSchema.refine(notYearZero),
  /** In UTC (`Z`), as `Date.prototype.toISOString` writes it. */
  timestamp: TimestampSchema.refine(notYearZero),
  id: IdSchema,
  /** No text column holds a NUL. */
  text: z.string().refine((v) => !v.includes('\u0000')),
};

/**
 * Opaque keyset cursors: base64url JSON of the sort key of the last item returned. A list declares
 * the shape of its key once and uses this pair for both ends, so the decoder refuses (400, naming
 * `cursor`) anything that is not a key of that shape, whatever a client edited or made up.
 */
export function keysetCursor<Key extends z.ZodTuple>(shape: Key) {
  return {
    encode: (key: z.input<Key>): string => Buffer.from(JSON.stringify(key)).toString('base64url'),

    /** `field` names the query parameter that carried it, for the 400. */
    decode(cursor: string | undefined, field = 'cursor'): z.output<Key> | null {
      if (cursor === undefined) return null;
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        // Not JSON: refused below with every other cursor of the wrong shape.
      }
      const key = shape.safeParse(json);
      if (key.success) return key.data;
      throw problem('invalid-cursor', 'The cursor is not valid; start again without it.', [{ in: 'query', field, message: 'not a cursor returned by this list' }]);
    },
  };
}

/**
 * One page of a keyset list. `fetch` is asked for one row more than the page holds: that row only
 * tells there is a next page, which then starts after the page's last row (`after` makes its cursor).
 */
export async function keysetPage<Row, Next = string>(limit: number, fetch: (count: number) => Promise<Row[]>, after: (last: Row) => Next): Promise<{ items: Row[]; nextCursor: Next | null }> {
  const rows = await fetch(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? after(last) : null };
}

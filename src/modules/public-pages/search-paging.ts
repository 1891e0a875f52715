import { z } from 'zod';
import { RegisterSearchQuerySchema } from '../../../schemas/register.ts';

/**
 * Previous and next on the search page over the API's forward-only keyset cursors: a page's link
 * carries its own cursor, the cursors of the pages before it (`back`, oldest first) and its number.
 * "Previous" pops the last of `back`. Only the latest MAX_BACK ride along, so a link stays a few
 * kilobytes however deep someone pages; once "Previous" has used them up, the page links to page 1.
 */
export const MAX_BACK = 20;

const CursorSchema = RegisterSearchQuerySchema.shape.cursor.unwrap();
// The API's cursors are base64url; earlier pages' cursors are checked for that much when the link
// arrives, and decoded by the API when "Previous" uses them.
const EarlierCursorSchema = CursorSchema.regex(/^[\w-]+$/);

/** The paging parameters as sent; anything edited or made up fails here or when the API decodes the cursor. */
export const PagingSchema = z
  .object({
    cursor: CursorSchema.optional(),
    back: z
      .string()
      .max(MAX_BACK * 513)
      .transform((v) => v.split(','))
      .pipe(z.array(EarlierCursorSchema).max(MAX_BACK))
      .optional(),
    page: z.coerce.number().int().min(2).max(1_000_000).optional(),
  })
  .transform(({ cursor, back = [], page }, ctx) => {
    const number = page ?? (cursor === undefined ? 1 : back.length + 2);
    // Page 1 has no cursor; page N carries the cursors of pages 2 to N-1, or the latest of them.
    const consistent = cursor === undefined ? back.length === 0 && page === undefined : back.length <= Math.min(number - 2, MAX_BACK);
    if (!consistent) ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'not a page link made by this page' });
    return { cursor, back, page: number };
  });
export type Paging = z.output<typeof PagingSchema>;

const pagingParams = (p: Paging): [string, string][] =>
  p.cursor === undefined ? [] : [['cursor', p.cursor], ...(p.back.length ? [['back', p.back.join(',')] as [string, string]] : []), ['page', String(p.page)]];

/** The links around a page of results: `search` holds the search's own parameters (q and the filters). */
export function pagingLinks(search: URLSearchParams, current: Paging, nextCursor: string | null) {
  const href = (p: Paging) => `/?${new URLSearchParams([...search, ...pagingParams(p)])}`;
  const next: Paging | null = nextCursor ? { cursor: nextCursor, back: current.cursor === undefined ? [] : [...current.back, current.cursor].slice(-MAX_BACK), page: current.page + 1 } : null;
  const previous: Paging | null =
    current.page === 2 ? { cursor: undefined, back: [], page: 1 } : current.back.length > 0 ? { cursor: current.back.at(-1), back: current.back.slice(0, -1), page: current.page - 1 } : null;
  return {
    page: current.page,
    nextHref: next && href(next),
    previousHref: previous && href(previous),
    // Where "Previous" has used up the earlier cursors the link carried: a way back to the start.
    firstHref: previous === null && current.page > 1 ? href({ cursor: undefined, back: [], page: 1 }) : null,
  };
}

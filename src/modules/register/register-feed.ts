import { z } from 'zod';
import type { Tx } from '../../db/client.ts';
import { removedVisibleFrom } from '../../domain/public-status.ts';
import type { RegisterChangeKind } from '../../domain/vocabulary.ts';
import { problem } from '../../errors.ts';
import { londonDate } from '../../lib/clock.ts';
import { keysetCursor } from '../../lib/cursor.ts';
import type { ModuleDeps } from '../module.ts';
import type { RegisterChangesQuery } from '../../../schemas/register-changes.ts';
import { changesSince, insertGoneChanges, type ChangeRow } from './register-feed-repository.ts';
import { toPublicEntry, type PublicEntry } from './register-service.ts';

/** The feed's cursor: the position of the last change a reader has (0: none yet). */
const sinceCursor = keysetCursor(z.tuple([z.int().nonnegative()]));

/** The cursor that resumes the feed after `position` (the export gives its own, at its ETag). */
export const feedCursorAt = (position: number) => sinceCursor.encode([position]);

export interface FeedItem {
  position: number;
  kind: RegisterChangeKind;
  id: string;
  changedAt: string;
  entry: PublicEntry | null;
}

/**
 * A change as the public reads it: the entry as it now stands, not as the change left it, so a
 * reader applying items in order (upsert the entry by id, or delete it when null) ends where the
 * register is now, whichever cursor it started from. An entry out of public view has no record to
 * give, and whatever the change was, what it means to the reader now is `gone`.
 */
export function toFeedItem(c: ChangeRow): FeedItem {
  return { position: c.position, kind: c.entry ? c.kind : 'gone', id: c.mediatorId, changedAt: c.changedAt.toISOString(), entry: c.entry ? toPublicEntry(c.entry) : null };
}

/**
 * Records that removed entries past their years in public view have left it (see insertGoneChanges):
 * run by the daily compliance job, in its transaction.
 */
export const recordGoneEntries = (tx: Tx, now: Date, years: number) => insertGoneChanges(tx, removedVisibleFrom(londonDate(now), years));

/** The public change feed: every public change in commit order, resumable from any cursor it gave. */
export function createRegisterFeed({ db, clock, config }: ModuleDeps) {
  return {
    async changes({ since, limit }: RegisterChangesQuery) {
      const after = sinceCursor.decode(since, 'since')?.[0] ?? 0;
      const { head, changes } = await changesSince(db, after, limit, removedVisibleFrom(londonDate(clock()), config.REGISTER_REMOVED_VISIBLE_YEARS));
      // Positions only grow: one past the head was never given, so it was made up or edited.
      if (after > head) throw problem('invalid-cursor', 'The cursor is not valid; start again without it.', [{ in: 'query', field: 'since', message: 'past the latest change' }]);
      const items = changes.map(toFeedItem);
      // An empty page keeps the reader where it is: it polls again from the same place.
      return { items, nextCursor: feedCursorAt(items.at(-1)?.position ?? after), head };
    },
  };
}

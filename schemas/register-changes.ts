import { z } from 'zod';
import { REGISTER_CHANGE_KINDS } from '../src/domain/vocabulary.ts';
import { TimestampSchema } from './common.ts';
import { PublicEntrySchema } from './register.ts';

export const RegisterChangesQuerySchema = z.strictObject({
  since: z.string().max(100).optional().describe('The `nextCursor` of an earlier page (or the cursor a mirror kept); absent: from the first change'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type RegisterChangesQuery = z.infer<typeof RegisterChangesQuerySchema>;

// The entry examples are the public entry's own (one accredited, one lapsed).
const [accredited, lapsed] = PublicEntrySchema.meta()!.examples as Array<z.infer<typeof PublicEntrySchema>>;

export const RegisterChangeSchema = z
  .object({
    position: z.int().positive().describe('The change’s place in the feed: commit order, consecutive, never reused'),
    kind: z
      .enum(REGISTER_CHANGE_KINDS)
      .describe(
        '`added` (onto the register), `updated` (a public field), `status_changed`, or `gone`: the entry has left public view (a removal past its years), and `gone` stands for any earlier change of an entry now out of view',
      ),
    id: z.uuid().describe('The register entry id'),
    changedAt: TimestampSchema.describe('When the change was committed'),
    entry: PublicEntrySchema.nullable().describe('The entry as it stands now (not as the change left it), exactly as the export lists it; null when it is out of public view (delete it)'),
  })
  .meta({
    id: 'RegisterChange',
    examples: [
      { position: 4711, kind: 'status_changed', id: lapsed!.id, changedAt: '2026-05-31T02:00:07.125Z', entry: lapsed },
      { position: 4712, kind: 'gone', id: '5c0e8a71-2b9f-4d36-a1e4-7f3b9c2d8e60', changedAt: '2026-06-01T02:00:04.310Z', entry: null },
    ],
  });

export const RegisterChangesPageSchema = z
  .object({
    items: z.array(RegisterChangeSchema).describe('Changes after `since`, oldest first, at most `limit`'),
    nextCursor: z.string().describe('Always present: pass it back as `since` for the changes after these (the same cursor when there were none yet)'),
    head: z.int().nonnegative().describe('The position of the latest change; the export’s ETag is this number in quotes. Caught up when the last item’s position is the head'),
  })
  .meta({
    id: 'RegisterChangesPage',
    examples: [
      {
        items: [{ position: 4713, kind: 'updated', id: accredited!.id, changedAt: '2026-06-01T10:12:45.902Z', entry: accredited }],
        nextCursor: 'WzQ3MTNd',
        head: 4713,
      },
    ],
  });

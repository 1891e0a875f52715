import type { z } from 'zod';
import type { PracticeBodySchema, PracticePatchSchema } from '../../../schemas/practice.ts';
import type { Db } from '../../db/client.ts';
import { practiceEntries } from '../../db/schema.ts';
import { SEND_MEDIATION_KINDS } from '../../domain/evaluation.ts';
import { problem } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { createLogService } from './log-service.ts';

type PracticeRow = typeof practiceEntries.$inferSelect;

/** An outcome is recorded for SEND mediations and co-mediations, and only for them. */
function checkOutcome({ kind, outcome }: Partial<PracticeRow>) {
  const send = SEND_MEDIATION_KINDS.includes(kind!);
  if (send && !outcome)
    throw problem('practice-outcome-mismatch', 'A SEND mediation needs its outcome.', [{ in: 'body', field: 'outcome', message: 'required for SEND mediations and co-mediations' }]);
  if (!send && outcome) throw problem('practice-outcome-mismatch', 'Only SEND mediations have an outcome.', [{ in: 'body', field: 'outcome', message: `not recorded for ${kind}` }]);
}

/** A mediator's own practice log: mediations and supervision received. */
export const createPracticeService = (deps: { db: Db; clock: Clock }) =>
  createLogService<typeof practiceEntries, z.infer<typeof PracticeBodySchema>, z.infer<typeof PracticePatchSchema>>(deps, {
    table: practiceEntries,
    name: 'practice',
    label: 'The practice entry',
    check: checkOutcome,
  });

import type { z } from 'zod';
import type { CpdBodySchema, CpdPatchSchema } from '../../../schemas/cpd.ts';
import type { Db } from '../../db/client.ts';
import { cpdEntries } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { createLogService } from './log-service.ts';

/** A mediator's own CPD log. */
export const createCpdService = (deps: { db: Db; clock: Clock }) =>
  createLogService<typeof cpdEntries, z.infer<typeof CpdBodySchema>, z.infer<typeof CpdPatchSchema>>(deps, { table: cpdEntries, name: 'cpd', label: 'The CPD entry' });

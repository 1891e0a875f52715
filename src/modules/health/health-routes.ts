import { z } from 'zod';
import { ProblemSchema } from '../../../schemas/common.ts';
import type { Module } from '../module.ts';
import { serviceUnavailable } from '../../errors.ts';

const ReadySchema = z.object({
  status: z.literal('ready'),
  auditLog: z.object({
    treeSize: z.number().int().describe('Leaves (sealed events) in the audit log'),
    checkpointSize: z.number().int().nullable().describe('Tree size of the newest signed checkpoint'),
    unsealedEvents: z.number().int().describe('Events written but not sealed yet'),
    sealingLagSeconds: z.number().describe('Age of the oldest unsealed event (0 when none)'),
    refused: z.string().nullable().describe('Why this instance refused to sign a checkpoint (the stored log was rewritten), or null'),
  }),
});

/** The probes: liveness, and readiness (the database answers). */
export const healthModule: Module<'ping' | 'sealer'> = async (app, { ping, sealer }) => {
  // Probes call these every few seconds: their requests are not logged unless something goes wrong.
  app.get('/health', {
    logLevel: 'warn',
    config: { access: 'public' },
    schema: { tags: ['health'], summary: 'Liveness: the process is up', response: { 200: z.object({ status: z.literal('ok') }) } },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/ready', {
    logLevel: 'warn',
    config: { access: 'public' },
    schema: {
      tags: ['health'],
      summary: 'Readiness: the database answers; with how the audit log stands',
      description:
        'Ready when the database answers. `auditLog` says how far sealing lags behind the events written and whether this instance ' +
        'refused to sign a checkpoint because the stored log no longer extends an earlier one (a rewrite: see the operations guide). ' +
        'A refusal does not make the instance unready: the register keeps working while operators investigate.',
      response: { 200: ReadySchema, 503: ProblemSchema },
    },
    handler: async () => {
      try {
        await Promise.race([ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
      } catch {
        throw serviceUnavailable();
      }
      const log = await sealer.refreshStatus().catch(() => sealer.status());
      return { status: 'ready' as const, auditLog: log };
    },
  });
};

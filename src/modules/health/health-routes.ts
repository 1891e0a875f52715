import { z } from 'zod';
import { ProblemSchema } from '../../../schemas/common.ts';
import type { Module } from '../module.ts';
import { serviceUnavailable } from '../../errors.ts';

/** The probes: liveness, and readiness (the database answers). */
export const healthModule: Module<'ping'> = async (app, { ping }) => {
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
    schema: { tags: ['health'], summary: 'Readiness: the database answers', response: { 200: z.object({ status: z.literal('ready') }), 503: ProblemSchema } },
    handler: async () => {
      try {
        await Promise.race([ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
      } catch {
        throw serviceUnavailable();
      }
      return { status: 'ready' as const };
    },
  });
};

import { z } from 'zod';
import {
  AuditPageSchema,
  AuditQuerySchema,
  AuditVerificationSchema,
  ConsistencyProofSchema,
  ConsistencyQuerySchema,
  InclusionProofSchema,
  InclusionQuerySchema,
  LeafIndexParamsSchema,
} from '../../../schemas/audit.ts';
import { ProblemSchema, problemResponses } from '../../../schemas/common.ts';
import { problem } from '../../errors.ts';
import type { Module } from '../module.ts';
import { createAuditService } from './audit-service.ts';
import { createLogService } from './log-service.ts';

const b64 = (b: Buffer) => b.toString('base64');

/** The audit trail as the registrar reads and checks it, and the transparency log as anyone checks it. */
export const auditModule: Module<'auditKey'> = async (app, { db, auditKey }) => {
  const audit = createAuditService({ db });
  const log = createLogService({ db, key: auditKey });
  const tags = ['audit'];
  const publicTags = ['transparency'];
  const text = { content: { 'text/plain': { schema: z.string() } } };

  app.get('/v1/admin/audit', {
    config: { access: ['registrar'] },
    schema: { tags, summary: 'Audit events, newest first', querystring: AuditQuerySchema, response: { 200: AuditPageSchema, ...problemResponses } },
    handler: async (req) => audit.list(req.query),
  });

  app.get('/v1/admin/audit/verify', {
    config: { access: ['registrar'] },
    schema: {
      tags,
      summary: 'Recompute the log from the events: the first problem, or the count checked and the newest checkpoint',
      response: { 200: AuditVerificationSchema, ...problemResponses },
    },
    handler: async () => log.verify(),
  });

  app.get('/v1/admin/audit/:leafIndex/proof', {
    config: { access: ['registrar'] },
    schema: {
      tags,
      summary: 'RFC 9162 inclusion proof of one event, with its canonical bytes',
      params: LeafIndexParamsSchema,
      querystring: InclusionQuerySchema,
      response: { 200: InclusionProofSchema, ...problemResponses },
    },
    handler: async (req) => {
      const treeSize = req.query.treeSize ?? (await log.latestCheckpointSize());
      const proof = treeSize === null ? null : await log.inclusion(req.params.leafIndex, treeSize);
      if (!proof) throw problem('beyond-log', `Leaf ${req.params.leafIndex} is not in a sealed tree of size ${treeSize ?? 0}.`);
      return { ...proof, leafHash: b64(proof.leafHash), hashes: proof.hashes.map(b64), leafBytes: b64(proof.leafBytes) };
    },
  });

  app.get('/v1/transparency/checkpoint', {
    config: { access: 'public' },
    schema: {
      tags: publicTags,
      summary: 'The newest signed checkpoint (C2SP tlog-checkpoint in a signed note)',
      response: { 200: { description: 'origin, tree size and base64 root hash, a blank line, then signature lines', ...text }, 404: ProblemSchema },
    },
    handler: async (_req, reply) => {
      const note = await log.latestCheckpoint();
      if (note === null) throw problem('not-found', 'No checkpoint has been signed yet: the log seals within seconds of its first event.');
      return reply.type('text/plain; charset=utf-8').send(note);
    },
  });

  app.get('/v1/transparency/key', {
    config: { access: 'public' },
    schema: { tags: publicTags, summary: 'The verifier key for checkpoints (signed-note form: name+keyid+base64)', response: { 200: text } },
    handler: async (_req, reply) => reply.type('text/plain; charset=utf-8').send(`${log.verifierKey()}\n`),
  });

  app.get('/v1/transparency/consistency', {
    config: { access: 'public' },
    schema: {
      tags: publicTags,
      summary: 'RFC 9162 consistency proof between two tree sizes',
      querystring: ConsistencyQuerySchema,
      response: { 200: ConsistencyProofSchema, ...problemResponses },
    },
    handler: async (req) => {
      const { from, to } = req.query;
      const hashes = await log.consistency(from, to);
      if (!hashes) throw problem('beyond-log', `The log has not reached a tree size of ${to}.`);
      return { from, to, hashes: hashes.map(b64) };
    },
  });
};

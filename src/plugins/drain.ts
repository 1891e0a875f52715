import type { FastifyInstance } from 'fastify';

/**
 * Once the app is closing, every response ends its connection. Node's server.close() reaps only the
 * connections idle at that moment: a keep-alive connection whose request was in flight would stay
 * open after its response and hold the shutdown until its keep-alive timeout (72 s in Fastify).
 */
export function endConnectionsWhenClosing(app: FastifyInstance) {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}

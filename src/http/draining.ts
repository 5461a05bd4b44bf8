import type { FastifyInstance } from 'fastify';

/**
 * While the server closes, every response still being written tells its client
 * to hang up (`Connection: close`). Without it a keep-alive connection that was
 * busy when the close began sits idle afterwards until its keep-alive timeout,
 * and the graceful shutdown waits for nothing (docs/operations.md, "Shutdown").
 * Returns whether the close has begun.
 */
export function registerDraining(app: FastifyInstance): () => boolean {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async function closeWhenDraining(request, reply) {
    if (closing && request.raw.httpVersionMajor < 2) reply.header('connection', 'close');
  });
  return () => closing;
}

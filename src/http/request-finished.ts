import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type FinishedListener = (request: FastifyRequest, reply: FastifyReply) => void;
type FrameworkErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * "This request's response is finished", for the request log and the metrics:
 * once per request, including the ones the router refuses before any hook runs
 * (a malformed percent-escape, an over-long path segment), which Fastify's
 * onResponse hook never sees.
 */
export class RequestFinished {
  private readonly listeners: FinishedListener[] = [];

  add(listener: FinishedListener): void {
    this.listeners.push(listener);
  }

  /** The onResponse hook; call before routes are registered so it covers them all. */
  register(app: FastifyInstance): void {
    const emit = (request: FastifyRequest, reply: FastifyReply) => this.emit(request, reply);
    app.addHook('onResponse', async function reportFinished(request, reply) {
      emit(request, reply);
    });
  }

  /** Wraps Fastify's `frameworkErrors` handler so router errors are reported too. */
  around(handler: FrameworkErrorHandler): FrameworkErrorHandler {
    return (error, request, reply) => {
      reply.raw.once('finish', () => this.emit(request, reply));
      handler(error, request, reply);
    };
  }

  private emit(request: FastifyRequest, reply: FastifyReply): void {
    for (const listener of this.listeners) {
      try {
        listener(request, reply);
      } catch (error) {
        request.log.error({ err: error }, 'request listener failed');
      }
    }
  }
}

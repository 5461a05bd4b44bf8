import type { FastifyServerOptions } from 'fastify';
import fastJson from 'fast-json-stringify';

/**
 * Route schemas compiled at their first use instead of at start.
 *
 * Fastify compiles a validator for each part of every route (and of the HEAD twin of every GET) and a
 * serializer for each of its response statuses, most of them the error envelope, when the app becomes
 * ready: 638 of them. An installation calls a few of its routes most of the time; compiling them all
 * cost about 20 MiB of resident memory at start, kept for the life of the process ("Memory at start
 * and under the reads" in docs/performance.md). Each one compiles now when a request first needs it, and a compiled
 * function is kept as before.
 *
 * A schema that cannot compile would fail its first request instead of the start:
 * `compileAll` compiles every one still waiting, so a test finds it (test/http/deferred-compile.test.ts).
 */
export class DeferredCompilations {
  private readonly waiting = new Set<() => void>();

  /**
   * A getter of what `compile` returns: it compiles at the first call (or at `compileAll`), and every
   * call after that returns the same result.
   */
  defer<Compiled>(compile: () => Compiled): () => Compiled {
    let compiled: Compiled | undefined;
    const compileNow = () => {
      compiled = compile();
      this.waiting.delete(compileNow);
    };
    this.waiting.add(compileNow);
    return () => {
      if (compiled === undefined) compileNow();
      return compiled as Compiled;
    };
  }

  /** How many compilations have not run yet. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Runs every compilation still waiting; throws the first failure. Returns how many ran. */
  compileAll(): number {
    const all = [...this.waiting];
    for (const compileNow of all) compileNow();
    return all.length;
  }
}

type Serializer = (doc: unknown) => string;
type SerializerFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildSerializer']
>;

/**
 * Fastify's own response serializers (fast-json-stringify over the schemas added with `addSchema`, as
 * @fastify/fast-json-stringify-compiler builds them), each compiled at its first response.
 */
export function deferredSerializers(compilations: DeferredCompilations): SerializerFactory {
  return (externalSchemas, options) =>
    ({ schema }) => {
      const serializerOf = compilations.defer(
        () => fastJson(schema as fastJson.AnySchema, withShared(externalSchemas, schema, options)) as Serializer,
      );
      return (doc) => serializerOf()(doc);
    };
}

/** fast-json-stringify refuses a schema whose own $id is among the shared ones: it is left out of them. */
function withShared(externalSchemas: unknown, schema: unknown, options: fastJson.Options | undefined) {
  const shared = { ...(externalSchemas as Record<string, fastJson.Schema> | undefined) };
  const id = (schema as { $id?: unknown } | undefined)?.$id;
  if (typeof id === 'string') delete shared[id];
  return { ...options, schema: shared };
}

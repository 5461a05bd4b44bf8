import type { FastifyInstance } from 'fastify';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { DeferredCompilations } from './deferred-compile.js';

/**
 * Beyond this many values (objects, arrays and scalars counted as they are met) a request
 * that failed validation is not validated again for its other errors: the second pass
 * would cost time and memory in proportion to what a client chose to send.
 */
export const ALL_ERRORS_MAX_VALUES = 2_000;

/**
 * Bodies are validated strictly (no type coercion, no silently dropped fields),
 * while path and query values — always strings on the wire — are coerced to the
 * declared types.
 *
 * Every request is validated first by a validator that stops at the first error,
 * which is what a valid request costs. Only a request that fails is validated again
 * with ajv's allErrors, so the answer can list every error at once (error-handler.ts);
 * and only when it is small (ALL_ERRORS_MAX_VALUES).
 *
 * Each validator compiles when a request first needs it (http/deferred-compile.ts), and the
 * allErrors instances of ajv exist once a request has failed: a server that is only polled for
 * quotas holds neither.
 */
export function registerValidation(app: FastifyInstance, compilations: DeferredCompilations): void {
  const common: Options = { useDefaults: true, removeAdditional: false, strict: false };
  const make = (coerceTypes: Options['coerceTypes'], allErrors: boolean) => () => {
    const ajv = new Ajv({ ...common, coerceTypes, allErrors });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    return ajv;
  };
  const first = { strict: make(false, false)(), coercing: make('array', false)() };
  const every = { strict: once(make(false, true)), coercing: once(make('array', true)) };
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const kind = httpPart === 'body' ? 'strict' : 'coercing';
    return firstThenEvery(
      compilations.defer(() => first[kind].compile(schema)),
      () => every[kind]().compile(schema),
    );
  });
}

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

function firstThenEvery(fastOf: () => ValidateFunction, compileEvery: () => ValidateFunction): Validator {
  let full: ValidateFunction | undefined;
  const validate: Validator = (data) => {
    const fast = fastOf();
    if (fast(data)) return true;
    validate.errors = fast.errors;
    if (isSmall(data)) {
      full ??= compileEvery();
      if (!full(data) && full.errors && full.errors.length > 0) validate.errors = full.errors;
    }
    return false;
  };
  return validate;
}

function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

/** Whether `data` holds at most ALL_ERRORS_MAX_VALUES values; stops counting there. */
function isSmall(data: unknown): boolean {
  let budget = ALL_ERRORS_MAX_VALUES - 1;
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
    budget -= children.length;
    if (budget < 0) return false;
    for (const child of children) stack.push(child);
  }
  return true;
}

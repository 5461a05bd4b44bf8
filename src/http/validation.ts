import type { FastifyInstance } from 'fastify';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Bodies are validated strictly (no type coercion, no silently dropped fields),
 * while path and query values — always strings on the wire — are coerced to the
 * declared types.
 */
export function registerValidation(app: FastifyInstance): void {
  const common: Options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false };
  const strict = new Ajv({ ...common, coerceTypes: false });
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  for (const ajv of [strict, coercing]) (addFormats as unknown as (a: Ajv) => void)(ajv);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
}

import { Kind, Type, TypeRegistry, type TUnsafe } from '@sinclair/typebox';

const STRING_ENUM = 'StringEnum';

// TypeBox's own checker (Value.Check, used for seed files) needs to know the kind;
// Fastify's validator (ajv) reads the plain `enum` keyword.
if (!TypeRegistry.Has(STRING_ENUM)) {
  TypeRegistry.Set<{ enum: string[] }>(
    STRING_ENUM,
    (schema, value) => typeof value === 'string' && schema.enum.includes(value),
  );
}

/**
 * A string schema whose values are one of `values`, written as a plain JSON Schema
 * `enum` (what OpenAPI tooling and generated clients expect) instead of TypeBox's
 * `anyOf` of literals. The values come from the lifecycle tables and catalogues, so
 * the wire's enums and the code's phases cannot drift apart.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number]; examples?: T[number][] } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: STRING_ENUM, type: 'string', enum: [...values] });
}

import { Type, type TUnsafe } from '@sinclair/typebox';

/**
 * A string schema whose values are one of `values`, written as a plain JSON Schema
 * `enum` (what OpenAPI tooling and generated clients expect) instead of TypeBox's
 * `anyOf` of literals. The values come from the lifecycle tables and catalogues, so
 * the wire's enums and the code's phases cannot drift apart.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: Omit<Parameters<typeof Type.String>[0] & object, 'enum'> = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

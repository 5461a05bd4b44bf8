/**
 * JSON as Go's `encoding/json` Encoder writes it with HTML escaping off, which is how the Terraform
 * provider's SDK encodes every request body (orders-billing-terraform.md §3.0): object keys sorted by
 * their bytes, `<`, `>` and `&` left alone, U+2028 and U+2029 escaped, and a trailing newline.
 *
 * `NIL_SLICE` stands for a nil Go slice held in an `interface{}`: it is written as `null`, and the
 * provider's RemoveNil keeps it (it drops only untyped nils, empty maps and empty lists of maps).
 */
export const NIL_SLICE: unique symbol = Symbol('nil slice');

type GoValue = unknown;

function encodeString(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function encode(value: GoValue): string {
  if (value === NIL_SLICE || value === null || value === undefined) return 'null';
  if (typeof value === 'string') return encodeString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
  const entries = Object.entries(value as Record<string, GoValue>).sort(([a], [b]) =>
    Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  return `{${entries.map(([k, v]) => `${encodeString(k)}:${encode(v)}`).join(',')}}`;
}

/** The bytes golangsdk sends for a JSON body. */
export function goJson(value: GoValue): string {
  return `${encode(value)}\n`;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The provider's utils.RemoveNil: drops nil values, empty maps and lists of maps that end up empty,
 * recursing into maps and lists of maps. A list of anything else (strings, or `NIL_SLICE`) is kept as is.
 */
export function removeNil(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === null || value === undefined) continue;
    if (isMap(value)) {
      if (Object.keys(value).length > 0) out[key] = removeNil(value);
    } else if (Array.isArray(value) && value.length > 0 && value.every(isMap)) {
      const kept = value.map(removeNil).filter((item) => Object.keys(item).length > 0);
      if (kept.length > 0) out[key] = kept;
    } else if (Array.isArray(value) && value.length === 0) {
      // An empty list of maps ([]map[string]interface{}) is dropped; the provider never sends an empty
      // list of strings where RemoveNil runs (it turns those into nil first).
      continue;
    } else {
      out[key] = value;
    }
  }
  return out;
}

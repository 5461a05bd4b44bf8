/**
 * PostgreSQL refuses U+0000 in text and jsonb (SQLSTATE 22021 invalid byte sequence,
 * 22P05 untranslatable character), wherever a client put it: a path segment (`%00`),
 * a query value, a JSON string. That is the client's input, not our failure.
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

export function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNSTORABLE_TEXT.has(code);
}

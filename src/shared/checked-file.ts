import { readFileSync } from 'node:fs';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import YAML from 'yaml';

/**
 * A JSON or YAML file an installation configures (flavors, plug-in templates),
 * parsed and checked against its schema; `what` names it in the errors that stop
 * the start ("flavors file" → "Cannot read flavors file …", "Flavors file … is invalid").
 */
export function readCheckedFile<T extends TSchema>(file: string, schema: T, what: string): Static<T> {
  let parsed: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    parsed = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  if (!Value.Check(schema, parsed)) {
    const problems = [...Value.Errors(schema, parsed)].slice(0, 10).map((e) => `${e.path} ${e.message}`);
    const label = what.charAt(0).toUpperCase() + what.slice(1);
    throw new Error(`${label} ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  return parsed;
}

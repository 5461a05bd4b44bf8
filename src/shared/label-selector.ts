// Kubernetes-style label selectors for the `labelSelector` query parameter of ListPools and
// ListNetworks. The ModelArts documents name the parameter but not its grammar (pools.md §6.2,
// quotas-networks.md §2.5), so we implement the Kubernetes one the service is built on.

export type SelectorTerm =
  | { readonly op: 'equals'; readonly key: string; readonly value: string }
  | { readonly op: 'notEquals'; readonly key: string; readonly value: string }
  | { readonly op: 'in'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'notIn'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists'; readonly key: string }
  | { readonly op: 'notExists'; readonly key: string };

export interface LabelSelector {
  /** Every term must match (comma = AND). No terms selects everything. */
  readonly terms: readonly SelectorTerm[];
}

export class LabelSelectorError extends Error {
  /** The offending term as the client wrote it (trimmed), or the whole selector for structural errors. */
  readonly term: string;

  constructor(term: string, reason: string) {
    super(`Invalid labelSelector term "${term}": ${reason}`);
    this.name = 'LabelSelectorError';
    this.term = term;
  }
}

const KEY_CHAR = /[A-Za-z0-9\-_./]/;
const VALUE_CHAR = /[A-Za-z0-9\-_.]/;

/** Parses a selector; throws LabelSelectorError naming the first bad term. */
export function parseLabelSelector(text: string): LabelSelector {
  if (text.trim() === '') return { terms: [] };
  const terms = splitTerms(text).map(parseTerm);
  return { terms: Object.freeze(terms) };
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string>): boolean {
  return selector.terms.every((term) => matchesTerm(term, labels));
}

/**
 * The `k=v` / `k==v` terms as [key, value] pairs, so a store can narrow its query with them and
 * run `matchesLabels` on what comes back. Every other operator must still be checked in memory,
 * so callers should filter with the whole selector rather than only with what they pushed down.
 */
export function equalityTerms(selector: LabelSelector): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const term of selector.terms) {
    if (term.op === 'equals') pairs.push([term.key, term.value]);
  }
  return pairs;
}

function matchesTerm(term: SelectorTerm, labels: Record<string, string>): boolean {
  // Own properties only: a key such as "constructor" must not be found on Object.prototype.
  const present = Object.hasOwn(labels, term.key);
  const value = present ? labels[term.key] : undefined;
  switch (term.op) {
    case 'equals':
      return value === term.value;
    // Kubernetes semantics: `!=` and `notin` also select objects that lack the label.
    case 'notEquals':
      return value !== term.value;
    case 'in':
      return value !== undefined && term.values.includes(value);
    case 'notIn':
      return value === undefined || !term.values.includes(value);
    case 'exists':
      return present;
    case 'notExists':
      return !present;
  }
}

/**
 * Splits on commas outside parentheses, so `a in (x,y),b` is two terms. Splitting first lets every
 * error message quote the whole term the client wrote rather than a position in the string.
 */
function splitTerms(text: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    // A stray ")" is left in its piece for parseTerm to reject, so terms before it report first.
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      pieces.push(text.slice(start, i));
      start = i + 1;
    }
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** A small scanner over one term. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }
  atEnd(): boolean {
    return this.pos >= this.text.length;
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  take(chars: RegExp): string {
    const from = this.pos;
    while (this.pos < this.text.length && chars.test(this.text[this.pos])) this.pos++;
    return this.text.slice(from, this.pos);
  }
}

function parseTerm(raw: string): SelectorTerm {
  const shown = raw.trim();
  const fail = (reason: string): never => {
    throw new LabelSelectorError(shown, reason);
  };
  if (shown === '') fail('empty term (stray comma?)');

  const s = new Scanner(raw);
  s.skipSpace();
  const negated = s.startsWith('!') && !s.startsWith('!=');
  if (negated) {
    s.pos++;
    s.skipSpace();
  }
  const key = s.take(KEY_CHAR);
  if (key === '') fail('expected a label key (letters, digits, "-", "_", ".", "/")');
  s.skipSpace();

  if (negated) {
    if (!s.atEnd()) fail('"!key" takes no operator or value');
    return { op: 'notExists', key };
  }
  if (s.atEnd()) return { op: 'exists', key };

  for (const [token, op] of [
    ['==', 'equals'],
    ['!=', 'notEquals'],
    ['=', 'equals'],
  ] as const) {
    if (s.startsWith(token)) {
      s.pos += token.length;
      s.skipSpace();
      const value = s.take(VALUE_CHAR);
      s.skipSpace();
      if (!s.atEnd()) fail('value may contain only letters, digits, "-", "_" and "."');
      return { op, key, value };
    }
  }

  const word = s.take(/[a-z]/);
  if (word !== 'in' && word !== 'notin') {
    fail('expected "=", "==", "!=", "in" or "notin" after the key');
  }
  s.skipSpace();
  if (!s.startsWith('(')) fail(`expected "(" after "${word}"`);
  s.pos++;
  const values: string[] = [];
  for (;;) {
    s.skipSpace();
    const value = s.take(VALUE_CHAR);
    // Unlike `k=`, an empty member of a set is almost always a typo such as `in (a,,b)`.
    if (value === '') fail('expected a value in the list (letters, digits, "-", "_", ".")');
    values.push(value);
    s.skipSpace();
    if (s.startsWith(',')) {
      s.pos++;
      continue;
    }
    if (s.startsWith(')')) {
      s.pos++;
      break;
    }
    fail(s.atEnd() ? 'missing ")"' : 'expected "," or ")" in the value list');
  }
  s.skipSpace();
  if (!s.atEnd()) fail('unexpected text after ")"');
  return { op: word === 'in' ? 'in' : 'notIn', key, values: Object.freeze(values) };
}

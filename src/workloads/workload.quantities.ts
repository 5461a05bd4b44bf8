import type { Amounts } from './workload.record.js';

/**
 * Kubernetes quantities as Atelier counts them: `cpu` in millicores, `memory` in
 * MiB, every other resource (GPUs, NPUs) in whole devices. Node resources come as
 * the strings of node.view.ts (`3920m`, `6270Mi`, `8`); workload requests as any
 * quantity a client would write (`4`, `500m`, `16Gi`, `1024Mi`).
 */

const MEMORY_UNITS: Readonly<Record<string, number>> = {
  '': 1 / (1024 * 1024),
  Ki: 1 / 1024,
  Mi: 1,
  Gi: 1024,
  Ti: 1024 * 1024,
  k: 1000 / (1024 * 1024),
  M: 1_000_000 / (1024 * 1024),
  G: 1_000_000_000 / (1024 * 1024),
  T: 1_000_000_000_000 / (1024 * 1024),
};

/** A quantity of `resource` as an amount, or undefined when it is not a quantity. */
export function parseQuantity(resource: string, text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2];
  if (resource === 'cpu') {
    if (unit === 'm') return Math.round(value);
    return unit === '' ? Math.round(value * 1000) : undefined;
  }
  if (resource === 'memory') {
    const factor = MEMORY_UNITS[unit];
    return factor === undefined ? undefined : Math.round(value * factor);
  }
  return unit === '' && Number.isInteger(value) ? value : undefined;
}

/** Node resources (strings) as amounts; what does not parse counts as none. */
export function toAmounts(resources: Readonly<Record<string, string>>): Amounts {
  const amounts: Amounts = {};
  for (const [key, text] of Object.entries(resources)) amounts[key] = parseQuantity(key, text) ?? 0;
  return amounts;
}

/** Amounts as Kubernetes strings, in the units node.view.ts writes (`3920m`, `6270Mi`, `8`). */
export function toQuantities(amounts: Readonly<Amounts>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(amounts)) {
    const v = Math.max(0, value);
    if (key === 'cpu') out[key] = v % 1000 === 0 ? `${v / 1000}` : `${v}m`;
    else if (key === 'memory') out[key] = v % 1024 === 0 && v > 0 ? `${v / 1024}Gi` : `${v}Mi`;
    else out[key] = `${v}`;
  }
  return out;
}

/** The display strings of Workload.resourceRequirement (§2.1): `4 Cores`, `16 GiB`, devices as counts. */
export function toDisplay(amounts: Readonly<Amounts>): Record<string, string> {
  const out: Record<string, string> = {};
  const trim = (n: number) => `${Math.round(n * 100) / 100}`;
  for (const [key, value] of Object.entries(amounts)) {
    if (key === 'cpu') out[key] = `${trim(value / 1000)} Cores`;
    else if (key === 'memory') out[key] = `${trim(value / 1024)} GiB`;
    else out[key] = `${value}`;
  }
  return out;
}

export function addAmounts(into: Amounts, more: Readonly<Amounts>, sign = 1): Amounts {
  for (const [key, value] of Object.entries(more)) into[key] = (into[key] ?? 0) + sign * value;
  return into;
}

/** Whether `requests` fit in `free` (a resource the node lacks has none free). */
export function fits(requests: Readonly<Amounts>, free: Readonly<Amounts>): boolean {
  return Object.entries(requests).every(([key, value]) => value <= 0 || (free[key] ?? 0) >= value);
}

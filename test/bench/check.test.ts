import { describe, expect, it } from 'vitest';
import { compareRatios, merged, NOISE_BAND, passes, type Results } from '../../bench/check.js';

const results = (rows: Results['rows']): Results => ({ at: '2026-12-01T00:00:00Z', quick: true, rows });
const reference = { section: 'reads', name: 'baseline node:http, quotas', requestsPerSecond: 40_000, ratio: 1 };
const scenario = (name: string, ratio: number) => ({
  section: 'reads',
  name,
  requestsPerSecond: 20_000,
  ratio,
  ratioTo: 'baseline node:http, quotas',
});

describe('npm run bench -- --check: the comparison', () => {
  const before = results([
    reference,
    scenario('quotas, AK/SK signed', 0.6),
    scenario('quotas, token', 0.5),
    { section: 'lifecycles', name: 'SQLite: 200 pools, create → Running', requestsPerSecond: 900 },
  ]);

  it('passes a run whose ratios stay within the band, or rise', () => {
    const after = results([reference, scenario('quotas, AK/SK signed', 0.5), scenario('quotas, token', 0.9)]);
    const comparisons = compareRatios(before, after, 0.1);
    expect(comparisons.map((c) => [c.name, c.verdict, c.change])).toEqual([
      ['quotas, AK/SK signed', 'ok', -0.1],
      ['quotas, token', 'ok', 0.4],
    ]);
    expect(passes(comparisons)).toBe(true);
  });

  it('fails a drop beyond the band, and only that one', () => {
    const after = results([reference, scenario('quotas, AK/SK signed', 0.49), scenario('quotas, token', 0.5)]);
    const comparisons = compareRatios(before, after, 0.1);
    expect(comparisons.filter((c) => c.verdict === 'dropped').map((c) => c.name)).toEqual(['quotas, AK/SK signed']);
    expect(passes(comparisons)).toBe(false);
  });

  it('judges neither references nor per-second figures, and does not fail what this run left out', () => {
    const after = results([{ ...reference, ratio: 0.1 }, scenario('quotas, token', 0.45)]);
    const comparisons = compareRatios(before, after, 0.1);
    expect(comparisons.map((c) => [c.name, c.verdict])).toEqual([
      ['quotas, AK/SK signed', 'not measured'],
      ['quotas, token', 'ok'],
    ]);
    expect(passes(comparisons)).toBe(true);
  });

  it('states a wider band for the quick mode than for full runs', () => {
    expect(NOISE_BAND.quick).toBeGreaterThan(NOISE_BAND.full);
  });

  it('compares with the last committed figure of each scenario', () => {
    const older = results([scenario('quotas, AK/SK signed', 0.9), scenario('quotas, token', 0.5)]);
    const newer = results([scenario('quotas, AK/SK signed', 0.6)]);
    const after = results([scenario('quotas, AK/SK signed', 0.55), scenario('quotas, token', 0.45)]);
    const comparisons = compareRatios(merged([older, newer]), after, 0.1);
    expect(comparisons.map((c) => [c.name, c.before, c.verdict])).toEqual([
      ['quotas, AK/SK signed', 0.6, 'ok'],
      ['quotas, token', 0.5, 'ok'],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, describeSettings, loadConfig } from '../src/config.js';

/** The problems loadConfig reports for env, or a failure if it accepts it. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('gives a working local installation with no settings at all', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe('sqlite:./data/atelier.db');
    expect(config.logLevel).toBe('info');
    expect(config.quotas).toEqual({ pool: 15, network: 15, valuesAsStrings: false });
    expect(config.flavorsFile).toBeUndefined();
    expect(config.timings).toEqual({
      networkCreate: 2,
      networkDelete: 2,
      poolCreate: 5,
      poolDelete: 3,
      poolScale: 3,
      nodeCreate: 0,
      nodeDelete: 0,
      nodeReboot: 0,
      nodeReset: 0,
    });
    expect(config.failedRetentionMs).toBe(72 * 3_600_000);
    expect(config.engineIntervalMs).toBe(250);
  });

  it('leaves /metrics public unless ATELIER_METRICS_TOKEN is set', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ ATELIER_METRICS_TOKEN: 'scrape-token-0123456789' }).metricsToken).toBe(
      'scrape-token-0123456789',
    );
  });

  it('ignores variables outside the ATELIER_ prefix and unset ones', () => {
    const config = loadConfig({ PATH: '/usr/bin', HOME: '/root', PORT: 'abc', ATELIER_PORT: undefined });
    expect(config.port).toBe(8080);
  });

  it('returns a frozen object, nested parts included', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.quotas)).toBe(true);
    expect(Object.isFrozen(config.timings)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.quotas as { pool: number }).pool = 99;
    }).toThrow(TypeError);
  });

  it('lists every setting with its default for the CLI', () => {
    const settings = new Map(describeSettings().map((s) => [s.name, s.default]));
    expect(settings.get('ATELIER_PORT')).toBe(8080);
    expect(settings.get('ATELIER_POOL_QUOTA')).toBe(15);
    expect(settings.get('ATELIER_DATABASE_URL')).toBe('sqlite:./data/atelier.db');
    for (const name of settings.keys()) expect(name).toMatch(/^ATELIER_[A-Z0-9_]+$/);
  });
});

describe('loadConfig conversions', () => {
  it('turns text into numbers, booleans and timings', () => {
    const config = loadConfig({
      ATELIER_HOST: '0.0.0.0',
      ATELIER_PORT: '9090',
      ATELIER_DATABASE_URL: 'sqlite::memory:',
      ATELIER_LOG_LEVEL: 'silent',
      ATELIER_POOL_QUOTA: '0',
      ATELIER_NETWORK_QUOTA: ' 40 ',
      ATELIER_QUOTA_VALUES_AS_STRINGS: 'true',
      ATELIER_FLAVORS_FILE: '/etc/atelier/flavors.yaml',
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_NETWORK_DELETE_SECONDS: '1.5',
      ATELIER_POOL_CREATE_SECONDS: '0.25',
      ATELIER_POOL_DELETE_SECONDS: '86400',
      ATELIER_POOL_SCALE_SECONDS: '7',
      ATELIER_NODE_CREATE_SECONDS: '1.5',
      ATELIER_NODE_DELETE_SECONDS: '4',
      ATELIER_NODE_REBOOT_SECONDS: '6',
      ATELIER_NODE_RESET_SECONDS: '8',
      ATELIER_FAILED_RETENTION_HOURS: '0.5',
      ATELIER_ENGINE_INTERVAL_MS: '10',
    });
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(9090);
    expect(config.databaseUrl).toBe('sqlite::memory:');
    expect(config.logLevel).toBe('silent');
    expect(config.quotas).toEqual({ pool: 0, network: 40, valuesAsStrings: true });
    expect(config.flavorsFile).toBe('/etc/atelier/flavors.yaml');
    expect(config.timings).toEqual({
      networkCreate: 0,
      networkDelete: 1.5,
      poolCreate: 0.25,
      poolDelete: 86_400,
      poolScale: 7,
      nodeCreate: 1.5,
      nodeDelete: 4,
      nodeReboot: 6,
      nodeReset: 8,
    });
    expect(config.failedRetentionMs).toBe(1_800_000);
    expect(config.engineIntervalMs).toBe(10);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    [' yes ', true],
    ['1', true],
    ['false', false],
    ['No', false],
    ['0', false],
  ])('reads %j as the boolean %s', (text, value) => {
    expect(loadConfig({ ATELIER_QUOTA_VALUES_AS_STRINGS: text }).quotas.valuesAsStrings).toBe(value);
  });

  it.each([
    'sqlite:./data/atelier.db',
    'sqlite:/var/lib/atelier/a.db',
    'sqlite::memory:',
    'postgres://u:p@localhost:5432/atelier',
    'postgresql://localhost/atelier',
  ])('accepts the database URL %s', (url) => {
    expect(loadConfig({ ATELIER_DATABASE_URL: url }).databaseUrl).toBe(url);
  });
});

describe('loadConfig problems', () => {
  it('reports every problem at once, each naming its variable and the value given', () => {
    const problems = problemsOf({
      ATELIER_PORT: 'abc',
      ATELIER_POOL_QUOTA: '-1',
      ATELIER_NETWORK_QUOTA: '2.5',
      ATELIER_LOG_LEVEL: 'loud',
      ATELIER_QUOTA_VALUES_AS_STRINGS: 'maybe',
      ATELIER_POOL_CREATE_SECONDS: '',
      ATELIER_ENGINE_INTERVAL_MS: '5',
      ATELIER_FAILED_RETENTION_HOURS: '0',
    });
    const expected: Array<[string, string]> = [
      ['ATELIER_PORT', 'abc'],
      ['ATELIER_POOL_QUOTA', '-1'],
      ['ATELIER_NETWORK_QUOTA', '2.5'],
      ['ATELIER_LOG_LEVEL', 'loud'],
      ['ATELIER_QUOTA_VALUES_AS_STRINGS', 'maybe'],
      ['ATELIER_POOL_CREATE_SECONDS', ''],
      ['ATELIER_ENGINE_INTERVAL_MS', '5'],
      ['ATELIER_FAILED_RETENTION_HOURS', '0'],
    ];
    expect(problems).toHaveLength(expected.length);
    for (const [name, value] of expected) {
      const problem = problems.find((p) => p.startsWith(`${name} `));
      expect(problem, `a problem for ${name} in ${JSON.stringify(problems)}`).toBeDefined();
      expect(problem).toContain(`"${value}"`);
    }
  });

  it('puts every problem in the error message an operator sees', () => {
    let message = '';
    try {
      loadConfig({ ATELIER_PORT: '70000', ATELIER_POOL_QUOTA: '-1' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain('ATELIER_PORT');
    expect(message).toContain('70000');
    expect(message).toContain('ATELIER_POOL_QUOTA');
  });

  it.each([
    ['ATELIER_PORT', '65536'],
    ['ATELIER_PORT', '-1'],
    ['ATELIER_PORT', '80.5'],
    ['ATELIER_POOL_QUOTA', '1000001'],
    ['ATELIER_POOL_DELETE_SECONDS', '86401'],
    ['ATELIER_NETWORK_CREATE_SECONDS', '-0.5'],
    ['ATELIER_ENGINE_INTERVAL_MS', '60001'],
    ['ATELIER_HOST', ''],
    ['ATELIER_BOOTSTRAP_PROJECT_ID', 'has spaces'],
    ['ATELIER_POOL_QUOTA', 'Infinity'],
    ['ATELIER_METRICS_TOKEN', 'too-short'],
    ['ATELIER_METRICS_TOKEN', 'has a space in the middle'],
  ])('refuses %s=%j', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(
      problems.some((p) => p.startsWith(`${name} `)),
      JSON.stringify(problems),
    ).toBe(true);
  });

  it('reports an unknown ATELIER_ variable, as well as the other problems', () => {
    const problems = problemsOf({ ATELIER_POOL_QUOTAS: '20', ATELIER_PORT: 'x' });
    expect(problems).toContain('ATELIER_POOL_QUOTAS is not a known setting');
    expect(problems.some((p) => p.startsWith('ATELIER_PORT '))).toBe(true);
    expect(problems).toHaveLength(2);
  });

  it.each([
    'mysql://localhost/atelier',
    'sqlite:',
    'atelier.db',
    'postgres:/localhost/atelier',
    'file:./atelier.db',
    '',
  ])('refuses the database URL %j', (url) => {
    const problems = problemsOf({ ATELIER_DATABASE_URL: url });
    expect(
      problems.some((p) => p.startsWith('ATELIER_DATABASE_URL ')),
      JSON.stringify(problems),
    ).toBe(true);
  });
});

describe('loadConfig combinations that cannot work', () => {
  it('refuses several workers on an in-memory SQLite database: each would have a database of its own', () => {
    expect(problemsOf({ ATELIER_DATABASE_URL: 'sqlite::memory:', ATELIER_WORKERS: '2' })).toEqual([
      'ATELIER_WORKERS > 1 needs a database the workers share: sqlite:PATH or postgres://…, not sqlite::memory:',
    ]);
    expect(loadConfig({ ATELIER_DATABASE_URL: 'sqlite::memory:', ATELIER_WORKERS: '1' }).workers).toBe(1);
    expect(loadConfig({ ATELIER_DATABASE_URL: 'sqlite:./data/a.db', ATELIER_WORKERS: '2' }).workers).toBe(2);
  });

  it('waits 30 s for the database at start unless told otherwise', () => {
    expect(loadConfig({}).databaseConnectMs).toBe(30_000);
    expect(loadConfig({ ATELIER_DATABASE_CONNECT_SECONDS: '0' }).databaseConnectMs).toBe(0);
  });
});

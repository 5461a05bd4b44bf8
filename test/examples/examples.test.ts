// Every example under examples/ runs here against a real listening server started as the README
// starts it (`atelier serve` on an empty database: the first start prints the project and the key),
// so the examples — which the README and docs show verbatim (docs.test.ts) — cannot rot.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ATELIER_MAIN } from '../helpers/atelier-command.js';
import { EPHEMERAL_SETTINGS } from '../../src/config.js';
import { ApiClient } from '../helpers/client.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';
import { listen, REPO_ROOT, TempDirs } from '../identity/helpers.js';

const dirs = new TempDirs();
const example = (name: string) => join(REPO_ROOT, 'examples', name);

/** A directory holding an `atelier` that runs the build as bin/atelier does: by exec. */
function atelierOnPath(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'atelier'), `#!/bin/sh\nexec "${process.execPath}" "${ATELIER_MAIN}" "$@"\n`);
  chmodSync(join(bin, 'atelier'), 0o755);
  return bin;
}

/** The environment of an example: ours without ATELIER_*, the `atelier` above first on the PATH, plus `env`. */
function exampleEnv(bin: string, env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ATELIER_')) clean[name] = value;
  return { ...clean, PATH: `${bin}:${process.env.PATH}`, ...env };
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: REPO_ROOT, env, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

describe('the examples, against `atelier serve` on a first start', () => {
  let dir: string;
  let bin: string;
  let server: Started;
  let endpoint: string;
  let first: { PROJECT_ID: string; AK: string; SK: string };
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = dirs.make('atelier-examples-');
    bin = atelierOnPath(dir);
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    const settings = {
      ATELIER_DATABASE_URL: `sqlite:${join(dir, 'data', 'atelier.db')}`,
      ATELIER_PORT: String(port),
      ATELIER_AUTH_CACHE_MS: '0',
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_NETWORK_DELETE_SECONDS: '0',
      ATELIER_POOL_CREATE_SECONDS: '0',
      ATELIER_POOL_DELETE_SECONDS: '0',
      ATELIER_ENGINE_INTERVAL_MS: '20',
    };
    server = start('atelier', ['serve'], exampleEnv(bin, settings));
    const banner = await waitFor(async () => /secret key\s+(\S+)/.test(server.stderr()) && server.stderr(), {
      until: (text) => text !== false,
      timeout: 30_000,
      interval: 20,
    });
    const field = (label: string) => new RegExp(`^\\s*${label} {2,}(\\S+)`, 'm').exec(banner as string)![1]!;
    first = { PROJECT_ID: field('project id'), AK: field('access key'), SK: field('secret key') };
    expect(field('project')).toBe('cn-north-4');
    env = exampleEnv(bin, { ...settings, ...first, ENDPOINT: endpoint });
  }, 60_000);
  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    dirs.removeAll();
  });

  it('sdk-quickstart.mjs: quotas, a network and a pool created, Running, deleted', async () => {
    const res = await run(process.execPath, [example('sdk-quickstart.mjs')], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^quotas \[\{"type":"pool","quota":15,"used":0\},\{"type":"network"/m);
    expect(res.stdout).toMatch(/^network \S+ Active$/m);
    expect(res.stdout).toMatch(/^pool \S+ Running$/m);
    expect(res.stdout).toMatch(/^deleted the pool and the network$/m);
  }, 90_000);

  it('token-flow.sh: a user, a token with curl, a call with the token', async () => {
    const res = await run('sh', [example('token-flow.sh')], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^created user alice \(/m);
    expect(JSON.parse(res.stdout.trim().split('\n').at(-1)!).quotas.resources).toHaveLength(2);
  }, 60_000);

  it('region-flow.mjs: a client built with the region finds the first project', async () => {
    const res = await run(process.execPath, [example('region-flow.mjs')], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`cn-north-4 project ${first.PROJECT_ID} quotas [`);
  }, 60_000);

  it('region-grant.sh: a project for another region, granted to the key, found by the region', async () => {
    const res = await run('sh', [example('region-grant.sh')], env);
    expect(res.code, res.stderr).toBe(0);
    const id = /^project (\S+) \(cn-east-3\)/m.exec(res.stdout)?.[1];
    expect(id, res.stdout).toBeDefined();
    expect(res.stdout).toContain(`cn-east-3 project ${id} quotas [`);
  }, 60_000);

  it('the server the README starts stops on SIGTERM to that process, and exits 0', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await expect(fetch(`${endpoint}/healthz`)).rejects.toThrow();
  }, 30_000);
});

describe('plugin-templates.yaml', () => {
  it('adds its templates to the catalogue a server serves', async () => {
    const server = await listen(dirs.make('atelier-templates-'), {
      ATELIER_PLUGIN_TEMPLATES_FILE: example('plugin-templates.yaml'),
      ATELIER_BOOTSTRAP_PROJECT_ID: 'templates-example',
      ATELIER_BOOTSTRAP_AK: 'TEMPLATESEXAMPLEAK',
      ATELIER_BOOTSTRAP_SK: 'templates-example-secret-key',
    });
    try {
      const api = ApiClient.http(server.address, 'templates-example', {
        accessKey: 'TEMPLATESEXAMPLEAK',
        secretKey: 'templates-example-secret-key',
      });
      const res = await api.get('/v2/{project_id}/plugintemplates');
      expect(res.status, res.text).toBe(200);
      expect(res.body.items.map((t: { metadata: { name: string } }) => t.metadata.name)).toContain('site-agent');
    } finally {
      await server.close();
    }
  });
});

describe('flavors.yaml', () => {
  it('is the catalogue a server started with it serves', async () => {
    const dir = dirs.make('atelier-flavors-');
    const server = await listen(dir, {
      ATELIER_FLAVORS_FILE: example('flavors.yaml'),
      ATELIER_BOOTSTRAP_PROJECT_ID: 'flavors-example',
      ATELIER_BOOTSTRAP_AK: 'FLAVORSEXAMPLEAK',
      ATELIER_BOOTSTRAP_SK: 'flavors-example-secret-key',
    });
    try {
      const api = ApiClient.http(server.address, 'flavors-example', {
        accessKey: 'FLAVORSEXAMPLEAK',
        secretKey: 'flavors-example-secret-key',
      });
      const res = await api.get('/v1/{project_id}/resourceflavors');
      expect(res.status, res.text).toBe(200);
      expect(res.body.items.map((f: { metadata: { name: string } }) => f.metadata.name)).toEqual([
        'modelarts.vm.cpu.8ud',
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('github-actions.yml', () => {
  const workflow = YAML.parse(readFileSync(example('github-actions.yml'), 'utf8'));
  const job = workflow.jobs.test;
  const step = (name: string) => job.steps.find((s: { name?: string }) => s.name === name);

  it('names the keys and token `atelier serve --ephemeral` serves', () => {
    expect(job.env).toMatchObject({
      MODELARTS_PROJECT_ID: EPHEMERAL_SETTINGS.ATELIER_BOOTSTRAP_PROJECT_ID,
      HUAWEICLOUD_SDK_AK: EPHEMERAL_SETTINGS.ATELIER_BOOTSTRAP_AK,
      HUAWEICLOUD_SDK_SK: EPHEMERAL_SETTINGS.ATELIER_BOOTSTRAP_SK,
      ATELIER_ADMIN_TOKEN: EPHEMERAL_SETTINGS.ATELIER_ADMIN_TOKEN,
    });
    expect(step('Start Atelier').run).toContain('serve --ephemeral');
  });

  it('its "Start Atelier" step starts a server the job can call at once, and its pid stops it', async () => {
    const runnerTemp = dirs.make('atelier-runner-');
    // The checkout the "Install Atelier" step makes: here, this repository's sources.
    atelierOnPath(join(runnerTemp, 'atelier'));
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const jobEnv = { ...job.env, MODELARTS_ENDPOINT: endpoint, ATELIER_PORT: String(port), RUNNER_TEMP: runnerTemp };
    // The job's ATELIER_ADMIN_TOKEN is the ephemeral default; the step runs with the job's environment.
    const res = await run('bash', ['-e', '-c', step('Start Atelier').run], exampleEnv(join(runnerTemp, 'bin'), jobEnv));
    const pid = Number(readFileSync(join(runnerTemp, 'atelier.pid'), 'utf8'));
    try {
      expect(res.code, `${res.stderr}\n${readFileSync(join(runnerTemp, 'atelier.log'), 'utf8')}`).toBe(0);
      const api = ApiClient.http(endpoint, job.env.MODELARTS_PROJECT_ID, {
        accessKey: job.env.HUAWEICLOUD_SDK_AK,
        secretKey: job.env.HUAWEICLOUD_SDK_SK,
      });
      expect((await api.get('/v1/{project_id}/quotas')).status).toBe(200);
      const clock = await fetch(`${endpoint}/_atelier/clock`, {
        headers: { authorization: `Bearer ${job.env.ATELIER_ADMIN_TOKEN}` },
      });
      expect(clock.status).toBe(200);
    } finally {
      process.kill(pid, 'SIGTERM');
      await waitFor(
        async () =>
          fetch(`${endpoint}/healthz`).then(
            () => 'up',
            () => 'down',
          ),
        { until: (state) => state === 'down', timeout: 15_000, interval: 20 },
      );
    }
  }, 90_000);
});

describe('the emulator examples of docs/emulator.md, in one shell session', () => {
  it('start, lifecycle, advance, faults, clock, reset and export run as written', async () => {
    const dir = dirs.make('atelier-emulator-');
    const bin = atelierOnPath(dir);
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const env = exampleEnv(bin, {
      ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}`,
      ATELIER_PORT: String(port),
      ENDPOINT: endpoint,
    });
    // Sourced, as a reader types it into a shell: the token it exports is the session's.
    const session = spawn('sh', ['-c', `. ${example('emulator-start.sh')}; echo; echo "TOKEN=$ATELIER_ADMIN_TOKEN"`], {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    session.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    session.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      await waitFor(async () => /^TOKEN=\S+$/m.test(stdout) && /project id\s+\S+/.test(stderr), {
        until: (ready) => ready,
        timeout: 60_000,
        interval: 20,
      });
      expect(stdout).toMatch(/^\{"now":"[^"]+","offsetSeconds":0\}/m);
      const scriptEnv = {
        ...env,
        ATELIER_ADMIN_TOKEN: /^TOKEN=(\S+)$/m.exec(stdout)![1]!,
        PROJECT_ID: /project id\s+(\S+)/.exec(stderr)![1]!,
      };
      const script = async (name: string, cwd = REPO_ROOT) => {
        const res = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile('sh', [example(name)], { cwd, env: scriptEnv, timeout: 60_000 }, (error, out, err) =>
            resolve({ code: error ? 1 : 0, stdout: out, stderr: err }),
          ),
        );
        expect(res.code, `${name}\n${res.stderr}`).toBe(0);
        return res.stdout;
      };
      expect(await script('emulator-lifecycle.sh')).toContain('"poolCreate":{"mode":"manual"}');
      expect(await script('emulator-advance.sh')).toBe('{"advanced":[]}');
      const faults = await script('emulator-faults.sh');
      expect(faults).toMatch(/^\{"id":1,"operation":"create"/);
      expect(faults).toContain('{"cleared":[1],"healed":[]}{"cleared":[2],"healed":[]}');
      expect(await script('emulator-clock.sh')).toMatch(/"offsetSeconds":262800,"stepsRun":\d+\}/);
      const reset = await script('emulator-reset.sh');
      expect(reset, reset).toMatch(/^\{"scope":"all",/);
      expect(reset).toMatch(new RegExp(`\\{"scope":"project",.*"project":"${scriptEnv.PROJECT_ID}"\\}$`));
      const cwd = dirs.make('atelier-export-');
      expect(JSON.parse(await script('export.sh', cwd)).projects).toHaveLength(1);
      expect(readFileSync(join(cwd, 'world.yaml'), 'utf8')).toMatch(/^projects:/m);
      expect(statSync(join(cwd, 'world.json')).mode & 0o777).toBe(0o600);
    } finally {
      // The server runs in the session's process group, as a job of the reader's shell would.
      process.kill(-session.pid!, 'SIGTERM');
    }
  }, 120_000);
});

describe('seed.yaml', () => {
  it('is a world a server loads at its start', async () => {
    const server = await listen(dirs.make('atelier-seed-'), { ATELIER_SEED_FILE: example('seed.yaml') });
    try {
      const api = ApiClient.http(server.address, '2b05eab643ff63317eb3e227ad9ac29e', {
        accessKey: 'CIKEY0000000000000001',
        secretKey: 'a-secret-of-at-least-16-characters',
      });
      const pools = await api.get('/v2/{project_id}/pools');
      expect(pools.status, pools.text).toBe(200);
      expect(pools.body.items.map((p: any) => [p.metadata.labels['os.modelarts/name'], p.status.phase])).toEqual([
        ['ci-pool', 'Running'],
      ]);
      const quotas = await api.get('/v1/{project_id}/quotas');
      expect(quotas.body.quotas.resources).toEqual([
        { type: 'pool', quota: 30, used: 1 },
        { type: 'network', quota: 10, used: 1 },
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('seed-nodes.yaml and emulator-node-faults.sh', () => {
  it('seed a pool with named nodes, which the node faults then hit and heal; export writes the nodes', async () => {
    const dir = dirs.make('atelier-seed-nodes-');
    const token = 'seed-nodes-admin-token-0123456789';
    const databaseUrl = `sqlite:${join(dir, 'atelier.db')}`;
    const server = await listen(dir, {
      ATELIER_SEED_FILE: example('seed-nodes.yaml'),
      ATELIER_ADMIN_TOKEN: token,
      ATELIER_DATABASE_URL: databaseUrl,
    });
    try {
      const api = ApiClient.http(server.address, '5e3d1f0c9a8b47c6b2e1d0f9a8b7c6d5', {
        accessKey: 'CIKEY0000000000000002',
        secretKey: 'another-secret-of-16-characters',
      });
      const pool = (await api.get('/v2/{project_id}/pools')).body.items[0];
      expect(pool.status.phase).toBe('Running');
      const nodes = (await api.get(`/v2/{project_id}/pools/${pool.metadata.name}/nodes`)).body.items;
      expect(nodes).toHaveLength(4);
      const cpu = nodes.find((n: any) => n.metadata.name === 'ci-cpu-1');
      expect(cpu.status).toMatchObject({ phase: 'Available', privateIp: '192.168.0.10', az: 'az-1' });
      expect(cpu.metadata.annotations['os.modelarts.node/lock.action']).toBe('delete');

      const bin = atelierOnPath(dir);
      const env = exampleEnv(bin, {
        ENDPOINT: server.address,
        ATELIER_ADMIN_TOKEN: token,
        ATELIER_DATABASE_URL: databaseUrl,
      });
      const res = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile('sh', [example('emulator-node-faults.sh')], { cwd: dir, env, timeout: 60_000 }, (error, out, err) =>
          resolve({ code: error ? 1 : 0, stdout: out, stderr: err }),
        ),
      );
      expect(res.code, res.stderr).toBe(0);
      const lines = res.stdout.trim().split('\n');
      expect(JSON.parse(lines[0]!)).toMatchObject({ operation: 'nodeAbnormal', applied: ['ci-cpu-1'] });
      expect(JSON.parse(lines[1]!)).toMatchObject({ operation: 'driverAbnormal', applied: ['ci-gpu-1'] });
      expect(JSON.parse(lines[2]!)).toMatchObject({ operation: 'nodeCreate', remaining: 2 });
      expect(JSON.parse(lines[3]!)).toMatchObject({ operation: 'nodeReboot', remaining: 1 });
      expect(JSON.parse(lines[4]!)).toEqual({ cleared: [1], healed: ['ci-cpu-1'] });
      expect(JSON.parse(lines[5]!)).toEqual({ cleared: [2, 3, 4], healed: ['ci-gpu-1'] });
      expect((await api.get(`/v2/{project_id}/pools/${pool.metadata.name}`)).body.status.phase).toBe('Running');
      const exported = YAML.parse(readFileSync(join(dir, 'world-nodes.yaml'), 'utf8'));
      const names = exported.projects[0].pools[0].nodes.map((n: any) => n.name);
      expect(names).toEqual(expect.arrayContaining(['ci-cpu-1', 'ci-gpu-1']));
      expect(names).toHaveLength(4);
    } finally {
      await server.close();
    }
  }, 90_000);
});

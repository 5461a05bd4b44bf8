import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ATELIER_MAIN } from '../helpers/atelier-command.js';
import type { AppContext } from '../../src/context.js';
import type { ApiClient } from '../helpers/client.js';
import { networkBody } from '../helpers/fixtures.js';
import { uniqueId } from '../helpers/harness.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';
export { freePort };

/** Helpers for tests that run several `atelier serve` processes on one database. */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One `atelier serve` process with only the given ATELIER_* settings. */
export class Replica {
  readonly baseUrl: string;
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    port: number,
    settings: Record<string, string>,
    command: string[] = ['serve'],
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ATELIER_')));
    this.child = spawn(process.execPath, [ATELIER_MAIN, ...command], {
      cwd: REPO_ROOT,
      env: { ...env, ...settings, ATELIER_HOST: '127.0.0.1', ATELIER_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    return `--- ${this.name} ---\n${this.output}`;
  }

  /** kill -9: no graceful stop, no lease released. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.alive) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Waits until every replica answers a signed quotas read (fails at once when one exits). */
export async function waitUntilServing(
  replicas: readonly Replica[],
  clientOf: (replica: Replica) => ApiClient,
  timeout: number,
  logs: () => string,
): Promise<void> {
  for (const replica of replicas) {
    const client = clientOf(replica);
    await waitFor(
      async () => {
        if (!replica.alive) throw new Error(`${replica.name} exited`);
        return (await client.get('/v1/{project_id}/quotas')).status === 200;
      },
      { what: `${replica.name} to serve`, timeout, detail: logs },
    );
  }
}

/** A fresh project with its own credential, so each test starts from zero usage. */
export async function freshProject(
  context: AppContext,
  prefix: string,
): Promise<{ id: string; credentials: { accessKey: string; secretKey: string } }> {
  const { identity } = context;
  const account = await identity.requireAccount('default');
  const project = await identity.createProject(account.id, { id: uniqueId(prefix) });
  return { id: project.id, credentials: await identity.createCredential(account.id, [project.id]) };
}

/** Creates a network through `client` and waits until it is Active; returns its name. */
export async function activeNetwork(client: ApiClient, logs: () => string): Promise<string> {
  const res = await client.post('/v1/{project_id}/networks', networkBody());
  expect(res.status, res.text).toBe(200);
  const name = res.body.metadata.name as string;
  await waitFor(async () => (await client.get(`/v1/{project_id}/networks/${name}`)).body.status.phase === 'Active', {
    what: 'the network to be Active',
    timeout: 30_000,
    detail: logs,
  });
  return name;
}

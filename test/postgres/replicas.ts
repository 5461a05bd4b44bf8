import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/ports.js';
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
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...command], {
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

import { describe, expect, it } from 'vitest';
import { gracefulShutdown } from '../../src/shutdown.js';

function recorder() {
  const logged: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void logged.push({ level, obj, msg });
  return { logged, log: { info: at('info'), warn: at('warn'), error: at('error') } as never };
}

describe('graceful shutdown', () => {
  it('closes the server and exits 0; a second signal changes nothing', async () => {
    const { logged, log } = recorder();
    let closes = 0;
    const exits: number[] = [];
    const stop = gracefulShutdown(
      { app: { log }, close: async () => void (closes += 1) },
      { exit: (code) => exits.push(code) },
    );
    await Promise.all([stop('SIGTERM'), stop('SIGINT')]);
    expect(closes).toBe(1);
    expect(exits).toEqual([0]);
    expect(logged.map((l) => l.msg)).toEqual(['shutting down', 'already shutting down', 'shut down']);
  });

  it('exits 1 after the deadline when the close hangs, and says why', async () => {
    const { logged, log } = recorder();
    let exited: (code: number) => void = () => {};
    const exit = new Promise<number>((resolve) => (exited = resolve));
    const stop = gracefulShutdown(
      { app: { log }, close: () => new Promise<void>(() => {}) },
      { deadlineMs: 50, exit: (code) => exited(code) },
    );
    void stop('SIGTERM');
    expect(await exit).toBe(1);
    expect(logged.at(-1)).toMatchObject({ level: 'error', obj: { signal: 'SIGTERM', deadlineMs: 50 } });
    expect(logged.at(-1)!.msg).toMatch(/did not finish in time/);
  });

  it('exits 1 when the close fails', async () => {
    const { logged, log } = recorder();
    const exits: number[] = [];
    const stop = gracefulShutdown(
      { app: { log }, close: async () => Promise.reject(new Error('disk gone')) },
      { exit: (code) => exits.push(code) },
    );
    await stop('SIGTERM');
    expect(exits).toEqual([1]);
    expect(logged.at(-1)).toMatchObject({ level: 'error', msg: 'shutdown failed' });
  });
});

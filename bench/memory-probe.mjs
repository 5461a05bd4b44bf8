// Preloaded into a server by bench/memory-under-load.ts (node --import): every 500 ms, one JSON line
// of process.memoryUsage() and V8's heap spaces (MiB) appended to the file BENCH_MEMORY_LOG names.
import { appendFileSync } from 'node:fs';
import process from 'node:process';
import { setInterval } from 'node:timers';
import v8 from 'node:v8';

const out = process.env.BENCH_MEMORY_LOG;
const mib = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
if (out) {
  setInterval(() => {
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ''), mib(s.space_size)]),
    );
    const line = {
      rss: mib(m.rss),
      heapTotal: mib(m.heapTotal),
      heapUsed: mib(m.heapUsed),
      external: mib(m.external),
      spaces,
    };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  }, 500).unref();
}

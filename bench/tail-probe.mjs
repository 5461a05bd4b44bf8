/**
 * Preloaded into a server by bench/tail.ts (`node --import bench/tail-probe.mjs …`): records, inside
 * the server, its event-loop delay (1 ms resolution), its GC pauses by kind, and the time from each
 * request's `request` event to its response's `finish`. On SIGUSR2 it appends what it recorded since
 * the last SIGUSR2 to $PROBE_OUT as one JSON line, in ms, and starts again.
 */
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { createHistogram, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';

// perf_hooks.constants.NODE_PERFORMANCE_GC_*.
const GC_KINDS = { 1: 'minor', 4: 'major', 8: 'incremental', 16: 'weakcb' };
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const requests = createHistogram();
let pauses = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) pauses.push([GC_KINDS[entry.detail?.kind] ?? 'other', entry.duration]);
}).observe({ entryTypes: ['gc'] });

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (name, request, response) {
  if (name === 'request') {
    const start = performance.now();
    response.once('finish', () => requests.record(Math.max(1, Math.round((performance.now() - start) * 1e6))));
  }
  return emit.apply(this, arguments);
};

// Gaps of the event loop longer than GAP_MS, told apart by what the process did meanwhile: a gap in
// which its threads used about as much CPU as the gap lasted was its own work (JavaScript or GC); one
// in which they used little was time it spent runnable and not running, or waiting (another process
// had the core).
const GAP_MS = 3;
let gaps = [];
let lastAt = performance.now();
let lastCpu = process.cpuUsage();
setInterval(() => {
  const at = performance.now();
  const cpu = process.cpuUsage();
  const gap = at - lastAt;
  if (gap > GAP_MS) {
    const used = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    gaps.push({ from: lastAt, gap, used, fromUs: Number(process.hrtime.bigint() / 1000n) - Math.round(gap * 1000) });
  }
  lastAt = at;
  lastCpu = cpu;
}, 1).unref();
let gcSpans = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcSpans.push([entry.startTime, entry.startTime + entry.duration]);
}).observe({ entryTypes: ['gc'] });

function gapSummary() {
  const out = { n: gaps.length, ownMs: 0, ownN: 0, ownWithGcN: 0, awayMs: 0, awayN: 0, longest: [] };
  for (const g of gaps) {
    const withGc = gcSpans.some(([a, b]) => a < g.from + g.gap && b > g.from);
    if (g.used >= g.gap * 0.6) {
      out.ownN += 1;
      out.ownMs += g.gap;
      if (withGc) out.ownWithGcN += 1;
    } else {
      out.awayN += 1;
      out.awayMs += g.gap - g.used;
    }
  }
  out.ownMs = Math.round(out.ownMs);
  out.awayMs = Math.round(out.awayMs);
  out.longest = [...gaps]
    .sort((a, b) => b.gap - a.gap)
    .slice(0, 5)
    .map((g) => [Math.round(g.gap * 10) / 10, Math.round(g.used * 10) / 10]);
  // The server's own long gaps, on the clock a CPU profile (node --cpu-prof) stamps its samples with.
  out.own = gaps.filter((g) => g.used >= g.gap * 0.6).map((g) => [g.fromUs, Math.round(g.gap * 10) / 10]);
  return out;
}

const ms = (ns) => Math.round(ns / 1e3) / 1e3;
const summary = (h) => ({
  n: h.count,
  p50: ms(h.percentile(50)),
  p99: ms(h.percentile(99)),
  p999: ms(h.percentile(99.9)),
  max: ms(h.max),
});

process.on('SIGUSR2', () => {
  const gc = {};
  for (const [kind, duration] of pauses) {
    const g = (gc[kind] ??= { n: 0, ms: 0, max: 0 });
    g.n += 1;
    g.ms += duration;
    g.max = Math.max(g.max, duration);
  }
  for (const g of Object.values(gc)) {
    g.ms = Math.round(g.ms * 10) / 10;
    g.max = Math.round(g.max * 100) / 100;
  }
  const line = { loop: summary(loop), gaps: gapSummary(), requests: summary(requests), gc };
  if (process.env.PROBE_OUT) appendFileSync(process.env.PROBE_OUT, `${JSON.stringify(line)}\n`);
  loop.reset();
  requests.reset();
  pauses = [];
  gaps = [];
  gcSpans = [];
});

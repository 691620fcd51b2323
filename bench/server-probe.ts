/**
 * Loaded into the benchmarked server with `node --import`, so the server's code stays untouched:
 * answers the benchmark over the IPC channel with the event-loop delay (since the last reset),
 * memory and CPU time of the server process (nothing that walks /proc/self/fd: with
 * thousands of sockets that alone would stall the server).
 */
import { subscribe } from 'node:diagnostics_channel';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { serveRpc } from './lib/rpc';
import type { ProbeStats } from './lib/types';

const RESOLUTION_MS = 5;
const NS_PER_MS = 1e6;
const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
delay.enable();

/** Garbage-collection pauses since the last reset. */
let gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcPauses.count++;
    gcPauses.totalMs += entry.duration;
    gcPauses.maxMs = Math.max(gcPauses.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

/**
 * Long stalls, with the time they ended: their spacing tells periodic work (a timer that
 * visits every connection) from load-driven work.
 */
const STALL_MS = 50;
const STALL_TICK_MS = 10;
const MAX_STALLS = 500;
let stalls: { at: number; ms: number }[] = [];
let lastTick = performance.now();
setInterval(() => {
  const now = performance.now();
  const lateMs = now - lastTick - STALL_TICK_MS;
  if (lateMs >= STALL_MS && stalls.length < MAX_STALLS) stalls.push({ at: now, ms: lateMs });
  lastTick = now;
}, STALL_TICK_MS).unref();

/** The server's WAL truncations (its diagnostics channel), each one's time on the event loop. */
const CHECKPOINT_CHANNEL = 'balint-room:wal-checkpoint';
let checkpointMs: number[] = [];
let checkpointsBusy = 0;
/** The longest truncation on the WAL worker (it holds the write lock meanwhile). */
let workerMaxMs = 0;
subscribe(CHECKPOINT_CHANNEL, (message) => {
  const { ms, busy, workerMs } = message as { ms: number; busy: boolean; workerMs?: number };
  if (checkpointMs.length < 100_000) checkpointMs.push(ms);
  if (busy) checkpointsBusy++;
  if (workerMs !== undefined) workerMaxMs = Math.max(workerMaxMs, workerMs);
});
/** Statements that waited for another connection's lock (the worker's truncation), off the loop. */
const LOCK_WAIT_CHANNEL = 'balint-room:lock-wait';
let lockWaits = { count: 0, maxMs: 0 };
subscribe(LOCK_WAIT_CHANNEL, (message) => {
  const { ms } = message as { ms: number };
  lockWaits.count++;
  lockWaits.maxMs = Math.max(lockWaits.maxMs, ms);
});
function checkpointStats(): ProbeStats['checkpoints'] {
  const sorted = [...checkpointMs].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return {
    count: sorted.length,
    busy: checkpointsBusy,
    p99: at(0.99),
    max: sorted.at(-1) ?? Number.NaN,
    workerMax: workerMaxMs,
    lockWaits: lockWaits.count,
    lockWaitMax: lockWaits.maxMs,
  };
}

const late = (ns: number) => Math.max(0, ns / NS_PER_MS - RESOLUTION_MS);

if (process.send) {
  serveRpc({
    stats: (args: { reset?: boolean; gc?: boolean }): ProbeStats => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (args.gc && gc) gc();
      const stats: ProbeStats = {
        eventLoop: {
          // Node records the whole interval between ticks; the delay is what exceeds the tick.
          p50: late(delay.percentile(50)),
          p99: late(delay.percentile(99)),
          max: late(delay.max),
          mean: late(delay.mean),
        },
        memory: process.memoryUsage(),
        cpuMicros: process.cpuUsage(),
        gcRan: Boolean(args.gc && gc),
        gcPauses,
        monotonicMicros: Number(process.hrtime.bigint() / 1000n),
        stalls,
        checkpoints: checkpointStats(),
      };
      if (args.reset) {
        delay.reset();
        gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
        stalls = [];
        checkpointMs = [];
        checkpointsBusy = 0;
        workerMaxMs = 0;
        lockWaits = { count: 0, maxMs: 0 };
      }
      return stats;
    },
  });
  process.channel?.unref();
}

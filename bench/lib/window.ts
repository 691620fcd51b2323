/**
 * One load window over every meeting the load generators hold, with the CPU of each component
 * read from /proc around it: what the multi-process and HAProxy parts measure at every step.
 */
import { availableParallelism } from 'node:os';
import { machineBusy } from './cpu';
import type { CpuMeter } from './proc';
import type { RpcClient } from './rpc';
import { summarize, type Summary } from './stats';
import type { ConnectResult, LoadResult, PreparedMeeting } from './types';

export const DELIVERY_TIMEOUT_MS = 5_000;
const CONNECT_CALL_TIMEOUT_MS = 300_000;

export interface LoadScale {
  windowMs: number;
  /** Mean time between two notes in one meeting, and between two phase changes. */
  noteEveryMs: number;
  phaseEveryMs: number;
  /** Meetings each load generator connects at once. */
  concurrency: number;
}

export interface LoadWindow {
  fanout: Summary;
  phase: Summary;
  /** The samples themselves (ms), so that windows can be pooled. */
  samples: { fanout: number[]; phase: number[] };
  notes: number;
  errors: number;
  errorSamples: string[];
  /** Each metered component's CPU during the window. */
  cpu: { name: string; percent: number; ms: number }[];
  /** The load generators together, percent of one core, and the worst event-loop delay p99 among them. */
  loadGenPercent: number;
  loadGenLoopP99: number;
  /** What the rest of the machine used meanwhile (other people's jobs), percent of one core. */
  othersPercent: number;
  /** The whole machine's busy time, in cores. */
  busyCores: number;
  elapsedMs: number;
}

export const percent = (v: number) => (Number.isFinite(v) ? `${Math.max(0, v).toFixed(0)}%` : 'n/a');

/** Source address of load generator `w`: each its own, so no one address carries every connection. */
export const sourceAddress = (w: number) => `127.0.0.${11 + w}`;

/**
 * Connects `meetings` to `serverUrl` from the load generators, meeting k on load generator
 * (`firstWorker` + k) mod their number (callers connecting several processes' meetings start each
 * process on another one, so that a few meetings per process still use every load generator);
 * with `failover`, the seats move to the next of those URLs when their process goes away.
 */
export async function connectMeetings(
  workers: RpcClient[],
  serverUrl: string,
  meetings: PreparedMeeting[],
  opts: { concurrency: number; withBoard: boolean; failover?: string[]; firstWorker?: number },
): Promise<{ failed: number; errors: string[]; ms: number }> {
  const parts: PreparedMeeting[][] = workers.map(() => []);
  meetings.forEach((m, k) => parts[((opts.firstWorker ?? 0) + k) % workers.length]?.push(m));
  const results = await Promise.all(
    parts.map((part, w) =>
      part.length === 0
        ? Promise.resolve<ConnectResult>({ meetings: 0, seats: 0, failed: 0, ms: 0, errors: [] })
        : (workers[w] as RpcClient).call<ConnectResult>(
            'cap:connect',
            {
              serverUrl,
              meetings: part,
              localAddress: sourceAddress(w),
              concurrency: opts.concurrency,
              withBoard: opts.withBoard,
              failover: opts.failover,
            },
            CONNECT_CALL_TIMEOUT_MS,
          ),
    ),
  );
  return {
    failed: results.reduce((n, r) => n + r.failed, 0),
    errors: results.flatMap((r) => r.errors),
    ms: Math.max(...results.map((r) => r.ms)),
  };
}

export async function closeMeetings(workers: RpcClient[]): Promise<void> {
  await Promise.all(workers.map((w) => w.call('cap:close', {}, 30_000)));
}

/** Runs the load on every held meeting for one window, metering `meter`'s components meanwhile. */
export async function loadWindow(
  workers: RpcClient[],
  scale: LoadScale,
  withBoard: boolean,
  meter: CpuMeter,
): Promise<LoadWindow> {
  const busy = machineBusy(availableParallelism());
  meter.start();
  const started = performance.now();
  const loads = await Promise.all(
    workers.map((w) =>
      w.call<LoadResult>(
        'cap:load',
        {
          durationMs: scale.windowMs,
          noteEveryMs: scale.noteEveryMs,
          phaseEveryMs: scale.phaseEveryMs,
          timeoutMs: DELIVERY_TIMEOUT_MS,
          withBoard,
        },
        scale.windowMs + 4 * DELIVERY_TIMEOUT_MS + 60_000,
      ),
    ),
  );
  const cpu = meter.read();
  const elapsedMs = performance.now() - started;
  const busyCores = busy();
  const loadGenPercent = loads.reduce((sum, l) => sum + l.workerCpuPercent, 0);
  const metered = cpu.reduce((sum, c) => sum + (Number.isFinite(c.percent) ? c.percent : 0), 0);
  const samples = { fanout: loads.flatMap((l) => l.fanout), phase: loads.flatMap((l) => l.phase) };
  return {
    fanout: summarize(samples.fanout),
    phase: summarize(samples.phase),
    samples,
    notes: loads.reduce((n, l) => n + l.notesSent, 0),
    errors: loads.reduce((n, l) => n + l.errors, 0),
    errorSamples: loads.flatMap((l) => l.errorSamples),
    cpu,
    loadGenPercent,
    loadGenLoopP99: Math.max(...loads.map((l) => l.workerEventLoop.p99)),
    othersPercent: busyCores * 100 - metered - loadGenPercent,
    busyCores,
    elapsedMs,
  };
}

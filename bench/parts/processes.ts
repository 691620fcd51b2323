/**
 * Capacity of several server processes on PostgreSQL and Redis (issue 14, "Measured"): 12-seat
 * meetings added in steps, each meeting's seats all on one process (meeting i on process i mod N,
 * as a sticky balancer keeps a group together), the load generators connected straight to the
 * processes (HAProxy cannot hold 28,800 WebSockets: its cost is measured apart). At every step the
 * CPU of each component is read from /proc; the steps stop when fan-out p99 passes 100 ms, errors
 * appear or the machine is saturated, and the cost per meeting is given so that 2,000 can be
 * projected.
 */
import { availableParallelism } from 'node:os';
import { prepareMeetings, type Cluster } from '../lib/cluster';
import type { Engines } from '../lib/engines';
import { CpuMeter } from '../lib/proc';
import { ms, type Report } from '../lib/report';
import type { RpcClient } from '../lib/rpc';
import type { PreparedMeeting } from '../lib/types';
import {
  closeMeetings,
  connectMeetings,
  loadWindow,
  percent,
  type LoadScale,
  type LoadWindow,
} from '../lib/window';

const FANOUT_P99_LIMIT_MS = 100;
const TARGET_MEETINGS = 1_200;
const PROJECTED_MEETINGS = 2_000;
/** Busy cores (of all) above which the machine counts as saturated: every figure after it is the machine's. */
const SATURATED_SHARE = 0.95;
/** A server process may open 20,000 files: 24 WebSockets per meeting leaves room for ~830 on each. */
const MEETINGS_PER_PROCESS_LIMIT = 800;
const MS_PER_S_PER_PERCENT = 10;

export interface ProcessesScale extends LoadScale {
  steps: number[];
  /** No new step starts after this long. */
  budgetMs: number;
  /**
   * Stop at the first step over the fan-out limit or with the machine saturated; the quick run
   * goes through its steps whatever they show (errors stop both).
   */
  stopEarly: boolean;
}

interface ProcessesContext {
  workers: RpcClient[];
  cluster: Cluster;
  engines: Engines;
  scale: ProcessesScale;
  withBoard: boolean;
  log: (text: string) => void;
  /** --profile: each load window on process 1's monotonic clock (µs) is pushed here. */
  windows?: [number, number][];
}

/** The meetings prepared so far, shared with the kill part. */
export interface Prepared {
  meetings: PreparedMeeting[];
}

const processOf = (index: number, processes: number) => index % processes;

export async function runProcesses(report: Report, ctx: ProcessesContext, prepared: Prepared): Promise<void> {
  const { scale, workers, cluster } = ctx;
  const n = cluster.urls.length;
  const cores = availableParallelism();
  const section = report.section(
    'capacity',
    `Capacity on ${n} processes (PostgreSQL, Redis): concurrent 12-seat meetings under load`,
  );
  const processNames = cluster.urls.map((_, i) => `process ${i + 1}`);
  const meter = new CpuMeter(() => [
    ...cluster.processes.map((p, i) => ({ name: processNames[i] ?? '', pid: p.child.pid ?? null })),
    { name: 'PostgreSQL', pid: ctx.engines.postgresPid, tree: true },
    { name: 'Redis', pid: ctx.engines.redisPid },
  ]);
  section.columns([
    'meetings',
    'WebSockets',
    'meetings per process',
    'notes',
    'fan-out p50',
    'fan-out p99',
    'phase p99',
    'errors',
    `CPU ${processNames.map((_, i) => `p${i + 1}`).join(' / ')}`,
    'PostgreSQL',
    'Redis',
    'load-gen CPU / loop p99',
    'other processes',
    'machine busy',
  ]);
  const socketsPerMeeting = 12 * (ctx.withBoard ? 2 : 1);
  const deadline = performance.now() + scale.budgetMs;
  const passed: { meetings: number; window: LoadWindow }[] = [];
  const measured: { meetings: number; window: LoadWindow }[] = [];
  let stopReason = 'no step ran';
  let held = 0;
  const steps = scale.steps.filter((s) => s <= n * MEETINGS_PER_PROCESS_LIMIT);
  try {
    for (const step of steps) {
      if (performance.now() > deadline) {
        stopReason += `; the time budget of ${scale.budgetMs / 1000} s ended the steps`;
        break;
      }
      if (prepared.meetings.length < step) {
        const started = performance.now();
        const more = await prepareMeetings(
          workers,
          cluster.urls,
          prepared.meetings.length,
          step,
          scale.concurrency,
        );
        prepared.meetings.push(...more);
        ctx.log(
          `processes: ${more.length} meetings created through the REST API in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
      }
      const adding = prepared.meetings.slice(held, step);
      const perProcess = cluster.urls.map((_, p) => adding.filter((_m, i) => processOf(held + i, n) === p));
      const connects = await Promise.all(
        perProcess.map((meetings, p) =>
          connectMeetings(workers, cluster.urls[p] ?? '', meetings, {
            concurrency: scale.concurrency,
            withBoard: ctx.withBoard,
            firstWorker: held + p,
          }),
        ),
      );
      held = step;
      const failed = connects.reduce((sum, c) => sum + c.failed, 0);
      for (const c of connects)
        for (const e of c.errors) section.note(`${step} meetings, connect error: ${e}`);
      const counts = cluster.urls.map(
        (_, p) => prepared.meetings.slice(0, step).filter((_m, i) => processOf(i, n) === p).length,
      );
      ctx.log(`processes: ${step} meetings connected (${counts.join(' / ')} per process, ${failed} failed)`);

      const from = ctx.windows ? (await cluster.processes[0]?.probe({}))?.monotonicMicros : undefined;
      const w = await loadWindow(workers, scale, ctx.withBoard, meter);
      const to = ctx.windows ? (await cluster.processes[0]?.probe({}))?.monotonicMicros : undefined;
      if (from !== undefined && to !== undefined) ctx.windows?.push([from, to]);
      const errors = failed + w.errors;
      const cpu = (name: string) => w.cpu.find((c) => c.name === name)?.percent ?? Number.NaN;
      const saturated = w.busyCores >= SATURATED_SHARE * cores;
      section.row([
        String(step),
        String(step * socketsPerMeeting),
        counts.join(' / '),
        String(w.notes),
        ms(w.fanout.p50),
        ms(w.fanout.p99),
        ms(w.phase.p99),
        String(errors),
        processNames.map((p) => percent(cpu(p))).join(' / '),
        percent(cpu('PostgreSQL')),
        percent(cpu('Redis')),
        `${percent(w.loadGenPercent)} / ${ms(w.loadGenLoopP99)}`,
        percent(w.othersPercent),
        `${w.busyCores.toFixed(2)} of ${cores}`,
      ]);
      for (const e of w.errorSamples) section.note(`${step} meetings, error: ${e}`);
      ctx.log(
        `processes: ${step} meetings: fan-out p50 ${ms(w.fanout.p50)} p99 ${ms(w.fanout.p99)}, ${errors} errors, ` +
          `busy ${w.busyCores.toFixed(2)} cores`,
      );
      const p99 = ctx.withBoard ? w.fanout.p99 : w.phase.p99;
      measured.push({ meetings: step, window: w });
      if (errors === 0 && p99 <= FANOUT_P99_LIMIT_MS) passed.push({ meetings: step, window: w });
      if (errors > 0) {
        stopReason = `errors appeared at ${step} meetings`;
        break;
      }
      if (p99 > FANOUT_P99_LIMIT_MS && scale.stopEarly) {
        stopReason = `fan-out p99 passed ${FANOUT_P99_LIMIT_MS} ms at ${step} meetings`;
        break;
      }
      stopReason =
        p99 > FANOUT_P99_LIMIT_MS
          ? `fan-out p99 passed ${FANOUT_P99_LIMIT_MS} ms at ${step} meetings`
          : `the last step (${step} meetings) passed`;
      if (saturated && scale.stopEarly) {
        stopReason = `the machine was saturated at ${step} meetings (${w.busyCores.toFixed(2)} of ${cores} cores busy)`;
        break;
      }
    }
  } finally {
    await closeMeetings(workers);
  }

  const best = passed.at(-1);
  const largest = best?.meetings ?? 0;
  if (measured.length > 0 && ctx.withBoard) report.set('capacity.meetings', largest);
  section.note(
    `**Largest number of concurrent meetings held on ${n} processes: ${largest}** (${largest * socketsPerMeeting} WebSockets); ` +
      `${stopReason}. Target ≥ ${TARGET_MEETINGS.toLocaleString('en')} with fan-out p99 under ${FANOUT_P99_LIMIT_MS} ms and no errors: ` +
      `${report.target(ctx.withBoard ? largest : Number.NaN, '>=', TARGET_MEETINGS, 'meetings', `capacity on ${n} processes ≥ ${TARGET_MEETINGS} meetings`).split(': ')[1]}.`,
  );
  // The cost per meeting is a CPU figure: with no step under the limit (a busy machine), the last
  // step measured still tells it, and says so.
  const costly = best ?? measured.at(-1);
  if (costly) costPerMeeting(report, section, costly, (best ? passed : measured)[0], processNames, !best);
  section.note(
    `Load per held meeting as in the single-process capacity part: a note every ${scale.noteEveryMs / 1000} s on average ` +
      `(every fourth edited by its author), a phase restart every ${scale.phaseEveryMs / 1000} s; ${scale.windowMs / 1000} s windows, one per step. ` +
      `Meetings are created through the REST API of the processes in turn before their step (each as its own forwarded client address), ` +
      `then connected straight to their process (meeting i on process i mod ${n}, all 12 seats together, as a sticky balancer would) ` +
      `from ${workers.length} load generators on source addresses 127.0.0.11–${10 + workers.length}. CPU columns are percent of one core from ` +
      `/proc/<pid>/stat; PostgreSQL is the postmaster with every backend and helper process (living ones, and those it reaped).`,
  );
  if (!ctx.withBoard)
    section.error = 'the board is not wired into the server: only phase changes were loaded';
}

/**
 * CPU per meeting per second (ms) of each component at the largest step that passed (with none,
 * the last one measured), and the
 * cores 2,000 meetings would take at that rate; with two passing steps, also the marginal cost
 * between them (which leaves out what a component spends whatever the load).
 */
function costPerMeeting(
  report: Report,
  section: ReturnType<Report['section']>,
  best: { meetings: number; window: LoadWindow },
  first: { meetings: number; window: LoadWindow } | undefined,
  processNames: string[],
  overTheLimit: boolean,
): void {
  const groups: { key: string; label: string; of: (w: LoadWindow) => number }[] = [
    { key: 'servers', label: 'server processes', of: (w) => sum(w, processNames) },
    { key: 'postgres', label: 'PostgreSQL', of: (w) => sum(w, ['PostgreSQL']) },
    { key: 'redis', label: 'Redis', of: (w) => sum(w, ['Redis']) },
    { key: 'loadgen', label: 'load generators', of: (w) => w.loadGenPercent },
  ];
  const parts: string[] = [];
  let systemCores = 0;
  for (const g of groups) {
    const perMeeting = (g.of(best.window) * MS_PER_S_PER_PERCENT) / best.meetings;
    report.set(`capacity.costPerMeeting.${g.key}`, perMeeting);
    const cores = (perMeeting * PROJECTED_MEETINGS) / 1_000;
    if (g.key !== 'loadgen') systemCores += cores;
    let marginal = '';
    if (first && first.meetings < best.meetings) {
      const slope =
        ((g.of(best.window) - g.of(first.window)) * MS_PER_S_PER_PERCENT) / (best.meetings - first.meetings);
      marginal = `, marginal ${slope.toFixed(2)} ms between ${first.meetings} and ${best.meetings}`;
    }
    parts.push(
      `${g.label} ${perMeeting.toFixed(2)} ms${marginal} (${cores.toFixed(2)} cores for ${PROJECTED_MEETINGS.toLocaleString('en')})`,
    );
  }
  report.set('capacity.projectedCores', systemCores);
  section.note(
    `Cost per meeting at ${best.meetings} meetings${overTheLimit ? ' (a step over the fan-out limit: no step passed)' : ''}, ` +
      `CPU ms per meeting per second: ${parts.join('; ')}. ` +
      `**${PROJECTED_MEETINGS.toLocaleString('en')} meetings would take about ${systemCores.toFixed(1)} cores** for servers, PostgreSQL and Redis ` +
      `at that rate (the load generators, which stand for the browsers, not counted), over ` +
      `${Math.ceil(PROJECTED_MEETINGS / MEETINGS_PER_PROCESS_LIMIT)} or more processes (${MEETINGS_PER_PROCESS_LIMIT} meetings each at most, the file limit).`,
  );
}

function sum(w: LoadWindow, names: string[]): number {
  return w.cpu.filter((c) => names.includes(c.name)).reduce((total, c) => total + c.percent, 0);
}

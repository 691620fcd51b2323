/**
 * A process killed under load (issue 14, "Measured"): meetings held on every process with
 * clients that fail over to the others (as a browser behind a balancer is sent to another process
 * when its own is gone), a load window running, and one process SIGKILLed a quarter into it. The
 * figure is the time from the kill until every seat of that process's meetings is back on another
 * process: a new Socket.IO connection with its first snapshot and a board synced again.
 */
import type { Cluster } from '../lib/cluster';
import { prepareMeetings } from '../lib/cluster';
import type { Engines } from '../lib/engines';
import { CpuMeter } from '../lib/proc';
import { ms, type Report } from '../lib/report';
import type { RpcClient } from '../lib/rpc';
import { summarize } from '../lib/stats';
import { closeMeetings, connectMeetings, loadWindow, percent, type LoadScale } from '../lib/window';
import type { Prepared } from './processes';

/** Every seat's way back (at most 10 attempts, 5 s apart at most) fits within this. */
const BACK_TIMEOUT_MS = 60_000;

export interface KillScale extends LoadScale {
  meetings: number;
}

interface KillContext {
  workers: RpcClient[];
  cluster: Cluster;
  engines: Engines;
  scale: KillScale;
  withBoard: boolean;
  log: (text: string) => void;
}

interface KillAwaitResult {
  errors: string[];
  meetings: number;
  seats: number;
  back: number;
  backMs: number[];
  movedElsewhere: number;
}

export async function runKill(report: Report, ctx: KillContext, prepared: Prepared): Promise<void> {
  const { cluster, workers, scale } = ctx;
  const n = cluster.urls.length;
  if (n < 2) throw new Error('the kill part needs at least 2 processes (--processes 2)');
  const section = report.section('kill', `One of ${n} processes SIGKILLed under load`);
  if (prepared.meetings.length < scale.meetings) {
    prepared.meetings.push(
      ...(await prepareMeetings(
        workers,
        cluster.urls,
        prepared.meetings.length,
        scale.meetings,
        scale.concurrency,
      )),
    );
  }
  const meetings = prepared.meetings.slice(0, scale.meetings);
  const victim = n - 1;
  const victimUrl = cluster.urls[victim] ?? '';
  const meter = new CpuMeter(() =>
    cluster.processes.map((p, i) => ({
      name: `process ${i + 1}`,
      pid: i === victim ? null : (p.child.pid ?? null),
    })),
  );
  try {
    for (let p = 0; p < n; p++) {
      const own = meetings.filter((_m, i) => i % n === p);
      const url = cluster.urls[p] ?? '';
      // The failover list starts after the seat's own process, as a balancer skips a dead one.
      const failover = [...cluster.urls.slice(p), ...cluster.urls.slice(0, p)];
      const connected = await connectMeetings(workers, url, own, {
        concurrency: scale.concurrency,
        withBoard: ctx.withBoard,
        failover,
        firstWorker: p,
      });
      if (connected.failed > 0)
        throw new Error(`${connected.failed} meetings did not connect: ${connected.errors.join('; ')}`);
    }
    const onVictim = meetings.filter((_m, i) => i % n === victim).length;
    ctx.log(`kill: ${meetings.length} meetings held, ${onVictim} on process ${victim + 1}`);

    let back: Promise<KillAwaitResult[]> | null = null;
    let killedAt = 0;
    const timer = setTimeout(() => {
      killedAt = Date.now();
      cluster.processes[victim]?.child.kill('SIGKILL');
      ctx.log(`kill: process ${victim + 1} SIGKILLed`);
      back = Promise.all(
        workers.map((w) =>
          w.call<KillAwaitResult>(
            'kill:await',
            { deadUrl: victimUrl, killedAt, timeoutMs: BACK_TIMEOUT_MS },
            BACK_TIMEOUT_MS + 10_000,
          ),
        ),
      );
    }, scale.windowMs / 4);
    const w = await loadWindow(workers, scale, ctx.withBoard, meter).finally(() => clearTimeout(timer));
    if (!back) throw new Error('the load window ended before the kill');
    const results = await (back as Promise<KillAwaitResult[]>);
    const seats = results.reduce((s, r) => s + r.seats, 0);
    const backCount = results.reduce((s, r) => s + r.back, 0);
    const moved = results.reduce((s, r) => s + r.movedElsewhere, 0);
    const times = summarize(results.flatMap((r) => r.backMs));
    section.columns(['', 'value']);
    section.row(['meetings held / on the killed process', `${meetings.length} / ${onVictim}`]);
    section.row(['their seats back on another process', `${backCount} of ${seats}`]);
    section.row(['kill → every seat back (max)', ms(times.max)]);
    section.row(['kill → a seat back, p50 / p99', `${ms(times.p50)} / ${ms(times.p99)}`]);
    section.row(['seats of the other processes that moved', String(moved)]);
    section.row(['fan-out during the window, p50 / p99', `${ms(w.fanout.p50)} / ${ms(w.fanout.p99)}`]);
    section.row(['errors during the window', String(w.errors)]);
    section.row([
      'CPU of the surviving processes',
      w.cpu
        .filter((c) => Number.isFinite(c.percent))
        .map((c) => `${c.name} ${percent(c.percent)}`)
        .join(', '),
    ]);
    for (const e of w.errorSamples) section.note(`error: ${e}`);
    for (const e of new Set(results.flatMap((r) => r.errors)))
      section.note(`error while the seats moved: ${e}`);
    if (backCount === seats && seats > 0) {
      report.set('kill.backMs', times.max);
      report.set('kill.seats', seats);
    }
    section.note(
      `${meetings.length} meetings (12 seats, both connections each) held on ${n} processes, meeting i on process i mod ${n}; ` +
        `a ${scale.windowMs / 1000} s load window as in the capacity part, process ${victim + 1} SIGKILLed ${scale.windowMs / 4000} s into it ` +
        `(${new Date(killedAt).toISOString().slice(11, 23)} UTC). A seat whose connection drops reconnects both its connections on the next ` +
        `process of its list after Socket.IO's default delay (1 s ±50%, doubling to 5 s), the way a browser behind the balancer ` +
        `comes back on another process; back means its first snapshot there and its board synced. Meetings send nothing while a seat is ` +
        `away; the errors are commands and notes that were in flight on the killed process (never acknowledged, so the client retries them) ` +
        `and deliveries to seats that were moving.`,
    );
  } finally {
    await closeMeetings(workers);
  }
}

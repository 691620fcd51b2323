/**
 * `npm run bench`: starts the real server as its own process, the bare baselines and several
 * load generators as others, measures, and prints a table. `--quick` runs every part at a tiny
 * scale and checks only that every figure was produced. `--write-docs` puts the run into
 * docs/benchmarks.md. `--profile` adds the servers' CPU profiles (self time, longest stalls).
 * `--only a,b` runs some parts (client, fanout, phase, flood, capacity, restart; haproxy only when
 * named); `--all-steps` goes on with the capacity steps past the limit, to see the curve.
 * `--processes N` runs the multi-process mode instead (PostgreSQL, Redis, N server processes:
 * fan-out, phase, capacity, kill, haproxy; bench/parts/multi.ts); `--haproxy-meetings N` sets the
 * HAProxy part's scale.
 *
 * Every loop is bounded in count and time, all traffic stays on 127.0.0.0/8, and every child
 * process is ended at the end, also on errors and signals.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exited, killAllNow, spawnTs, stopAll, stopChild, waitForLine } from './lib/children';
import { writeDocs } from './lib/docs';
import { stopEngines } from './lib/engines';
import { loadAverage } from './lib/cpu';
import { describeMachine } from './lib/machine';
import { summarizeProfile } from './lib/profile';
import { NOT_AT_THIS_SCALE, Report } from './lib/report';
import { RpcClient } from './lib/rpc';
import { prepareServer, startServer, type Probed } from './lib/server';
import type { PreparedMeeting, ProbeStats } from './lib/types';
import { runCapacity, type CapacityScale, type Windows } from './parts/capacity';
import { runClient } from './parts/client';
import { runFlood } from './parts/flood';
import { runHaproxy, type HaproxyScale } from './parts/haproxy';
import { runFanout, runPhase, type LatencyScale } from './parts/latency';
import { runMultiProcess, type MultiScale } from './parts/multi';
import { runRestart } from './parts/restart';

interface Scale {
  latency: LatencyScale;
  capacity: CapacityScale;
  haproxy: HaproxyScale;
  /** The multi-process mode (--processes N). */
  multi: MultiScale;
  workers: number;
  storedMeetings: number;
  restartRuns: number;
  boardNotes: number;
  /** Notes on the board of the phase-change meeting (a speculation phase's worth). */
  phaseBoardNotes: number;
  /** The whole run is stopped after this long, whatever it is doing. */
  limitMs: number;
}

const FULL: Scale = {
  // One meeting takes every fan-out note: samples + warmup stay under the board's 400 notes per case.
  latency: { samples: 300, warmup: 20, rounds: 3 },
  capacity: {
    steps: [100, 250, 400, 500, 600, 700, 800],
    windowMs: 10_000,
    noteEveryMs: 3_000,
    phaseEveryMs: 30_000,
    concurrency: 8,
    budgetMs: 180_000,
  },
  haproxy: {
    meetings: 300,
    rounds: 2,
    windowMs: 10_000,
    noteEveryMs: 3_000,
    phaseEveryMs: 30_000,
    // Gently: a connect storm can hold the server's loop past HAProxy's 1 s health check, and
    // with its one server out HAProxy refuses every client (what is measured here is the steady cost).
    concurrency: 2,
  },
  multi: {
    latency: { samples: 300, warmup: 20, rounds: 3 },
    processes: {
      steps: [200, 400, 600, 800, 1_000, 1_200, 1_400, 1_600],
      windowMs: 10_000,
      noteEveryMs: 3_000,
      phaseEveryMs: 30_000,
      concurrency: 8,
      budgetMs: 600_000,
      stopEarly: true,
    },
    kill: { meetings: 300, windowMs: 20_000, noteEveryMs: 3_000, phaseEveryMs: 30_000, concurrency: 8 },
    phaseBoardNotes: 100,
  },
  workers: 4,
  storedMeetings: 1_000,
  restartRuns: 3,
  boardNotes: 100,
  phaseBoardNotes: 100,
  limitMs: 290_000,
};

const QUICK: Scale = {
  latency: { samples: 20, warmup: 3, rounds: 2 },
  capacity: {
    steps: [2, 4],
    windowMs: 1_500,
    noteEveryMs: 300,
    phaseEveryMs: 1_000,
    concurrency: 2,
    budgetMs: 10_000,
  },
  haproxy: { meetings: 3, rounds: 1, windowMs: 1_500, noteEveryMs: 300, phaseEveryMs: 1_000, concurrency: 2 },
  multi: {
    latency: { samples: 20, warmup: 3, rounds: 2 },
    processes: {
      steps: [2, 4],
      windowMs: 1_500,
      noteEveryMs: 300,
      phaseEveryMs: 1_000,
      concurrency: 2,
      budgetMs: 30_000,
      stopEarly: false,
    },
    kill: { meetings: 4, windowMs: 8_000, noteEveryMs: 300, phaseEveryMs: 1_000, concurrency: 2 },
    phaseBoardNotes: 5,
  },
  workers: 2,
  storedMeetings: 10,
  restartRuns: 1,
  boardNotes: 5,
  phaseBoardNotes: 5,
  limitMs: 60_000,
};

/** Every figure a run must produce; --quick fails when one is missing. */
const REQUIRED = [
  'fanout.real.p50',
  'fanout.real.p99',
  'fanout.real.max',
  'fanout.bare.p50',
  'fanout.bare.p99',
  'fanout.bare.max',
  'phase.real.p50',
  'phase.real.p99',
  'phase.bare.p50',
  'phase.bare.p99',
  'flood.quiet.p99',
  'flood.flooded.p99',
  'capacity.meetings',
  'capacity.rssPerSeat',
  'capacity.heapPerSeat',
  'capacity.loopDelayP99',
  'restart.emptyMs',
  'restart.fullMs',
  'restart.boardColdMs',
  'client.participant.gzipKB',
  'client.leader.gzipKB',
  'client.projector.gzipKB',
  'haproxy.straight.p50',
  'haproxy.straight.p99',
  'haproxy.proxied.p50',
  'haproxy.proxied.p99',
  'haproxy.cpuPercent',
];

/** What a multi-process run must produce (its parts' own figures; `fanout.pgCommit*` beside the fan-out). */
const REQUIRED_MULTI = [
  'fanout.real.p50',
  'fanout.real.p99',
  'fanout.bare.p50',
  'fanout.bare.p99',
  'fanout.pgCommitP50',
  'fanout.pgCommitP99',
  'phase.real.p50',
  'phase.real.p99',
  'phase.bare.p50',
  'phase.bare.p99',
  'capacity.meetings',
  'capacity.costPerMeeting.servers',
  'capacity.costPerMeeting.postgres',
  'capacity.costPerMeeting.redis',
  'capacity.costPerMeeting.loadgen',
  'capacity.projectedCores',
  'kill.backMs',
  'kill.seats',
  'haproxy.straight.p50',
  'haproxy.straight.p99',
  'haproxy.proxied.p50',
  'haproxy.proxied.p99',
  'haproxy.cpuPercent',
];

/** The parts a run without --only runs; the others (haproxy) run when named. */
const DEFAULT_PARTS = ['client', 'fanout', 'phase', 'flood', 'capacity', 'restart'];
const DEFAULT_MULTI_PARTS = ['fanout', 'phase', 'capacity', 'kill', 'haproxy'];

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'write-docs': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    /** Comma-separated parts to run (client, fanout, phase, flood, capacity, restart, haproxy). */
    only: { type: 'string' },
    /** Capacity: go on after a step passed the limit, to see the curve. */
    'all-steps': { type: 'boolean', default: false },
    /** The multi-process mode: PostgreSQL, Redis and this many server processes. */
    processes: { type: 'string' },
    /** Meetings of the HAProxy part (300 by default; fewer on a busy machine). */
    'haproxy-meetings': { type: 'string' },
  },
});
const processes = flags.processes === undefined ? 0 : Number(flags.processes);
if (flags.processes !== undefined && !(Number.isInteger(processes) && processes >= 2 && processes <= 8)) {
  process.stderr.write(`--processes takes a whole number from 2 to 8 (got ${flags.processes})\n`);
  process.exit(2);
}
const multi = processes > 0;
const haproxyMeetings = Number(flags['haproxy-meetings'] ?? Number.NaN);
const parts = new Set(flags.only ? flags.only.split(',') : multi ? DEFAULT_MULTI_PARTS : DEFAULT_PARTS);
const wanted = (id: string) => parts.has(id);
const scale = flags.quick ? QUICK : FULL;
// A WAL truncation runs at most once per 5 s: the quick run's capacity windows (1.5 s) may see none.
if (!flags.quick && !multi) REQUIRED.push('capacity.checkpointMaxMs');
/** A figure's key starts with the id of the part that produces it: only the parts that ran count. */
const required = () => (multi ? REQUIRED_MULTI : REQUIRED).filter((key) => wanted(key.split('.')[0] ?? ''));
// The multi-process run creates its meetings through the API and steps further: it may take longer.
if (multi) scale.limitMs = flags.quick ? 180_000 : 1_200_000;
if (Number.isInteger(haproxyMeetings) && haproxyMeetings > 0) scale.haproxy.meetings = haproxyMeetings;
scale.capacity.allSteps = flags['all-steps'];
const tmp = mkdtempSync(path.join(tmpdir(), 'balint-bench-'));
const report = new Report(flags.quick);
const runStarted = performance.now();
const log = (text: string) =>
  process.stderr.write(`[bench ${((performance.now() - runStarted) / 1000).toFixed(1)}s] ${text}\n`);

function cleanUpNow(): void {
  killAllNow();
  rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanUpNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    cleanUpNow();
    process.exit(130);
  });
}
const watchdog = setTimeout(() => {
  log(`the run took longer than ${scale.limitMs / 1000} s: stopping it`);
  process.stdout.write(`${report.markdown()}\n`);
  cleanUpNow();
  process.exit(1);
}, scale.limitMs);
watchdog.unref();

/** Runs one part; a failure is written into the part's section and the run goes on. */
async function part(id: string, title: string, fn: () => Promise<void>): Promise<void> {
  if (!wanted(id)) return;
  log(`${title}…`);
  try {
    await fn();
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const section = report.sections.find((s) => s.id === id) ?? report.section(id, title);
    section.error = text;
    log(`${title} failed: ${text}`);
  }
}

async function startChild(file: string): Promise<Probed & { stop: () => Promise<void> }> {
  const child = spawnTs(file, { imports: ['./bench/server-probe.ts'] });
  const port = await waitForLine(
    child,
    (line) =>
      line.startsWith('{"listening"') ? String((JSON.parse(line) as { listening: number }).listening) : null,
    30_000,
    file,
  );
  const rpc = new RpcClient(child, file);
  return {
    url: `http://127.0.0.1:${port}`,
    probe: (o = {}) => rpc.call<ProbeStats>('stats', o, 30_000),
    stop: () => stopChild(child),
  };
}

async function startWorker(id: number): Promise<RpcClient> {
  const child = spawnTs('bench/worker.ts', { args: [String(id)] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`load generator ${id} did not start`)), 30_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', () => reject(new Error(`load generator ${id} exited`)));
  });
  return new RpcClient(child, `load generator ${id}`);
}

async function seed(dataDir: string, meetings: number): Promise<PreparedMeeting[]> {
  const out = path.join(tmp, 'seeded.json');
  const child = spawnTs('bench/seed.ts', {
    args: ['--dir', dataDir, '--meetings', String(meetings), '--out', out],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  await exited(child);
  clearTimeout(timer);
  if (child.exitCode !== 0) throw new Error(`seeding failed (${child.exitCode ?? child.signalCode})`);
  return JSON.parse(readFileSync(out, 'utf8')) as PreparedMeeting[];
}

async function main(): Promise<number> {
  const machine = describeMachine();
  const loadAtStart = loadAverage();
  log(`${flags.quick ? 'quick' : 'full'} run on ${machine}`);
  await prepareServer();
  await part('client', 'Client: gzip JavaScript per route', () => runClient(report, tmp));

  const workers = await Promise.all(Array.from({ length: scale.workers }, (_, i) => startWorker(i)));
  const first = workers[0]!;
  let withBoard = false;

  if (multi) {
    try {
      await runMultiProcess(report, {
        processes,
        workers,
        tmp,
        scale: scale.multi,
        ...(flags.profile ? { profileDir: path.join(tmp, 'profile') } : {}),
        wanted,
        part,
        baselines: async () => {
          const [relay, bareIo] = await Promise.all([
            startChild('bench/bare-yjs-relay.ts'),
            startChild('bench/bare-socketio.ts'),
          ]);
          return { relay, bareIo, stop: async () => void (await Promise.all([relay.stop(), bareIo.stop()])) };
        },
        log,
      });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      report.section('processes', `${processes} server processes on PostgreSQL and Redis`).error = text;
      log(`--processes ${processes}: ${text}`);
    }
  }

  if (!multi && (wanted('fanout') || wanted('phase') || wanted('flood'))) {
    const [relay, bareIo] = await Promise.all([
      startChild('bench/bare-yjs-relay.ts'),
      startChild('bench/bare-socketio.ts'),
    ]);
    const dataDir = path.join(tmp, 'latency-data');
    mkdirSync(dataDir);
    const latencyProfile = flags.profile ? path.join(tmp, 'profile-latency') : undefined;
    const server = await startServer({ dataDir, cpuProfileDir: latencyProfile });
    try {
      const prepared = await first.call<PreparedMeeting>(
        'prepare',
        { serverUrl: server.url, seats: 12 },
        60_000,
      );
      withBoard = await first.call<boolean>('board-available', { serverUrl: server.url, prepared }, 30_000);
      const ctx = { worker: first, server, baseline: relay, prepared, scale: scale.latency };
      await part('fanout', 'Note fan-out', async () => {
        if (!withBoard)
          throw new Error('the board is not wired into the server (server/main.ts, createBoard)');
        await runFanout(report, ctx);
      });
      await part('phase', 'Phase change', async () => {
        // A server of its own: one leader sending hundreds of phase changes in seconds is past
        // the command budget by design (LIMIT-2), so its budgets are scaled by the test hook
        // (the limiter still runs on every command; only its refusals stop).
        const phaseDir = path.join(tmp, 'phase-data');
        mkdirSync(phaseDir);
        const phaseServer = await startServer({
          dataDir: phaseDir,
          env: { NODE_ENV: 'test', BALINT_TEST_LIMIT_SCALE: '1000' },
        });
        try {
          // A meeting of its own, its board holding what a speculation phase leaves there.
          const phaseMeeting = await first.call<PreparedMeeting>(
            'prepare',
            { serverUrl: phaseServer.url, seats: 12 },
            60_000,
          );
          if (withBoard) {
            const args = {
              serverUrl: phaseServer.url,
              prepared: phaseMeeting,
              count: scale.phaseBoardNotes,
              timeoutMs: 5_000,
            };
            await first.call('add-notes', args, 120_000);
          }
          await runPhase(report, {
            ...ctx,
            server: phaseServer,
            prepared: phaseMeeting,
            baseline: bareIo,
            withBoard,
            boardNotes: withBoard ? scale.phaseBoardNotes : 0,
          });
        } finally {
          await phaseServer.stop();
        }
      });
      await part('flood', 'Fan-out while one meeting floods', async () => {
        // A fresh meeting: the fan-out meeting's seats have used most of their note share.
        const prepared = await first.call<PreparedMeeting>(
          'prepare',
          { serverUrl: server.url, seats: 12 },
          60_000,
        );
        const flooder = workers[1] ?? first;
        await runFlood(report, {
          worker: first,
          flooder,
          server,
          baseline: relay,
          prepared,
          scale: scale.latency,
        });
      });
    } finally {
      await Promise.all([server.stop(), relay.stop(), bareIo.stop()]);
    }
    if (latencyProfile) {
      const section = report.section(
        'profile-latency',
        'Server CPU profile during note fan-out and phase change (self time)',
      );
      summarizeProfile(latencyProfile, section);
    }
  }

  const storedDir = path.join(tmp, 'stored-data');
  let seeded: PreparedMeeting[] = [];
  const seedOnce = async () => {
    if (seeded.length > 0) return;
    log(`seeding ${scale.storedMeetings} meetings…`);
    seeded = await seed(storedDir, scale.storedMeetings);
  };
  if (!multi)
    await part('capacity', 'Capacity', async () => {
      await seedOnce();
      const profileDir = flags.profile ? path.join(tmp, 'profile') : undefined;
      const server = await startServer({ dataDir: storedDir, cpuProfileDir: profileDir });
      let windows: Windows = [];
      try {
        const boardMeeting = seeded[0];
        if (!boardMeeting) throw new Error('nothing was seeded');
        withBoard = await first.call<boolean>(
          'board-available',
          { serverUrl: server.url, prepared: boardMeeting },
          30_000,
        );
        windows = await runCapacity(report, {
          workers,
          server,
          seeded,
          scale: scale.capacity,
          withBoard,
          log,
        });
        if (withBoard) {
          await first.call(
            'add-notes',
            { serverUrl: server.url, prepared: boardMeeting, count: scale.boardNotes, timeoutMs: 5_000 },
            120_000,
          );
        }
      } finally {
        await server.stop();
      }
      if (profileDir) {
        const section = report.section('profile', 'Server CPU profile during the capacity part (self time)');
        summarizeProfile(profileDir, section, windows);
      }
    });

  if (!multi)
    await part('restart', 'Restart', async () => {
      await seedOnce();
      await runRestart(report, {
        worker: first,
        fullDir: storedDir,
        tmp,
        runs: scale.restartRuns,
        boardMeeting: seeded[0] ?? null,
        boardNotes: scale.boardNotes,
      });
    });

  await part('haproxy', "HAProxy's own cost", async () => {
    const dir = path.join(tmp, 'haproxy-data');
    log(`seeding ${scale.haproxy.meetings} meetings for the HAProxy part…`);
    const meetings = await seed(dir, scale.haproxy.meetings);
    // Behind a balancer the server trusts its X-Forwarded-For (README); the same in both legs.
    const server = await startServer({ dataDir: dir, env: { TRUST_PROXY: '127.0.0.1' } });
    try {
      const boardMeeting = meetings[0];
      if (!boardMeeting) throw new Error('nothing was seeded');
      const board = await first.call<boolean>(
        'board-available',
        { serverUrl: server.url, prepared: boardMeeting },
        30_000,
      );
      await runHaproxy(report, {
        workers,
        server,
        seeded: meetings,
        scale: scale.haproxy,
        withBoard: board,
        log,
      });
    } finally {
      await server.stop();
    }
  });

  await stopEngines();
  await stopAll();
  const seconds = (performance.now() - runStarted) / 1000;
  const header =
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${flags.quick ? 'quick (tiny scale, figures not meaningful)' : 'full'}, ` +
    `${seconds.toFixed(0)} s, on ${machine}; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadAverage().toFixed(1)} at the end.`;
  const targets = report.targets.map(
    (t) =>
      `- ${t.met ? 'met' : flags.quick ? NOT_AT_THIS_SCALE : '**missed**'}: ${t.name} (${t.text.split(':')[0]})`,
  );
  const output = [header, '', report.markdown(), '', '### Targets', '', ...targets].join('\n');
  process.stdout.write(`\n${output}\n`);
  if (flags['write-docs']) {
    const onlyHaproxy = parts.size === 1 && parts.has('haproxy');
    await writeDocs(output, multi ? 'processes' : onlyHaproxy ? 'haproxy' : 'results');
    log('wrote docs/benchmarks.md');
  }
  const missing = report.missing(required());
  if (missing.length > 0) {
    process.stdout.write(`\nMissing figures (${missing.length}): ${missing.join(', ')}\n`);
    return 1;
  }
  process.stdout.write(`\nEvery figure was produced.\n`);
  return 0;
}

main().then(
  (code) => {
    cleanUpNow();
    process.exit(code);
  },
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    cleanUpNow();
    process.exit(1);
  },
);

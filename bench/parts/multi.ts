/**
 * `--processes N`: the benchmark on PostgreSQL, Redis and N server processes. Note fan-out and
 * phase change are measured as in the single-process run (one meeting on process 1, beside the
 * bare baselines started in the same run) with PostgreSQL's commit latency sampled meanwhile;
 * then the capacity of the N processes, and one process killed under load.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { assertOnEngines, clusterEnv, startCluster, type Cluster } from '../lib/cluster';
import { summarizeProfile } from '../lib/profile';
import { sampleCommits, startEngines, type Engines } from '../lib/engines';
import { ms, type Report } from '../lib/report';
import type { RpcClient } from '../lib/rpc';
import { startServer, type Probed } from '../lib/server';
import type { PreparedMeeting } from '../lib/types';
import { runKill, type KillScale } from './kill';
import { runFanout, runPhase, type LatencyScale } from './latency';
import { runProcesses, type Prepared, type ProcessesScale } from './processes';

/** Issue 14: the note fan-out and phase change add at most 5 ms at p50 over the bare baselines. */
// Each meeting made here comes from an address of its own (10.78.0.x, forwarded: the processes
// trust the benchmark as a balancer): the join budget per address is shared by every process.
const MULTI_TARGETS = { p50: 5, p99: 10 };

export interface MultiScale {
  latency: LatencyScale;
  processes: ProcessesScale;
  kill: KillScale;
  phaseBoardNotes: number;
}

interface MultiContext {
  processes: number;
  workers: RpcClient[];
  tmp: string;
  scale: MultiScale;
  wanted: (id: string) => boolean;
  part: (id: string, title: string, fn: () => Promise<void>) => Promise<void>;
  /** The bare baselines (y-protocols relay, Socket.IO broadcast), started by the caller. */
  baselines: () => Promise<{ relay: Probed; bareIo: Probed; stop(): Promise<void> }>;
  log: (text: string) => void;
  /** --profile: the processes' CPU profiles go here, and process 1's is summarized after the run. */
  profileDir?: string;
}

/** Runs the multi-process parts; throws (with a message saying why) when the cluster cannot start. */
export async function runMultiProcess(report: Report, ctx: MultiContext): Promise<void> {
  const { workers, log } = ctx;
  const first = workers[0];
  if (!first) throw new Error('no load generator');
  log('starting PostgreSQL and Redis…');
  const engines = await startEngines();
  const dataDir = path.join(ctx.tmp, 'cluster-data');
  mkdirSync(dataDir);
  log(`starting ${ctx.processes} server processes on them…`);
  const cluster = await startCluster(ctx.processes, dataDir, engines, ctx.profileDir);
  const windows: [number, number][] = [];
  try {
    const withBoard = await first.call<boolean>(
      'board-available',
      {
        serverUrl: cluster.urls[0],
        prepared: await first.call<PreparedMeeting>(
          'prepare',
          { serverUrl: cluster.urls[0], seats: 12, forwardedFor: '10.78.0.1' },
          60_000,
        ),
      },
      30_000,
    );
    if (ctx.wanted('fanout') || ctx.wanted('phase'))
      await latencyParts(report, ctx, cluster, engines, dataDir, withBoard);
    const prepared: Prepared = { meetings: [] };
    await ctx.part('capacity', `Capacity on ${ctx.processes} processes`, () =>
      runProcesses(
        report,
        {
          workers,
          cluster,
          engines,
          scale: ctx.scale.processes,
          withBoard,
          log,
          ...(ctx.profileDir ? { windows } : {}),
        },
        prepared,
      ),
    );
    // Last: it leaves one process dead.
    await ctx.part('kill', 'One process killed under load', () =>
      runKill(report, { workers, cluster, engines, scale: ctx.scale.kill, withBoard, log }, prepared),
    );
  } finally {
    await Promise.all(cluster.processes.map((p) => p.stop()));
  }
  if (ctx.profileDir) {
    const section = report.section(
      'profile',
      'CPU profile of server process 1 over the whole run (self time)',
    );
    summarizeProfile(path.join(ctx.profileDir, '1'), section, windows);
  }
}

async function latencyParts(
  report: Report,
  ctx: MultiContext,
  cluster: Cluster,
  engines: Engines,
  dataDir: string,
  withBoard: boolean,
): Promise<void> {
  const first = ctx.workers[0] as RpcClient;
  const server = cluster.processes[0];
  if (!server) throw new Error('no server process');
  const baselines = await ctx.baselines();
  const commits = await sampleCommits(engines.databaseUrl);
  try {
    const prepared = await first.call<PreparedMeeting>(
      'prepare',
      { serverUrl: server.url, seats: 12, forwardedFor: '10.78.0.2' },
      60_000,
    );
    const latency = {
      worker: first,
      server,
      baseline: baselines.relay,
      prepared,
      scale: ctx.scale.latency,
      targets: MULTI_TARGETS,
    };
    await ctx.part('fanout', 'Note fan-out (process 1 of the cluster)', async () => {
      if (!withBoard) throw new Error('the board is not wired into the server');
      await runFanout(report, latency);
    });
    await ctx.part('phase', 'Phase change (a process of its own on the same engines)', async () => {
      // One more process on the same PostgreSQL and Redis, its rate budgets scaled as in the
      // single-process run (hundreds of phase changes from one leader are past LIMIT-2 by design).
      const phaseServer = await startServer({
        dataDir,
        env: clusterEnv(engines, { NODE_ENV: 'test', BALINT_TEST_LIMIT_SCALE: '1000' }),
      });
      try {
        await assertOnEngines(phaseServer.url, 'the phase part’s process');
        const meeting = await first.call<PreparedMeeting>(
          'prepare',
          { serverUrl: phaseServer.url, seats: 12, forwardedFor: '10.78.0.3' },
          60_000,
        );
        if (withBoard) {
          const args = {
            serverUrl: phaseServer.url,
            prepared: meeting,
            count: ctx.scale.phaseBoardNotes,
            timeoutMs: 5_000,
          };
          await first.call('add-notes', args, 120_000);
        }
        await runPhase(report, {
          ...latency,
          server: phaseServer,
          prepared: meeting,
          baseline: baselines.bareIo,
          withBoard,
          boardNotes: withBoard ? ctx.scale.phaseBoardNotes : 0,
        });
      } finally {
        await phaseServer.stop();
      }
    });
  } finally {
    await baselines.stop();
    const summary = await commits.stop().catch(() => null);
    if (summary) {
      report.set('fanout.pgCommitP50', summary.p50);
      report.set('fanout.pgCommitP99', summary.p99);
      const section =
        report.sections.find((s) => s.id === 'fanout') ?? report.section('fanout', 'Note fan-out');
      section.note(
        `PostgreSQL's commit latency meanwhile (\`BEGIN; INSERT …; COMMIT\` in one round trip from the benchmark process, ` +
          `every 20 ms through the fan-out and phase parts; fsync and synchronous_commit on): ` +
          `**p50 ${ms(summary.p50)}, p99 ${ms(summary.p99)}**, max ${ms(summary.max)} over ${summary.count} commits.`,
      );
    }
  }
}

/**
 * HAProxy's own cost (issue 14, "Measured"): the same meetings and the same load, once straight
 * to the server and once through HAProxy running docs/haproxy.cfg (started as the tests start it),
 * in alternating legs. HAProxy 2.6 is one process holding two files per proxied connection, so it
 * cannot pass the 28,800 WebSockets of the multi-process capacity under the limit of 20,000 open
 * files: it is measured here, apart, at a scale it holds.
 */
import { ms, type Report, type Section } from '../lib/report';
import { startBalancer } from '../lib/engines';
import { CpuMeter } from '../lib/proc';
import type { RpcClient } from '../lib/rpc';
import type { RunningServer } from '../lib/server';
import { summarize } from '../lib/stats';
import type { PreparedMeeting } from '../lib/types';
import {
  closeMeetings,
  connectMeetings,
  loadWindow,
  percent,
  type LoadScale,
  type LoadWindow,
} from '../lib/window';

/** 24 WebSockets per meeting, two files each in HAProxy: 300 meetings use 14,400 of its 20,000. */
const HAPROXY_FILES_PER_CONNECTION = 2;
const HAPROXY_FILE_LIMIT = 20_000;

export interface HaproxyScale extends LoadScale {
  meetings: number;
  /** Pairs of legs (straight, through HAProxy), their order swapped from one pair to the next. */
  rounds: number;
}

interface HaproxyContext {
  workers: RpcClient[];
  server: RunningServer;
  seeded: PreparedMeeting[];
  scale: HaproxyScale;
  withBoard: boolean;
  log: (text: string) => void;
}

type Leg = 'straight' | 'HAProxy';

export async function runHaproxy(report: Report, ctx: HaproxyContext): Promise<void> {
  const { scale, workers, server } = ctx;
  const section = report.section('haproxy', "HAProxy's own cost: the same load straight and through HAProxy");
  const meetings = ctx.seeded.slice(0, scale.meetings);
  const port = Number(new URL(server.url).port);
  const proxy = await startBalancer([{ name: 'app1', port }]);
  const meter = new CpuMeter(() => [
    { name: 'server', pid: server.child.pid ?? null },
    { name: 'HAProxy', pid: proxy.pid },
  ]);
  section.columns([
    'leg',
    'meetings',
    'WebSockets',
    'notes',
    'fan-out p50',
    'fan-out p99',
    'phase p50',
    'phase p99',
    'errors',
    'server loop p99 / max',
    'writes waiting for a lock: n / max',
    'server CPU',
    'HAProxy CPU',
    'load-gen CPU / loop p99',
    'other processes',
  ]);
  const socketsPerMeeting = (meetings[0]?.seats.length ?? 12) * (ctx.withBoard ? 2 : 1);
  const byLeg = new Map<Leg, LoadWindow[]>([
    ['straight', []],
    ['HAProxy', []],
  ]);
  let errors = 0;
  try {
    for (let round = 0; round < scale.rounds; round++) {
      const legs: Leg[] = round % 2 === 0 ? ['straight', 'HAProxy'] : ['HAProxy', 'straight'];
      for (const leg of legs) {
        const url = leg === 'straight' ? server.url : proxy.url;
        const connected = await connectMeetings(workers, url, meetings, {
          concurrency: scale.concurrency,
          withBoard: ctx.withBoard,
        });
        ctx.log(
          `haproxy: ${meetings.length} meetings connected ${leg} in ${(connected.ms / 1000).toFixed(1)} s`,
        );
        for (const e of connected.errors) section.note(`${leg}, connect error: ${e}`);
        try {
          if (connected.failed === meetings.length) {
            errors += connected.failed;
            section.row([leg, '0', '0', '', '', '', '', '', String(connected.failed)]);
            noteHaproxyStates(section, proxy.output());
            continue;
          }
          await server.probe({ reset: true });
          const w = await loadWindow(workers, scale, ctx.withBoard, meter);
          const probe = await server.probe();
          byLeg.get(leg)?.push(w);
          const legErrors = connected.failed + w.errors;
          errors += legErrors;
          const cpu = (name: string) => w.cpu.find((c) => c.name === name)?.percent ?? Number.NaN;
          section.row([
            leg,
            String(meetings.length - connected.failed),
            String((meetings.length - connected.failed) * socketsPerMeeting),
            String(w.notes),
            ms(w.fanout.p50),
            ms(w.fanout.p99),
            ms(w.phase.p50),
            ms(w.phase.p99),
            String(legErrors),
            `${ms(probe.eventLoop.p99)} / ${ms(probe.eventLoop.max)}`,
            `${probe.checkpoints.lockWaits} / ${ms(probe.checkpoints.lockWaitMax)}`,
            percent(cpu('server')),
            leg === 'HAProxy' ? percent(cpu('HAProxy')) : `(${percent(cpu('HAProxy'))})`,
            `${percent(w.loadGenPercent)} / ${ms(w.loadGenLoopP99)}`,
            percent(w.othersPercent),
          ]);
          for (const e of w.errorSamples) section.note(`${leg}, error: ${e}`);
          if (leg === 'HAProxy' && legErrors > 0) noteHaproxyStates(section, proxy.output());
          ctx.log(
            `haproxy: ${leg}: fan-out p50 ${ms(w.fanout.p50)} p99 ${ms(w.fanout.p99)}, ` +
              `CPU server ${percent(cpu('server'))} HAProxy ${percent(cpu('HAProxy'))}, others ${percent(w.othersPercent)}`,
          );
        } finally {
          await closeMeetings(workers);
        }
      }
    }
  } finally {
    await proxy.stop();
  }

  const pooled = (leg: Leg, kind: 'fanout' | 'phase') =>
    summarize((byLeg.get(leg) ?? []).flatMap((w) => w.samples[kind]));
  const straight = pooled('straight', 'fanout');
  const proxied = pooled('HAProxy', 'fanout');
  const proxiedWindows = byLeg.get('HAProxy') ?? [];
  const meanOf = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const haproxyPercent = meanOf(
    proxiedWindows.map((w) => w.cpu.find((c) => c.name === 'HAProxy')?.percent ?? Number.NaN),
  );
  const serverPercent = (leg: Leg) =>
    meanOf((byLeg.get(leg) ?? []).map((w) => w.cpu.find((c) => c.name === 'server')?.percent ?? Number.NaN));
  // Percent of one core is ms of CPU per 100 ms: ×10 gives ms per second, shared by the meetings.
  const perMeeting = (percentOfCore: number) => (percentOfCore * 10) / meetings.length;
  report.set('haproxy.straight.p50', straight.p50);
  report.set('haproxy.straight.p99', straight.p99);
  report.set('haproxy.proxied.p50', proxied.p50);
  report.set('haproxy.proxied.p99', proxied.p99);
  report.set('haproxy.cpuPercent', haproxyPercent);
  report.set('haproxy.errors', errors);
  section.note(
    `**Through HAProxy, note fan-out p50 ${ms(proxied.p50)} and p99 ${ms(proxied.p99)}, against ${ms(straight.p50)} and ` +
      `${ms(straight.p99)} straight to the server** (${proxied.count} and ${straight.count} notes pooled over the legs; ` +
      `phase change p99 ${ms(pooled('HAProxy', 'phase').p99)} against ${ms(pooled('straight', 'phase').p99)}). ` +
      `HAProxy used ${percent(haproxyPercent)} of a core for ${meetings.length} meetings: ` +
      `${perMeeting(haproxyPercent).toFixed(2)} ms of CPU per meeting per second, against the server's ` +
      `${perMeeting(serverPercent('HAProxy')).toFixed(2)} ms in the same legs (${perMeeting(serverPercent('straight')).toFixed(2)} ms straight). ` +
      `${errors} errors.`,
  );
  section.note(
    `One SQLite server process (the single-process default), its meetings seeded before it started; HAProxy 2.6 runs ` +
      `docs/haproxy.cfg as the tests start it (tests/helpers/services.ts: its one server line replaced by this server's ` +
      `port), the server with TRUST_PROXY=127.0.0.1 in both legs, as behind a balancer. Each leg connects every meeting ` +
      `afresh (${scale.windowMs / 1000} s window, a note every ${scale.noteEveryMs / 1000} s and a phase restart every ` +
      `${scale.phaseEveryMs / 1000} s per meeting on average, as in the capacity part) from ${workers.length} load ` +
      `generators on their own source addresses, and closes them after; ${scale.rounds} pair(s) of legs, the order ` +
      `swapped in each pair. CPU is percent of one core from /proc/<pid>/stat; HAProxy's figure in a straight leg ` +
      `(in parentheses) is its idle cost (health checks).`,
  );
  section.note(
    `HAProxy holds ${HAPROXY_FILES_PER_CONNECTION} files per proxied connection (client and server side) and may open ` +
      `${HAPROXY_FILE_LIMIT.toLocaleString('en')}: at ${socketsPerMeeting} WebSockets a meeting it holds about ` +
      `${Math.floor(HAPROXY_FILE_LIMIT / HAPROXY_FILES_PER_CONNECTION / socketsPerMeeting)} meetings per HAProxy process, ` +
      `so the multi-process capacity connects its load generators straight to the processes.`,
  );
  if (!ctx.withBoard)
    section.error = 'the board is not wired into the server: only phase changes were loaded';
}

/** HAProxy says on stderr when its health check takes a server out or puts it back. */
function noteHaproxyStates(section: Section, output: string): void {
  const states = output.split('\n').filter((l) => / is (DOWN|UP)/.test(l));
  for (const line of states.slice(-4)) section.note(`HAProxy: ${line.trim()}`);
}

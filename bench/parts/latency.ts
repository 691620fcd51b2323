/** Note fan-out and phase change in one 12-seat meeting, each against its bare baseline. */
import { availableParallelism } from 'node:os';
import { machineBusy } from '../lib/cpu';
import { added, ms, ratio, type Report, type Section } from '../lib/report';
import type { RpcClient } from '../lib/rpc';
import { summarize, type Summary } from '../lib/stats';
import type { Probed } from '../lib/server';
import type { FanoutResult, PhaseResult, PreparedMeeting, ProbeStats } from '../lib/types';

/** Targets from the issue: milliseconds added to the bare baseline. */
const ADDED_P50_TARGET_MS = 3;
const ADDED_P99_TARGET_MS = 10;
const DELIVERY_TIMEOUT_MS = 5_000;
const GAP_MS = 10;

export interface LatencyScale {
  samples: number;
  warmup: number;
  rounds: number;
}

interface LatencyContext {
  worker: RpcClient;
  server: Probed;
  /** The bare baseline's process. */
  baseline: Probed;
  prepared: PreparedMeeting;
  scale: LatencyScale;
  /** Milliseconds the server may add to the baseline (the multi-process mode allows 5 at p50). */
  targets?: { p50: number; p99: number };
}

/** Resets both processes' event-loop histograms; the returned function reads them. */
async function loopDelays(ctx: LatencyContext): Promise<() => Promise<string>> {
  await Promise.all([ctx.server.probe({ reset: true }), ctx.baseline.probe({ reset: true })]);
  const cores = availableParallelism();
  const busy = machineBusy(cores);
  return async () => {
    const [server, baseline] = await Promise.all([ctx.server.probe(), ctx.baseline.probe()]);
    const d = (p: ProbeStats) => `p99 ${ms(p.eventLoop.p99)}, max ${ms(p.eventLoop.max)}`;
    return (
      `Event-loop delay during the measurement: server ${d(server)}; baseline ${d(baseline)}. ` +
      `The machine was busy ${busy().toFixed(2)} of ${cores} cores on average (all processes, this benchmark included).`
    );
  };
}

function compare(
  report: Report,
  section: Section,
  key: string,
  label: string,
  real: Summary,
  bare: Summary,
  baselineName: string,
  targets = { p50: ADDED_P50_TARGET_MS, p99: ADDED_P99_TARGET_MS },
): void {
  section.columns(['', 'Balint Room', baselineName, 'ratio', 'added', 'target (added)']);
  const rows: [string, keyof Summary, number | null][] = [
    ['p50', 'p50', targets.p50],
    ['p99', 'p99', targets.p99],
    ['max', 'max', null],
  ];
  for (const [name, field, limit] of rows) {
    report.set(`${key}.real.${field}`, real[field]);
    report.set(`${key}.bare.${field}`, bare[field]);
    const target =
      limit === null
        ? ''
        : report.target(real[field] - bare[field], '<=', limit, 'ms', `${label} ${name} adds ≤ ${limit} ms`);
    section.row([
      name,
      ms(real[field]),
      ms(bare[field]),
      ratio(real[field], bare[field]),
      added(real[field], bare[field]),
      target,
    ]);
  }
}

/**
 * The meeting's board grows by one note per sample, so the samples in order show whether the
 * server's cost per note grows with the board.
 */
function boardGrowth(samples: number[], warmup: number): string {
  const third = Math.floor(samples.length / 3);
  if (third === 0) return 'Too few notes to compare board sizes.';
  const parts = [0, 1, 2].map((i) => {
    const slice = samples.slice(i * third, (i + 1) * third);
    const from = warmup + i * third;
    return `${summarize(slice).p50.toFixed(2)} ms with ${from}–${from + third} notes on the board`;
  });
  return `Server p50 as the board grows: ${parts.join(', ')}.`;
}

export async function runFanout(report: Report, ctx: LatencyContext): Promise<void> {
  const section = report.section(
    'fanout',
    "Note fan-out: note:add → the note in every other client's Yjs document",
  );
  const { samples, warmup, rounds } = ctx.scale;
  const delays = await loopDelays(ctx);
  const result = await ctx.worker.call<FanoutResult>(
    'fanout',
    {
      serverUrl: ctx.server.url,
      baselineUrl: ctx.baseline.url.replace(/^http/, 'ws'),
      prepared: ctx.prepared,
      samples,
      warmup,
      rounds,
      gapMs: GAP_MS,
      timeoutMs: DELIVERY_TIMEOUT_MS,
    },
    (samples * 2 + warmup * 2 + 10) * DELIVERY_TIMEOUT_MS,
  );
  compare(
    report,
    section,
    'fanout',
    'note fan-out',
    summarize(result.real),
    summarize(result.bare),
    'bare y-protocols relay',
    ctx.targets,
  );
  section.note(
    `12 seats (leader + 11 participants), each with a Socket.IO connection and a stock WebsocketProvider. ` +
      `The meeting is in **named mode**: notes carry the author's display name and appear at once ` +
      `(anonymous mode would hold them for a shuffled batch of three).`,
  );
  section.note(
    `${result.real.length} notes to the server and ${result.bare.length} updates to the relay, one at a time, ` +
      `${rounds} alternating rounds after ${warmup} warm-up notes each; a sample is the time until the last of the 11 other clients has it.`,
  );
  section.note(
    `One note reaches a client as a ${result.updateBytes}-byte Yjs update; the baseline writes a ${result.bareUpdateBytes}-byte update from one client's document, relayed to the other 11.`,
  );
  section.note(await delays());
  section.note(boardGrowth(result.real, warmup));
  for (const e of result.errors) section.note(`error: ${e}`);
  report.set('fanout.errors', result.errors.length);
}

export async function runPhase(
  report: Report,
  ctx: LatencyContext & { withBoard: boolean; boardNotes: number },
): Promise<void> {
  const section = report.section(
    'phase',
    "Phase change: leader's phase:next → the new meeting:state at every client",
  );
  const { samples, warmup, rounds } = ctx.scale;
  const delays = await loopDelays(ctx);
  const result = await ctx.worker.call<PhaseResult>(
    'phase',
    {
      serverUrl: ctx.server.url,
      baselineUrl: ctx.baseline.url,
      prepared: ctx.prepared,
      samples,
      warmup,
      rounds,
      gapMs: GAP_MS,
      timeoutMs: DELIVERY_TIMEOUT_MS,
      withBoard: ctx.withBoard,
    },
    (samples * 2 + warmup * 2 + 10) * DELIVERY_TIMEOUT_MS,
  );
  compare(
    report,
    section,
    'phase',
    'phase change',
    summarize(result.real),
    summarize(result.bare),
    'bare Socket.IO broadcast',
    ctx.targets,
  );
  section.note(
    `12 seats (leader + 11 participants${ctx.withBoard ? ', each also with its board connection' : '; the board was not available'}), ` +
      `a meeting of its own with ${ctx.boardNotes} notes on its board (what a speculation phase leaves there); ` +
      `the leader alternates phase:next and phase:previous (speculation ↔ return); a sample is the time until all 12 have the snapshot with the new phase. ` +
      `It runs on a server of its own whose rate budgets are scaled ×1000 by the test hook BALINT_TEST_LIMIT_SCALE (hundreds of phase changes from one leader in seconds are past the command budget by design, LIMIT-2); the limiter still runs on every command.`,
  );
  section.note(
    `${result.real.length} changes and ${result.bare.length} baseline broadcasts in ${rounds} alternating rounds. ` +
      `The server sends each seat its own view (${result.snapshotBytes} bytes of JSON for a participant); the baseline broadcasts that same snapshot to the room once.`,
  );
  section.note(await delays());
  for (const e of result.errors) section.note(`error: ${e}`);
  report.set('phase.errors', result.errors.length);
}

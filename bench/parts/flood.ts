/**
 * Other meetings while one floods (SPEC.md LIMIT-2..6): note fan-out p99 in a quiet 12-seat
 * meeting, then again while one seat of another meeting floods with every connection the caps
 * allow. Target: the flood adds at most 10 ms to the other meeting's p99.
 */
import { ms, type Report } from '../lib/report';
import type { RpcClient } from '../lib/rpc';
import type { Probed } from '../lib/server';
import { summarize } from '../lib/stats';
import type { FanoutResult, PreparedMeeting } from '../lib/types';
import type { FloodCounts } from '../lib/flood';
import type { LatencyScale } from './latency';

const ADDED_P99_TARGET_MS = 10;
const DELIVERY_TIMEOUT_MS = 5_000;
const GAP_MS = 10;

export interface FloodContext {
  worker: RpcClient;
  flooder: RpcClient;
  server: Probed;
  baseline: Probed;
  /** A 12-seat meeting with room on its board for both runs (each seat's share is 40 notes). */
  prepared: PreparedMeeting;
  scale: LatencyScale;
}

export async function runFlood(report: Report, ctx: FloodContext): Promise<void> {
  const section = report.section('flood', "Other meetings' note fan-out while one meeting floods");
  const floodMeeting = await ctx.flooder.call<PreparedMeeting>(
    'prepare',
    { serverUrl: ctx.server.url, seats: 2 },
    60_000,
  );
  const samples = Math.min(ctx.scale.samples, 100);
  const warmup = Math.min(ctx.scale.warmup, 10);
  const measure = () =>
    ctx.worker.call<FanoutResult>(
      'fanout',
      {
        serverUrl: ctx.server.url,
        baselineUrl: ctx.baseline.url.replace(/^http/, 'ws'),
        prepared: ctx.prepared,
        samples,
        warmup,
        rounds: 1,
        gapMs: GAP_MS,
        timeoutMs: DELIVERY_TIMEOUT_MS,
      },
      (samples * 2 + warmup * 2 + 10) * DELIVERY_TIMEOUT_MS,
    );
  const quiet = await measure();
  await ctx.server.probe({ reset: true });
  await ctx.flooder.call('flood:start', { serverUrl: ctx.server.url, prepared: floodMeeting }, 10_000);
  let flooded: FanoutResult;
  let counts: FloodCounts | null;
  try {
    flooded = await measure();
  } finally {
    counts = await ctx.flooder.call<FloodCounts | null>('flood:stop', {}, 10_000);
  }
  const loop = await ctx.server.probe();
  const q = summarize(quiet.real);
  const f = summarize(flooded.real);
  report.set('flood.quiet.p99', q.p99);
  report.set('flood.flooded.p99', f.p99);
  section.columns(['', 'quiet', 'one meeting flooding', 'added', 'target (added)']);
  section.row(['p50', ms(q.p50), ms(f.p50), ms(f.p50 - q.p50), '']);
  section.row([
    'p99',
    ms(q.p99),
    ms(f.p99),
    ms(f.p99 - q.p99),
    report.target(
      f.p99 - q.p99,
      '<=',
      ADDED_P99_TARGET_MS,
      'ms',
      `a flood adds ≤ ${ADDED_P99_TARGET_MS} ms to other meetings' fan-out p99`,
    ),
  ]);
  section.note(
    `The same 12-seat named meeting measured twice, ${quiet.real.length} and ${flooded.real.length} notes. ` +
      `Meanwhile one participant seat of another meeting, from its own address, holds every connection the caps allow ` +
      `(4 Socket.IO, 4 board) and sends bursts of note:add and time:ping and board sync messages as fast as it can, ` +
      `reconnecting at once whenever it is closed or refused.`,
  );
  if (counts) {
    section.note(
      `The flood sent ${counts.events} events and ${counts.frames} board frames; ${counts.rateLimited} answers were rate-limited; ` +
        `${counts.connects} connections opened and ${counts.refusedConnects} refused (the seat is blocked 30 s after 100 refusals).`,
    );
  }
  section.note(
    `Server event-loop delay during the flooded run: p99 ${ms(loop.eventLoop.p99)}, max ${ms(loop.eventLoop.max)}.`,
  );
  for (const e of [...quiet.errors, ...flooded.errors]) section.note(`error: ${e}`);
}

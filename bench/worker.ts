/**
 * A load generator process. The benchmark runner starts several and drives them over IPC: each
 * operation opens real clients against the server (or a bare baseline), measures, and returns
 * the samples. Sender and receivers of a measurement live in the same process, so one clock
 * times both ends.
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { encodeStateAsUpdate } from 'yjs';
import type { MeetingView } from '../shared/meeting/view';
import { BOARD_PATH, BOARD_SUBPROTOCOL } from '../shared/protocol';
import { prepareMeetingViaRest } from './lib/api';
import { BareSocketRoom, BareYjsRoom } from './lib/bare-rooms';
import { openMeetingBoard } from './lib/clients';
import { startFlood, type FloodCounts } from './lib/flood';
import { HeldMeeting } from './lib/held-meeting';
import { serveRpc } from './lib/rpc';
import type { ConnectResult, FanoutResult, LoadResult, PhaseResult, PreparedMeeting } from './lib/types';

const WORKER_ID = process.argv[2] ?? '0';
const RUN_TAG = randomBytes(3).toString('hex');
const NS_PER_MS = 1e6;
const LOOP_RESOLUTION_MS = 5;
const ERROR_SAMPLES = 8;
const BOARD_CHECK_TIMEOUT_MS = 5_000;
const KILL_POLL_MS = 20;

let markerSeq = 0;
/** A marker no other note in this run carries (ASCII, so it is found byte for byte). */
const nextMarker = () => `N${RUN_TAG}w${WORKER_ID}x${(markerSeq++).toString(36)}#`;

/** A small seeded PRNG (mulberry32), so load patterns repeat from run to run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(0x5eed + Number(WORKER_ID));

class Errors {
  count = 0;
  samples: string[] = [];
  add = (what: string) => {
    this.count++;
    if (this.samples.length < ERROR_SAMPLES && !this.samples.includes(what)) this.samples.push(what);
  };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

// ---------------------------------------------------------------------------------------------
// Note fan-out and phase change on one meeting, each against its bare baseline

interface LatencyArgs {
  serverUrl: string;
  baselineUrl: string;
  prepared: PreparedMeeting;
  samples: number;
  warmup: number;
  rounds: number;
  gapMs: number;
  timeoutMs: number;
}

async function fanout(args: LatencyArgs): Promise<FanoutResult> {
  const errors = new Errors();
  const meeting = await HeldMeeting.connect(args.serverUrl, args.prepared, {
    withBoard: true,
    onError: errors.add,
  });
  let bare: BareYjsRoom | null = null;
  const real: number[] = [];
  const baseline: number[] = [];
  let sender = 0;
  // Participants take turns; the leader (seat 0) only receives.
  const nextSender = () => 1 + (sender++ % (meeting.size - 1));
  try {
    for (let i = 0; i < args.warmup; i++) await meeting.addNote(nextSender(), nextMarker(), args.timeoutMs);
    const updateBytes = meeting.lastNoteUpdateBytes;
    bare = await BareYjsRoom.open(args.baselineUrl, `/fanout-${RUN_TAG}`, meeting.size);
    await bare.calibrate(updateBytes, () => nextMarker());
    for (let i = 0; i < args.warmup; i++) await bare.send(nextSender(), nextMarker(), args.timeoutMs);
    const perRound = Math.ceil(args.samples / args.rounds);
    for (let r = 0; r < args.rounds; r++) {
      for (let i = 0; i < perRound; i++) {
        try {
          real.push(await meeting.addNote(nextSender(), nextMarker(), args.timeoutMs));
        } catch (error) {
          errors.add(message(error));
        }
        await sleep(args.gapMs);
      }
      for (let i = 0; i < perRound; i++) {
        try {
          baseline.push(await bare.send(nextSender(), nextMarker(), args.timeoutMs));
        } catch (error) {
          errors.add(`baseline: ${message(error)}`);
        }
        await sleep(args.gapMs);
      }
    }
    return {
      real,
      bare: baseline,
      updateBytes,
      bareUpdateBytes: bare.lastUpdateBytes,
      errors: errors.samples,
    };
  } finally {
    meeting.close();
    bare?.close();
  }
}

async function phase(args: LatencyArgs & { withBoard: boolean }): Promise<PhaseResult> {
  const errors = new Errors();
  const meeting = await HeldMeeting.connect(args.serverUrl, args.prepared, {
    withBoard: args.withBoard,
    onError: errors.add,
  });
  let bare: BareSocketRoom | null = null;
  const real: number[] = [];
  const baseline: number[] = [];
  try {
    const views = meeting.views();
    const first = views[1] ?? views[0];
    if (!first) throw new Error('no seats');
    const from = first.phases.findIndex((p) => p.id === args.prepared.notePhaseId);
    // Alternately `next` (speculation -> return) and `previous` (back), so that every command changes phase.
    let forward = first.currentIndex === from;
    const change = async () => {
      const target = forward ? from + 1 : from;
      const command = forward ? ({ type: 'phase:next' } as const) : ({ type: 'phase:previous' } as const);
      forward = !forward;
      return meeting.changePhase(
        command,
        (view: MeetingView) => view.currentIndex === target,
        args.timeoutMs,
      );
    };
    for (let i = 0; i < args.warmup; i++) await change();
    const snapshot = meeting.views()[1] ?? first;
    const snapshotBytes = Buffer.byteLength(JSON.stringify(snapshot));
    bare = await BareSocketRoom.open(args.baselineUrl, meeting.size, snapshot);
    for (let i = 0; i < args.warmup; i++) await bare.broadcast(args.timeoutMs);
    const perRound = Math.ceil(args.samples / args.rounds);
    for (let r = 0; r < args.rounds; r++) {
      for (let i = 0; i < perRound; i++) {
        try {
          real.push(await change());
        } catch (error) {
          errors.add(message(error));
        }
        await sleep(args.gapMs);
      }
      for (let i = 0; i < perRound; i++) {
        try {
          baseline.push(await bare.broadcast(args.timeoutMs));
        } catch (error) {
          errors.add(`baseline: ${message(error)}`);
        }
        await sleep(args.gapMs);
      }
    }
    // Leave the meeting where notes may be posted.
    if (!forward) await change().catch((error: unknown) => errors.add(message(error)));
    return { real, bare: baseline, snapshotBytes, errors: errors.samples };
  } finally {
    meeting.close();
    bare?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Capacity: many meetings held at once, with a realistic load

const held: HeldMeeting[] = [];
const capacityErrors = new Errors();

async function capConnect(args: {
  serverUrl: string;
  meetings: PreparedMeeting[];
  localAddress?: string;
  concurrency: number;
  withBoard: boolean;
  failover?: string[];
}): Promise<ConnectResult> {
  const started = performance.now();
  const errors = new Errors();
  const queue = [...args.meetings];
  let failed = 0;
  let seats = 0;
  const lane = async () => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      try {
        const meeting = await HeldMeeting.connect(args.serverUrl, m, {
          withBoard: args.withBoard,
          localAddress: args.localAddress,
          onError: capacityErrors.add,
          failover: args.failover,
        });
        held.push(meeting);
        seats += meeting.size;
      } catch (error) {
        failed++;
        errors.add(message(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, args.concurrency) }, lane));
  return {
    meetings: args.meetings.length - failed,
    seats,
    failed,
    ms: performance.now() - started,
    errors: errors.samples,
  };
}

async function capLoad(args: {
  durationMs: number;
  noteEveryMs: number;
  phaseEveryMs: number;
  timeoutMs: number;
  withBoard: boolean;
}): Promise<LoadResult> {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const end = started + args.durationMs;
  const fanoutMs: number[] = [];
  const phaseMs: number[] = [];
  const errorsBefore = capacityErrors.count;
  let notesSent = 0;
  let phaseChanges = 0;
  const inFlight: Promise<unknown>[] = [];
  // Bounded by time and by count: never more than three times the expected number per meeting.
  const maxNotes = Math.ceil((3 * args.durationMs) / args.noteEveryMs) + 1;
  const maxPhases = Math.ceil((3 * args.durationMs) / args.phaseEveryMs) + 1;

  /** Waits `delayMs`, but never past the end of the window. */
  const pause = (delayMs: number) => sleep(Math.max(0, Math.min(delayMs, end - performance.now())));
  const notes = async (m: HeldMeeting) => {
    await pause(random() * args.noteEveryMs);
    for (let n = 0; n < maxNotes && performance.now() < end; n++) {
      // A meeting whose seats are moving to another process (the kill part) sends nothing meanwhile.
      if (m.recovering) {
        await pause(args.noteEveryMs * (0.5 + random()));
        continue;
      }
      const sender = 1 + Math.floor(random() * (m.size - 1));
      notesSent++;
      inFlight.push(
        // Every fourth note is edited by its author once delivered: deleted text while the meeting runs.
        m.addNote(sender, nextMarker(), args.timeoutMs, n % 4 === 3).then(
          (ms) => fanoutMs.push(ms),
          (error: unknown) => capacityErrors.add(message(error)),
        ),
      );
      await pause(args.noteEveryMs * (0.5 + random()));
    }
  };
  const phases = async (m: HeldMeeting) => {
    await pause(random() * args.phaseEveryMs);
    for (let n = 0; n < maxPhases && performance.now() < end; n++) {
      if (m.recovering) {
        await pause(args.phaseEveryMs * (0.5 + random()));
        continue;
      }
      // Restarting the speculation phase is a phase change that keeps notes allowed; every
      // view shows the timer (the meetings are seeded with timerVisibility 'everyone').
      const before = m.views().map((v) => v.timer?.startedAt);
      phaseChanges++;
      try {
        phaseMs.push(
          await m.changePhase(
            { type: 'phase:jump', phaseId: m.prepared.notePhaseId },
            (view, seat) => view.timer?.startedAt !== before[seat],
            args.timeoutMs,
          ),
        );
      } catch (error) {
        capacityErrors.add(message(error));
      }
      await pause(args.phaseEveryMs * (0.5 + random()));
    }
  };
  await Promise.all(held.flatMap((m) => [...(args.withBoard ? [notes(m)] : []), phases(m)]));
  await Promise.all(inFlight);
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMs = performance.now() - started;
  const late = (ns: number) => Math.max(0, ns / NS_PER_MS - LOOP_RESOLUTION_MS);
  return {
    fanout: fanoutMs,
    phase: phaseMs,
    notesSent,
    phaseChanges,
    errors: capacityErrors.count - errorsBefore,
    errorSamples: capacityErrors.samples.splice(0),
    workerEventLoop: {
      p50: late(loop.percentile(50)),
      p99: late(loop.percentile(99)),
      max: late(loop.max),
      mean: late(loop.mean),
    },
    workerCpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
  };
}

/**
 * The kill part: waits until every seat of the meetings that were on `deadUrl` has come back on
 * another process after `killedAt` (wall clock), polling every 20 ms within `timeoutMs`.
 */
async function killAwait(args: { deadUrl: string; killedAt: number; timeoutMs: number }) {
  const affected = held.filter((m) => m.baseUrl === args.deadUrl);
  /** Each seat's first return after the kill (a seat may move again if its new process drops it). */
  const backAfterKill = (m: HeldMeeting) => {
    const first = new Map<number, number>();
    for (const r of m.recoveries)
      if (r.lostAt >= args.killedAt && !first.has(r.seat)) first.set(r.seat, r.backAt);
    return [...first.values()];
  };
  const started = performance.now();
  const allBack = () => affected.every((m) => backAfterKill(m).length >= m.size);
  while (!allBack() && performance.now() - started < args.timeoutMs) await sleep(KILL_POLL_MS);
  const backMs = affected.flatMap((m) => backAfterKill(m).map((backAt) => backAt - args.killedAt));
  const seats = affected.reduce((n, m) => n + m.size, 0);
  return {
    // What went wrong while the seats moved (the load window has taken its own errors by now).
    errors: capacityErrors.samples.splice(0),
    meetings: affected.length,
    seats,
    back: backMs.length,
    backMs,
    // Seats of other processes that also moved (a kill should move none of them).
    movedElsewhere: held
      .filter((m) => m.baseUrl !== args.deadUrl)
      .reduce((n, m) => n + backAfterKill(m).length, 0),
  };
}

function capClose(): number {
  const n = held.length;
  for (const m of held.splice(0)) m.close();
  return n;
}

/**
 * Meetings `from` … `from + count - 1` of a multi-process run, created through the REST API of
 * the process `urls[i % urls.length]` (so every process writes to the shared database), each as
 * its own forwarded client address 10.77.x.y: the servers trust the benchmark's address
 * (TRUST_PROXY=127.0.0.1, as behind a balancer), so the per-address limits of creating and
 * joining apply to each meeting as to a real group, not to the benchmark as a whole.
 */
async function prepareMany(args: { urls: string[]; from: number; count: number; concurrency: number }) {
  const out: { index: number; prepared: PreparedMeeting }[] = [];
  let next = args.from;
  const end = args.from + args.count;
  const lane = async () => {
    for (let i = next++; i < end; i = next++) {
      const url = args.urls[i % args.urls.length] ?? '';
      const prepared = await prepareMeetingViaRest(url, 12, {
        forwardedFor: `10.77.${(i >> 8) & 255}.${i & 255}`,
        timerVisibility: 'everyone',
      });
      out.push({ index: i, prepared });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, args.concurrency) }, lane));
  return out.sort((a, b) => a.index - b.index).map((o) => o.prepared);
}

// ---------------------------------------------------------------------------------------------
// Restart: fill one board, then time how long a fresh client takes to get it back

async function addNotes(args: {
  serverUrl: string;
  prepared: PreparedMeeting;
  count: number;
  timeoutMs: number;
}) {
  const errors = new Errors();
  const meeting = await HeldMeeting.connect(args.serverUrl, args.prepared, {
    withBoard: true,
    onError: errors.add,
  });
  try {
    let added = 0;
    for (let i = 0; i < args.count; i++) {
      await meeting.addNote(1 + (i % (meeting.size - 1)), nextMarker(), args.timeoutMs);
      added++;
    }
    return { added, errors: errors.samples };
  } finally {
    meeting.close();
  }
}

async function boardReload(args: { serverUrl: string; prepared: PreparedMeeting }) {
  const seat = args.prepared.seats[1] ?? args.prepared.seats[0];
  if (!seat) throw new Error('no seat');
  const started = performance.now();
  const board = await openMeetingBoard(
    args.serverUrl,
    args.prepared.meetingId,
    args.prepared.caseIndex,
    seat.token,
  );
  const ms = performance.now() - started;
  const bytes = encodeStateAsUpdate(board.doc).byteLength;
  board.destroy();
  return { ms, bytes };
}

/** Whether the server answers a board upgrade at all (until the board is wired in, it does not). */
function boardAvailable(args: { serverUrl: string; prepared: PreparedMeeting }): Promise<boolean> {
  const { meetingId, caseIndex, seats } = args.prepared;
  const url = `${args.serverUrl.replace(/^http/, 'ws')}${BOARD_PATH}/${meetingId}/${caseIndex}`;
  const ws = new WebSocket(url, [BOARD_SUBPROTOCOL, seats[0]?.token ?? '']);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), BOARD_CHECK_TIMEOUT_MS);
    const finish = (available: boolean) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(available);
    };
    ws.on('open', () => finish(true));
    ws.on('error', () => finish(false));
    ws.on('close', () => finish(false));
  });
}

let flood: { stop(): FloodCounts } | null = null;

serveRpc({
  'flood:start': (args: { serverUrl: string; prepared: PreparedMeeting }) => {
    flood?.stop();
    flood = startFlood(args.serverUrl, args.prepared);
    return true;
  },
  'flood:stop': () => {
    const counts = flood?.stop() ?? null;
    flood = null;
    return counts;
  },
  prepare: (args: { serverUrl: string; seats: number; forwardedFor?: string }) =>
    prepareMeetingViaRest(args.serverUrl, args.seats, { forwardedFor: args.forwardedFor }),
  fanout,
  phase,
  'cap:connect': capConnect,
  'cap:load': capLoad,
  'cap:close': capClose,
  'kill:await': killAwait,
  'prepare-many': prepareMany,
  'add-notes': addNotes,
  'board-reload': boardReload,
  'board-available': boardAvailable,
});
process.send?.({ ready: true });

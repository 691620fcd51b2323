/**
 * Restart: the time from starting the server process with 1,000 stored meetings to its first
 * answer on /healthz, against the same start with an empty database in the same run; and the
 * time a fresh client needs to get one meeting's board back after the restart.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopChild } from '../lib/children';
import { added, kib, ms, type Report } from '../lib/report';
import type { RpcClient } from '../lib/rpc';
import { freePort, launchServer } from '../lib/server';
import { median } from '../lib/stats';
import type { PreparedMeeting } from '../lib/types';

const TARGET_MS = 2_000;
const HEALTH_POLL_MS = 5;
const HEALTH_LIMIT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 1_000;

interface Start {
  healthyMs: number;
  /** The server's own figure: createApp + loading meetings, from its server.listening log. */
  inProcessMs: number;
  meetings: number;
}

/** Starts a server on `dataDir`, times it to the first /healthz answer, then runs `whileUp`. */
async function timedStart(dataDir: string, whileUp: (url: string) => Promise<void>): Promise<Start> {
  const port = await freePort();
  let inProcessMs = Number.NaN;
  const started = performance.now();
  const { child, ready } = launchServer({
    dataDir,
    port,
    logLevel: 'info',
    onLine: (line) => {
      if (!line.includes('"server.listening"')) return;
      try {
        inProcessMs = Number((JSON.parse(line) as { startMs?: number }).startMs);
      } catch {
        // not a log line
      }
    },
  });
  ready.catch(() => {});
  try {
    const url = `http://127.0.0.1:${port}`;
    let healthyMs = Number.NaN;
    let meetings = Number.NaN;
    const limit = started + HEALTH_LIMIT_MS;
    while (performance.now() < limit && child.exitCode === null) {
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        if (res.ok) {
          healthyMs = performance.now() - started;
          meetings = ((await res.json()) as { meetings: number }).meetings;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(HEALTH_POLL_MS);
    }
    if (!Number.isFinite(healthyMs)) throw new Error(`the server on ${dataDir} never answered /healthz`);
    await ready;
    await whileUp(url);
    return { healthyMs, inProcessMs, meetings };
  } finally {
    await stopChild(child, 15_000);
  }
}

export async function runRestart(
  report: Report,
  ctx: {
    worker: RpcClient;
    fullDir: string;
    tmp: string;
    runs: number;
    /** A meeting whose board holds notes, or null when the server has no board. */
    boardMeeting: PreparedMeeting | null;
    boardNotes: number;
  },
): Promise<void> {
  const section = report.section('restart', 'Restart');
  const emptyDir = path.join(ctx.tmp, 'empty-data');
  mkdirSync(emptyDir, { recursive: true });
  const empty: Start[] = [];
  const full: Start[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  let boardBytes = Number.NaN;
  let boardError: string | null = null;
  for (let i = 0; i < ctx.runs; i++) {
    empty.push(await timedStart(emptyDir, async () => {}));
    full.push(
      await timedStart(ctx.fullDir, async (url) => {
        if (!ctx.boardMeeting) return;
        const args = { serverUrl: url, prepared: ctx.boardMeeting };
        try {
          const first = await ctx.worker.call<{ ms: number; bytes: number }>('board-reload', args, 30_000);
          const second = await ctx.worker.call<{ ms: number; bytes: number }>('board-reload', args, 30_000);
          cold.push(first.ms);
          warm.push(second.ms);
          boardBytes = first.bytes;
        } catch (error) {
          boardError = error instanceof Error ? error.message : String(error);
        }
      }),
    );
  }
  const med = (starts: Start[], f: keyof Start) => median(starts.map((s) => s[f]));
  const meetings = full[0]?.meetings ?? Number.NaN;
  report.set('restart.emptyMs', med(empty, 'healthyMs'));
  report.set('restart.fullMs', med(full, 'healthyMs'));
  report.set('restart.meetings', meetings);
  section.columns(['', `median of ${ctx.runs}`, 'target']);
  section.row(['process start → first /healthz answer, empty database', ms(med(empty, 'healthyMs')), '']);
  section.row([
    `process start → first /healthz answer, ${meetings} stored meetings`,
    ms(med(full, 'healthyMs')),
    report.target(med(full, 'healthyMs'), '<', TARGET_MS, 'ms', `restart with ${meetings} meetings < 2 s`),
  ]);
  section.row([`added by ${meetings} meetings`, added(med(full, 'healthyMs'), med(empty, 'healthyMs')), '']);
  section.row([
    `in-process start (createApp + load, the server's own log), empty / ${meetings} meetings`,
    `${ms(med(empty, 'inProcessMs'))} / ${ms(med(full, 'inProcessMs'))}`,
    '',
  ]);
  if (ctx.boardMeeting && cold.length > 0) {
    report.set('restart.boardColdMs', median(cold));
    section.row([
      `first board client after restart: open → synced (${ctx.boardNotes}+ notes, ${kib(boardBytes)})`,
      ms(median(cold)),
      '',
    ]);
    section.row(['a second client on the same board, already loaded', ms(median(warm)), '']);
  } else {
    section.error = `board reload: ${boardError ?? 'no meeting with a board'}`;
  }
  section.note(
    `Each start is a new \`node dist/server/main.js\` process (the built server, with the probe preloaded); ` +
      `empty and full starts alternate. The stored meetings are the capacity part's (12 seats, running, their boards holding the notes of that part).`,
  );
}

/**
 * `npm run bench:storage`: what the asynchronous storage on Kysely (server/storage/async/) costs
 * against the synchronous SQLite storage the server runs today, on the storage calls of one note
 * added (server/board/handlers/noteAdd.ts: the retry look-up by secret, the case's unsettled notes
 * and count, the insert, the activity mark, the read-back). Both on a real file in a temporary
 * data folder, opened as the server opens it (WAL, synchronous=NORMAL, secure delete, WAL copier),
 * in alternating rounds in one process; prints the figures and their ratio. No timed assertion:
 * the ratio is for the switch of the callers (ARCHITECTURE.md, "Several processes").
 * `--quick` runs a tiny round of each, to check that it runs. `--postgres-url postgres://…` adds
 * the same storage on that PostgreSQL (an empty database: it migrates it), beside the two.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createMeetingState } from '../shared/meeting/create';
import { BUILT_IN_TEMPLATES } from '../shared/meeting/templates';
import { openAsyncSqliteStorage, openPostgresStorage } from '../server/storage/async/open';
import type { AsyncStorage, StorageOperations } from '../server/storage/async/types';
import { openSqliteStorage } from '../server/storage/sqlite';
import type { NoteRow, Storage } from '../server/storage/types';
import { summarize, type Summary } from './lib/stats';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'postgres-url': { type: 'string' } },
});
/** A case holds at most 400 notes (MAX_NOTES_PER_CASE): a round fills meetings of 300 each. */
const NOTES_PER_MEETING = 300;
const MEETINGS_PER_ROUND = values.quick ? 1 : 10;
const ROUNDS = values.quick ? 1 : 3;
/** A release batch (every 4 s in a meeting) takes the notes written since the last one. */
const RELEASE_EVERY_NOTES = 10;

type NoteAddCalls = Pick<
  Storage,
  'findNoteBySecretHash' | 'listUnsettledNotes' | 'countNotes' | 'putNote' | 'touchMeeting' | 'getNote'
>;
type AsyncNoteAddCalls = Pick<StorageOperations, keyof NoteAddCalls>;

function noteRow(meetingId: string, i: number): NoteRow {
  return {
    meetingId,
    noteId: `${(i * 7919) % 100_003}-${i}`,
    caseIndex: 0,
    kind: 'image',
    text: `an image that came to mind, number ${i}`,
    secretHash: `secret-${meetingId}-${i}`,
    status: 'waiting',
    pendingText: null,
    pendingDelete: false,
    batch: null,
    authorName: null,
  };
}

/** The storage calls of one note added, in the handler's order, each a thunk for either storage. */
function noteAddCalls(s: NoteAddCalls | AsyncNoteAddCalls, note: NoteRow, now: number): (() => unknown)[] {
  return [
    () => s.findNoteBySecretHash(note.meetingId, note.secretHash),
    () => s.listUnsettledNotes(note.meetingId, note.caseIndex),
    () => s.countNotes(note.meetingId, note.caseIndex),
    () => s.putNote(note),
    () => s.touchMeeting(note.meetingId, now),
    () => s.getNote(note.meetingId, note.noteId),
  ];
}

/**
 * The asynchronous storage writes a meeting's notes only once the meeting exists: on PostgreSQL
 * they are sealed under its key, made with its row (CONF-4).
 */
async function insertMeeting(storage: AsyncStorage, meetingId: string): Promise<void> {
  const template = BUILT_IN_TEMPLATES[0];
  if (!template) throw new Error('no built-in template');
  const state = createMeetingState({
    id: meetingId,
    title: 'Bench',
    template,
    leaderSeatId: 'leader',
    leaderName: 'Lea',
    now: Date.now(),
  });
  await storage.insertMeeting(
    { state, joinCode: meetingId.slice(-11), lastActivityAt: Date.now() },
    { leaderToken: `leader-${meetingId}`, projectorKey: `projector-${meetingId}` },
  );
}

/** Milliseconds per note added, one sample per note. */
async function round(
  label: string,
  storage: NoteAddCalls | AsyncStorage,
  awaitEach: boolean,
  n: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let m = 0; m < MEETINGS_PER_ROUND; m++) {
    const meetingId = `${label}-round${n}-meeting${m}`;
    if (awaitEach) await insertMeeting(storage as AsyncStorage, meetingId);
    for (let i = 0; i < NOTES_PER_MEETING; i++) {
      const started = performance.now();
      for (const call of noteAddCalls(storage, noteRow(meetingId, i), Date.now()))
        if (awaitEach) await call();
        else call();
      samples.push(performance.now() - started);
      // Untimed: a release batch every few notes, as a meeting has, so that the case's unsettled
      // notes stay few (all 300 waiting would time that list, not the note).
      if (i % RELEASE_EVERY_NOTES === RELEASE_EVERY_NOTES - 1)
        for (let j = i - RELEASE_EVERY_NOTES + 1; j <= i; j++) {
          const released = storage.putNote({ ...noteRow(meetingId, j), status: 'released', batch: i });
          if (awaitEach) await released;
        }
    }
  }
  return samples;
}

function row(label: string, s: Summary): string {
  const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`.padStart(9);
  return `${label.padEnd(34)} ${String(s.count).padStart(6)} ${us(s.p50)} ${us(s.p99)} ${us(s.mean)}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'balint-bench-storage-'));
  const sync = openSqliteStorage({ file: path.join(dir, 'sync.sqlite'), synchronous: 'NORMAL' });
  const kysely = openAsyncSqliteStorage({ file: path.join(dir, 'kysely.sqlite'), synchronous: 'NORMAL' });
  const postgresUrl = values['postgres-url'];
  // The key file in the bench's own folder, as a server keeps it in its data folder.
  const postgres = postgresUrl ? await openPostgresStorage({ url: postgresUrl, keyFolder: dir }) : null;
  try {
    const samples = { sync: [] as number[], kysely: [] as number[], postgres: [] as number[] };
    for (let n = 0; n < ROUNDS; n++) {
      // Alternating, so that none has the warm machine to itself.
      samples.sync.push(...(await round('sync', sync, false, n)));
      samples.kysely.push(...(await round('kysely', kysely, true, n)));
      if (postgres) samples.postgres.push(...(await round(`pg-${process.pid}`, postgres, true, n)));
    }
    const a = summarize(samples.sync);
    const b = summarize(samples.kysely);
    const header = `${'storage'.padEnd(34)} ${'notes'.padStart(6)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'mean'.padStart(9)}`;
    const lines = [
      `Storage calls of one note added (${NOTES_PER_MEETING} notes per meeting, ${MEETINGS_PER_ROUND} meetings x ${ROUNDS} rounds each)`,
      header,
      row('SQLite, synchronous (today)', a),
      row('SQLite, asynchronous on Kysely', b),
      ...(postgres ? [row('PostgreSQL, asynchronous on Kysely', summarize(samples.postgres))] : []),
      `ratio Kysely / synchronous on SQLite: p50 ${(b.p50 / a.p50).toFixed(2)}, mean ${(b.mean / a.mean).toFixed(2)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    sync.close();
    await kysely.close();
    await postgres?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

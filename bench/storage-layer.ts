/**
 * `npm run bench:storage`: what the storage on Kysely (server/storage/async/) costs on the
 * storage calls of one note
 * added (server/board/handlers/noteAdd.ts: the retry look-up by secret, the case's unsettled notes
 * and count, the insert, the activity mark, the read-back), on a real file in a temporary data
 * folder, opened as the server opens it (WAL, synchronous=NORMAL, secure delete, WAL copier). No
 * timed assertion. The synchronous storage it was first measured against is gone (issue 14): its
 * figures are in ARCHITECTURE.md, "Several processes". `--quick` runs a tiny round, to check that
 * it runs. `--postgres-url postgres://…` adds the same storage on that PostgreSQL (an empty
 * database: it migrates it), in alternating rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openAsyncSqliteStorage, openPostgresStorage } from '../server/storage/async/open';
import type { StorageOperations } from '../server/storage/async/types';
import type { NoteRow } from '../server/storage/types';
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
  StorageOperations,
  'noteAddChecks' | 'listUnsettledNotesAndLastBatch' | 'putNote' | 'touchMeeting'
>;

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
function noteAddCalls(s: NoteAddCalls, note: NoteRow, now: number): (() => Promise<unknown>)[] {
  return [
    () => s.noteAddChecks(note.meetingId, note.caseIndex, note.secretHash),
    // The handler runs these three in one transaction, under the meeting's row lock on
    // PostgreSQL (which also sets the activity stamp there).
    () => s.touchMeeting(note.meetingId, now),
    () => s.listUnsettledNotesAndLastBatch(note.meetingId, note.caseIndex),
    () => s.putNote(note),
  ];
}

/** Milliseconds per note added, one sample per note. */
async function round(label: string, storage: NoteAddCalls, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let m = 0; m < MEETINGS_PER_ROUND; m++) {
    const meetingId = `${label}-round${n}-meeting${m}`;
    for (let i = 0; i < NOTES_PER_MEETING; i++) {
      const started = performance.now();
      for (const call of noteAddCalls(storage, noteRow(meetingId, i), Date.now())) await call();
      samples.push(performance.now() - started);
      // Untimed: a release batch every few notes, as a meeting has, so that the case's unsettled
      // notes stay few (all 300 waiting would time that list, not the note).
      if (i % RELEASE_EVERY_NOTES === RELEASE_EVERY_NOTES - 1)
        for (let j = i - RELEASE_EVERY_NOTES + 1; j <= i; j++)
          await storage.putNote({ ...noteRow(meetingId, j), status: 'released', batch: i });
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
  const kysely = openAsyncSqliteStorage({ file: path.join(dir, 'kysely.sqlite'), synchronous: 'NORMAL' });
  const postgresUrl = values['postgres-url'];
  const postgres = postgresUrl ? await openPostgresStorage({ url: postgresUrl, keyFolder: dir }) : null;
  try {
    const samples = { kysely: [] as number[], postgres: [] as number[] };
    for (let n = 0; n < ROUNDS; n++) {
      // Alternating, so that none has the warm machine to itself.
      samples.kysely.push(...(await round('kysely', kysely, n)));
      if (postgres) samples.postgres.push(...(await round(`pg-${process.pid}`, postgres, n)));
    }
    const b = summarize(samples.kysely);
    const header = `${'storage'.padEnd(34)} ${'notes'.padStart(6)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'mean'.padStart(9)}`;
    const lines = [
      `Storage calls of one note added (${NOTES_PER_MEETING} notes per meeting, ${MEETINGS_PER_ROUND} meetings x ${ROUNDS} rounds each)`,
      header,
      row('SQLite on Kysely', b),
      ...(postgres ? [row('PostgreSQL on Kysely', summarize(samples.postgres))] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await kysely.close();
    await postgres?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

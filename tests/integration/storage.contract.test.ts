/**
 * The asynchronous storage (server/storage/async/, Kysely) against its contract, the same
 * assertions on both databases (SCALE-2): SQLite in a real file of a temporary data folder, and
 * a real PostgreSQL 15 (tests/helpers/services.ts), a fresh database for every test, in a
 * language's collation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { NoteLayout } from '../../shared/board/schema';
import type { MeetingState } from '../../shared/meeting/state';
import { openAsyncSqliteStorage, openPostgresStorage } from '../../server/storage/async/open';
import type { AsyncStorage } from '../../server/storage/async/types';
import { SCHEMA_STEPS } from '../../server/storage/schema';
import { hashSecret, newSeatToken, newToken } from '../../server/security/tokens';
import type { NoteRow, StoredMeeting } from '../../server/storage/types';
import { populatedLobby } from '../helpers/meetingFixtures';
import { pollUntilAsync } from '../helpers/poll';
import { startPostgres, type PostgresServer } from '../helpers/services';

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
});

function tempFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'balint-contract-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function tempDbFile(): string {
  return path.join(tempFolder(), 'balint-room.sqlite');
}

let databases = 0;

interface Opened {
  storage: AsyncStorage;
  /** Closes the storage and opens the same database again. */
  reopen(): Promise<AsyncStorage>;
  schemaVersion(): Promise<number>;
  /** Resolves once another transaction waits for a lock that one holds (or is queued behind it). */
  waitingForLock(): Promise<void>;
  /** Deletes a meeting's own row behind the storage's back, as a crash between two deletes leaves it. */
  dropMeetingRow(meetingId: string): Promise<void>;
}

interface Engine {
  name: string;
  /** A fresh database and its storage, closed when the test ends. */
  open(): Promise<Opened>;
}

function closing(storage: AsyncStorage): AsyncStorage {
  onTestFinished(() => storage.close());
  return storage;
}

const ENGINES: Engine[] = [
  {
    name: 'SQLite',
    async open() {
      const file = tempDbFile();
      const openIt = () => closing(openAsyncSqliteStorage({ file, synchronous: 'NORMAL' }));
      const storage = openIt();
      return {
        storage,
        reopen: async () => {
          await storage.close();
          return openIt();
        },
        schemaVersion: async () => {
          const db = new Database(file, { readonly: true });
          try {
            return db.pragma('user_version', { simple: true }) as number;
          } finally {
            db.close();
          }
        },
        // One connection: a second transaction is queued behind the first from the moment it asks.
        waitingForLock: () => Promise.resolve(),
        dropMeetingRow(meetingId) {
          const db = new Database(file);
          try {
            db.prepare('DELETE FROM meetings WHERE id = ?').run(meetingId);
          } finally {
            db.close();
          }
          return Promise.resolve();
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      // A language's order (ICU en-US), as production databases often have: lists must still
      // come in byte order of their ids.
      const url = await postgres.createDatabase(`contract_${++databases}`, { icuLocale: 'en-US' });
      // The key file in a data folder of its own, kept across a reopen as the data folder is.
      const keyFolder = tempFolder();
      const openIt = async () => closing(await openPostgresStorage({ url, keyFolder }));
      const storage = await openIt();
      return {
        storage,
        reopen: async () => {
          await storage.close();
          return openIt();
        },
        schemaVersion: async () =>
          (await query<{ version: number }>(url, 'SELECT version FROM schema_version'))[0]?.version ?? -1,
        async waitingForLock() {
          const waiting = "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'";
          await pollUntilAsync(
            async () => ((await query<{ n: number }>(url, waiting))[0]?.n ?? 0) > 0,
            10_000,
            'a transaction waiting for the meeting row',
          );
        },
        async dropMeetingRow(meetingId) {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            await client.query('DELETE FROM meetings WHERE id = $1', [meetingId]);
          } finally {
            await client.end();
          }
        },
      };
    },
  },
];

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Epoch ms past 32 bits (bigint on PostgreSQL). */
const AT = Date.UTC(2031, 4, 6, 9, 30, 0, 123);

function meeting(id: string, joinCode: string): StoredMeeting {
  const state: MeetingState = { ...populatedLobby(), id, title: `Group ${id}` };
  return { state, joinCode, lastActivityAt: AT };
}

function secrets(leaderToken: string, projectorKey: string) {
  return { leaderToken, projectorKey };
}

function note(meetingId: string, noteId: string, extra: Partial<NoteRow> = {}): NoteRow {
  return {
    meetingId,
    noteId,
    caseIndex: 0,
    kind: 'image',
    text: `text of ${noteId}`,
    secretHash: `hash-${meetingId}-${noteId}`,
    status: 'released',
    pendingText: null,
    pendingDelete: false,
    batch: 1,
    authorName: null,
    layout: null,
    resonance: 0,
    ...extra,
  };
}

describe.each(ENGINES)('the storage on $name (SCALE-2)', (engine) => {
  it('meetings: insert, load the live ones, save, join codes, activity, projector key', async () => {
    const { storage } = await engine.open();
    await storage.insertMeeting(meeting('m1', 'ABC123'), secrets('leader-token-1', 'projector-key-1'));
    await storage.insertMeeting(meeting('m2', 'XYZ789'), secrets('leader-token-2', 'projector-key-2'));
    expect((await storage.loadLiveMeetings()).sort((a, b) => a.state.id.localeCompare(b.state.id))).toEqual([
      { ...meeting('m1', 'ABC123'), version: 0 },
      { ...meeting('m2', 'XYZ789'), version: 0 },
    ]);
    expect(await storage.findMeetingByJoinCode('ABC123')).toBe('m1');
    expect(await storage.findMeetingByJoinCode('NOPE00')).toBeNull();
    // The key is kept in the database's hash form only, the form `secretHash` gives (CONF-4).
    expect(await storage.projectorKeyHash('m2')).toBe(await storage.secretHash('m2', 'projector-key-2'));
    expect(await storage.projectorKeyHash('m2')).not.toBe(await storage.secretHash('m2', 'projector-key-1'));
    expect(await storage.projectorKeyHash('none')).toBeNull();

    await storage.setJoinCode('m1', 'NEW456');
    expect(await storage.findMeetingByJoinCode('ABC123')).toBeNull();
    expect(await storage.findMeetingByJoinCode('NEW456')).toBe('m1');
    await storage.touchMeeting('m1', AT + 5_000);
    const touched = (await storage.loadLiveMeetings()).find((m) => m.state.id === 'm1');
    expect(touched?.lastActivityAt).toBe(AT + 5_000);
    const renamed = { ...meeting('m1', 'NEW456').state, title: 'Renamed' };
    await storage.saveMeeting(renamed, AT + 9_000);
    const ended = { ...meeting('m2', 'XYZ789').state, status: 'ended' as const, endedAt: AT };
    await storage.saveMeeting(ended, AT + 1_000);

    // SCALE-16: every save counts the version up; an ended meeting is not loaded.
    expect(await storage.loadLiveMeetings()).toEqual([
      { state: renamed, joinCode: 'NEW456', lastActivityAt: AT + 9_000, version: 1 },
    ]);
    expect(await storage.loadMeeting('m1')).toEqual({
      state: renamed,
      joinCode: 'NEW456',
      lastActivityAt: AT + 9_000,
      version: 1,
    });
    expect(await storage.loadMeeting('m2')).toBeNull();
    expect(await storage.loadMeeting('none')).toBeNull();
    expect(await storage.findMeetingByJoinCode('XYZ789')).toBeNull();
  });

  it('command ids are kept per meeting and seat, and recording one twice is harmless', async () => {
    const { storage } = await engine.open();
    expect(await storage.hasCommand('m1', 'seat-a', 'c1')).toBe(false);
    await storage.recordCommand('m1', 'seat-a', 'c1');
    await storage.recordCommand('m1', 'seat-a', 'c1');
    expect(await storage.hasCommand('m1', 'seat-a', 'c1')).toBe(true);
    expect(await storage.hasCommand('m1', 'seat-b', 'c1')).toBe(false);
    expect(await storage.hasCommand('m2', 'seat-a', 'c1')).toBe(false);
  });

  it('seat tokens: found by their hash form, deleted per seat', async () => {
    const { storage } = await engine.open();
    await storage.insertMeeting(meeting('m1', 'ABC123'), secrets('l', 'p'));
    const [a1, a2, b] = [newSeatToken('m1'), newSeatToken('m1'), newSeatToken('m1')] as const;
    await storage.addSeatToken('m1', 'seat-a', a1);
    await storage.addSeatToken('m1', 'seat-a', a2);
    await storage.addSeatToken('m1', 'seat-b', b);
    expect(await storage.findSeatByToken(a2)).toEqual({ meetingId: 'm1', seatId: 'seat-a' });
    expect(await storage.findSeatByToken(newSeatToken('m1'))).toBeNull();
    expect(await storage.findSeatByToken('not a token')).toBeNull();
    await storage.deleteSeatTokens('m1', 'seat-a');
    expect(await storage.findSeatByToken(a1)).toBeNull();
    expect(await storage.findSeatByToken(a2)).toBeNull();
    expect(await storage.findSeatByToken(b)).toEqual({ meetingId: 'm1', seatId: 'seat-b' });
  });

  it('notes: put and replace, find by id and by secret, delete; listed by id byte by byte', async () => {
    const { storage } = await engine.open();
    const layout: NoteLayout = { theme: 'theme-1', highlight: true, x: 0.25, y: 0.5, resonance: 1 };
    await storage.insertMeeting(meeting('m1', 'ABC123'), secrets('l1', 'p1'));
    await storage.insertMeeting(meeting('m2', 'XYZ789'), secrets('l2', 'p2'));
    // Upper case, underscore, lower case: binary order (B, _, a), which a locale's order is not.
    for (const id of ['a-note', 'B-note', '_note']) await storage.putNote(note('m1', id));
    await storage.putNote(note('m2', 'other'));
    expect((await storage.listNotes('m1')).map((n) => n.noteId)).toEqual(['B-note', '_note', 'a-note']);

    const edited = note('m1', 'a-note', {
      kind: 'question',
      status: 'hidden',
      pendingText: 'an edit',
      pendingDelete: true,
      batch: null,
      authorName: 'Anna',
      layout,
      resonance: 1,
    });
    await storage.putNote(edited);
    expect(await storage.getNote('m1', 'a-note')).toEqual(edited);
    expect(await storage.findNoteBySecretHash('m1', 'hash-m1-a-note')).toEqual(edited);
    expect(await storage.findNoteBySecretHash('m2', 'hash-m1-a-note')).toBeNull();
    const { resonance: _, ...withoutMark } = note('m1', 'B-note');
    await storage.putNote(withoutMark);
    expect((await storage.getNote('m1', 'B-note'))?.resonance).toBe(0);

    await storage.deleteNote('m1', 'a-note');
    expect(await storage.getNote('m1', 'a-note')).toBeNull();
    expect((await storage.listNotes('m1')).map((n) => n.noteId)).toEqual(['B-note', '_note']);
    expect(await storage.listNotes('m2')).toEqual([note('m2', 'other')]);
  });

  it('a case: its count of notes not hidden, its last batch, its marked notes, and its unsettled notes in id order', async () => {
    const { storage } = await engine.open();
    await storage.insertMeeting(meeting('m1', 'ABC123'), secrets('l', 'p'));
    expect((await storage.noteAddChecks('m1', 0, 'no such hash')).unhidden).toBe(0);
    expect(await storage.listMarkedNoteIds('m1', 0)).toEqual([]);
    expect(await storage.maxNoteBatch('m1', 0)).toBeNull();
    const rows = [
      note('m1', 'n1', { status: 'waiting', batch: null }),
      note('m1', 'n2', { status: 'released', batch: 3 }),
      note('m1', 'n3', { status: 'released', batch: 7, pendingText: 'edited' }),
      note('m1', 'n4', { status: 'released', batch: 5, pendingDelete: true }),
      note('m1', 'n5', { status: 'screening', batch: null }),
      note('m1', 'n6', { status: 'hidden', batch: 2 }),
      note('m1', 'n7', { status: 'released', batch: 9, caseIndex: 1, resonance: 2 }),
      note('m1', 'n8', { status: 'removed', batch: 4, resonance: 1 }),
    ];
    rows[1]!.resonance = 3;
    rows[4]!.resonance = 1;
    for (const row of [...rows].reverse()) await storage.putNote(row);
    // n6 is hidden; n8 (removed) still counts.
    expect((await storage.noteAddChecks('m1', 0, 'no such hash')).unhidden).toBe(6);
    expect((await storage.noteAddChecks('m1', 1, 'no such hash')).unhidden).toBe(1);
    expect(await storage.listMarkedNoteIds('m1', 0)).toEqual(['n2', 'n5']);
    expect(await storage.listMarkedNoteIds('m1', 1)).toEqual(['n7']);
    // A retry's note is found by its secret's hash, in the meeting only.
    expect((await storage.noteAddChecks('m1', 0, 'hash-m1-n5')).earlier).toEqual(rows[4]);
    expect((await storage.noteAddChecks('m1', 1, 'hash-m1-n5')).earlier?.noteId).toBe('n5');
    expect((await storage.noteAddChecks('m2', 0, 'hash-m1-n5')).earlier).toBeNull();
    expect(await storage.maxNoteBatch('m1', 0)).toBe(7);
    expect(await storage.maxNoteBatch('m1', 1)).toBe(9);
    expect((await storage.listUnsettledNotes('m1', 0)).map((n) => n.noteId)).toEqual([
      'n1',
      'n3',
      'n4',
      'n5',
      'n6',
      'n8',
    ]);
    expect(await storage.listUnsettledNotes('m1', 1)).toEqual([]);
    // Both in one read, for a release.
    for (const c of [0, 1, 2])
      expect(await storage.listUnsettledNotesAndLastBatch('m1', c)).toEqual({
        notes: await storage.listUnsettledNotes('m1', c),
        lastBatch: await storage.maxNoteBatch('m1', c),
      });
  });

  it('board updates: appended in order, bytes kept exactly (one past a page), replaced by their merge per case', async () => {
    const { storage } = await engine.open();
    await storage.insertMeeting(meeting('m1', 'ABC123'), secrets('l', 'p'));
    const updates = [
      new Uint8Array([0, 1, 2, 0]),
      new Uint8Array([255, 0, 128]),
      new Uint8Array(9_000).fill(7),
    ];
    const seqs: number[] = [];
    for (const u of updates) seqs.push(await storage.appendBoardUpdate('m1', 0, u));
    const other = await storage.appendBoardUpdate('m1', 1, new Uint8Array([9]));
    expect(await storage.loadBoardUpdates('m1', 0)).toEqual(updates);
    // SCALE-18: sequence numbers only grow; a copy reads what came after the last it holds.
    expect([...seqs, other]).toEqual([...seqs, other].sort((a, b) => a - b));
    expect(new Set([...seqs, other]).size).toBe(4);
    expect(await storage.loadBoardUpdatesAfter('m1', 0, seqs[0] as number)).toEqual([
      { seq: seqs[1], update: updates[1] },
      { seq: seqs[2], update: updates[2] },
    ]);
    expect(await storage.loadBoardUpdatesAfter('m1', 0, seqs[2] as number)).toEqual([]);
    const merged = await storage.replaceBoardUpdates('m1', 0, new Uint8Array([42, 0, 42]));
    expect(merged).toBeGreaterThan(other);
    expect(await storage.loadBoardUpdatesAfter('m1', 0, seqs[2] as number)).toEqual([
      { seq: merged, update: new Uint8Array([42, 0, 42]) },
    ]);
    expect(await storage.loadBoardUpdates('m1', 0)).toEqual([new Uint8Array([42, 0, 42])]);
    expect(await storage.loadBoardUpdates('m1', 1)).toEqual([new Uint8Array([9])]);
    expect(await storage.loadBoardUpdates('m2', 0)).toEqual([]);
  });

  it('a transaction stores all of its writes or, when it fails, none', async () => {
    const { storage } = await engine.open();
    await storage.insertMeeting(meeting('m1', 'ABC123'), secrets('l', 'p'));
    const result = await storage.transaction(async (tx) => {
      expect(await tx.lockMeeting('m1')).toEqual({ version: 0, lastActivityAt: AT });
      expect(await tx.lockMeeting('none')).toBeNull();
      await tx.saveMeeting({ ...meeting('m1', 'ABC123').state, title: 'In one go' }, AT + 1);
      await tx.recordCommand('m1', 'seat-a', 'c1');
      await tx.replaceBoardUpdates('m1', 0, new Uint8Array([1]));
      return 'done';
    });
    expect(result).toBe('done');
    expect(await storage.hasCommand('m1', 'seat-a', 'c1')).toBe(true);

    const failed = storage.transaction(async (tx) => {
      await tx.saveMeeting({ ...meeting('m1', 'ABC123').state, title: 'Never stored' }, AT + 2);
      await tx.recordCommand('m1', 'seat-a', 'c2');
      await tx.putNote(note('m1', 'n1'));
      throw new Error('refused halfway');
    });
    await expect(failed).rejects.toThrow('refused halfway');
    expect((await storage.loadLiveMeetings()).map((m) => m.state.title)).toEqual(['In one go']);
    expect(await storage.hasCommand('m1', 'seat-a', 'c2')).toBe(false);
    expect(await storage.getNote('m1', 'n1')).toBeNull();
    expect(await storage.loadBoardUpdates('m1', 0)).toEqual([new Uint8Array([1])]);
  });

  it("a meeting's lock: a second transaction locking it goes on only after the first has committed, and reads its state", async () => {
    const { storage, waitingForLock } = await engine.open();
    await storage.insertMeeting(meeting('m1', 'ABC123'), secrets('l', 'p'));
    const events: string[] = [];
    let releaseFirst = () => {};
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstLocked = () => {};
    const locked = new Promise<void>((resolve) => (firstLocked = resolve));
    const first = storage.transaction(async (tx) => {
      await tx.lockMeeting('m1');
      await tx.saveMeeting({ ...meeting('m1', 'ABC123').state, title: 'First' }, AT + 1);
      events.push('first locked');
      firstLocked();
      await firstHolds;
      events.push('first commits');
    });
    await locked;
    const second = storage.transaction(async (tx) => {
      await tx.lockMeeting('m1');
      events.push('second locked');
      return (await tx.loadLiveMeetings())[0]?.state.title;
    });
    await waitingForLock();
    releaseFirst();
    await first;
    expect(await second).toBe('First');
    expect(events).toEqual(['first locked', 'first commits', 'second locked']);
  });

  it('purge: every row of the meeting goes, others stay; leftovers of a crash are found and purged', async () => {
    const { storage, dropMeetingRow } = await engine.open();
    const tokens = { m1: newSeatToken('m1'), m2: newSeatToken('m2'), m3: newSeatToken('m3') };
    for (const [id, code] of [
      ['m1', 'AAA111'],
      ['m2', 'BBB222'],
      ['m3', 'CCC333'],
    ] as const) {
      await storage.insertMeeting(meeting(id, code), secrets(`l-${id}`, `p-${id}`));
      await storage.addSeatToken(id, 'seat-a', tokens[id]);
      await storage.recordCommand(id, 'seat-a', 'c1');
      await storage.putNote(note(id, 'n1'));
      await storage.appendBoardUpdate(id, 0, new Uint8Array([1, 2]));
    }
    let scrubbed = false;
    await storage.purgeMeeting('m1', () => (scrubbed = true));
    await pollUntilAsync(() => Promise.resolve(scrubbed), 5_000, 'the purge to be scrubbed');
    expect(await storage.projectorKeyHash('m1')).toBeNull();
    expect(await storage.findSeatByToken(tokens.m1)).toBeNull();
    expect(await storage.hasCommand('m1', 'seat-a', 'c1')).toBe(false);
    expect(await storage.listNotes('m1')).toEqual([]);
    expect(await storage.loadBoardUpdates('m1', 0)).toEqual([]);
    expect(await storage.findSeatByToken(tokens.m2)).toEqual({ meetingId: 'm2', seatId: 'seat-a' });

    // A crash between a meeting's end and its purge, and rows whose meeting is gone.
    await storage.saveMeeting({ ...meeting('m2', 'BBB222').state, status: 'ended', endedAt: AT }, AT);
    await storage.insertMeeting(meeting('gone', 'DDD444'), secrets('l', 'p'));
    await storage.putNote(note('gone', 'n1'));
    await storage.appendBoardUpdate('gone', 0, new Uint8Array([3]));
    await dropMeetingRow('gone');
    expect(await storage.purgeLeftovers()).toBe(2);
    expect(await storage.listNotes('gone')).toEqual([]);
    expect(await storage.loadBoardUpdates('gone', 0)).toEqual([]);
    expect(await storage.projectorKeyHash('m2')).toBeNull();
    expect((await storage.loadLiveMeetings()).map((m) => m.state.id)).toEqual(['m3']);
    expect(await storage.purgeLeftovers()).toBe(0);
  });

  it('the schema is migrated to the last step at open; opening again changes nothing and keeps the data', async () => {
    const { storage, reopen, schemaVersion } = await engine.open();
    await storage.insertMeeting(meeting('m1', 'ABC123'), secrets('l', 'p'));
    await storage.putNote(note('m1', 'n1'));
    expect(await schemaVersion()).toBe(SCHEMA_STEPS.length);
    const again = await reopen();
    expect(await schemaVersion()).toBe(SCHEMA_STEPS.length);
    expect((await again.loadLiveMeetings()).map((m) => m.state.id)).toEqual(['m1']);
    expect(await again.getNote('m1', 'n1')).toEqual(note('m1', 'n1'));
  });
});

describe('the storage on each database, where they differ', () => {
  it('PostgreSQL: processes opening a fresh database together migrate it once, one after the other (advisory lock)', async () => {
    const url = await postgres.createDatabase('contract_together');
    // Processes of one host: one key folder (ARCHITECTURE.md "Where keys live").
    const keyFolder = tempFolder();
    const storages = await Promise.all([1, 2, 3].map(() => openPostgresStorage({ url, keyFolder })));
    for (const s of storages) onTestFinished(() => s.close());
    expect(await query<{ version: number }>(url, 'SELECT version FROM schema_version')).toEqual([
      { version: SCHEMA_STEPS.length },
    ]);
    await storages[0]?.insertMeeting(meeting('m1', 'ABC123'), secrets('l', 'p'));
    expect(await storages[2]?.findMeetingByJoinCode('ABC123')).toBe('m1');
    // The key one made opens the meeting for another.
    expect((await storages[1]?.loadLiveMeetings())?.map((m) => m.state.id)).toEqual(['m1']);
  });

  it('SQLite: what crosses between processes is not sealed (one process, no Redis), and hashes are SHA-256 as before (CONF-4, CONF-11)', async () => {
    const storage = closing(openAsyncSqliteStorage({ file: tempDbFile(), synchronous: 'NORMAL' }));
    const payload = new Uint8Array([1, 2, 3]);
    expect(storage.relay.seal('m1', 'board:0', payload)).toEqual(payload);
    expect(storage.relay.open('m1', 'board:0', payload)).toEqual(payload);
    expect(await storage.secretHash('m1', 'a secret')).toBe(hashSecret('a secret'));
    const token = newSeatToken('m1');
    await storage.addSeatToken('m1', 'seat-a', token);
    expect(await storage.findSeatByToken(token)).toEqual({ meetingId: 'm1', seatId: 'seat-a' });
    // A token handed out before tokens named their meeting is still found on SQLite.
    const older = newToken();
    await storage.addSeatToken('m1', 'seat-b', older);
    expect(await storage.findSeatByToken(older)).toEqual({ meetingId: 'm1', seatId: 'seat-b' });
  });
});

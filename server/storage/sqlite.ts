import Database from 'better-sqlite3';
import type { MeetingState } from '../../shared/meeting/state';
import { silentLogger, type Logger } from '../core/logger';
import { crashIfAt, type CrashPoint } from './crashPoints';
import { ensurePrivateFile } from './dataDir';
import { migrate } from './migrations';
import { toNote, toStoredMeeting, type MeetingDbRow, type NoteDbRow } from './rows';
import type { SeatLookup, Storage, StoredMeeting } from './types';
import { startWalCopier } from './walCopier';
import { WalScrubber } from './walScrub';

/**
 * How long a statement may wait for a lock held by another connection. The event loop runs every
 * meeting of the process: it never waits longer than this, and what cannot be stored at once
 * fails (the caller answers `unavailable`, the client retries with its command id) or, for the
 * WAL truncation, is tried again later (walScrub.ts).
 */
export const BUSY_TIMEOUT_MS = 3;

/** At close only: the last truncation waits this long for a worker's truncation to finish. */
const CLOSE_BUSY_TIMEOUT_MS = 1_000;

export interface SqliteOptions {
  /** A file path, or ':memory:' for throw-away test databases. */
  file: string;
  /** NORMAL survives a killed process; FULL also survives power loss. */
  synchronous: 'NORMAL' | 'FULL';
  /** Blocked and finished WAL truncations; never content. */
  logger?: Logger;
  /** Test only (crashPoints.ts): dies at this point of a purge. */
  crashAt?: CrashPoint | null;
  /**
   * Whether a worker thread copies the WAL before each truncation (default true; walCopier.ts).
   * Off, the truncation copies on the main connection: for tests that drive time by hand.
   */
  walCopier?: boolean;
  /**
   * Whether truncations after start-up run whole on the worker (walScrub.ts): only for the
   * asynchronous storage, whose writers wait for the worker's lock on timers.
   */
  truncateOnWorker?: boolean;
}

/**
 * A database file as every file of the data folder is opened (the meetings' and the groups'):
 * private, WAL, a short busy timeout, deleted content zeroed, temporary data in memory.
 */
export function openPrivateDatabase(file: string, synchronous: 'NORMAL' | 'FULL'): Database.Database {
  // SQLite gives the -wal and -shm files the main file's mode: 0600 here makes all three private.
  if (file !== ':memory:') ensurePrivateFile(file);
  const db = new Database(file);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  // Deleted content is overwritten with zeros, in the file and in the WAL (confidentiality).
  db.pragma('secure_delete = ON');
  // Sorts and temporary tables stay in memory: no temporary file ever holds meeting content.
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  return db;
}

/** The meetings' database, migrated, with its WAL scrubber (both storages open it this way). */
export interface MeetingsFile {
  db: Database.Database;
  scrubber: WalScrubber;
  /** Stops the scrubber, truncates the WAL and closes the file. */
  close(): void;
}

export function openMeetingsFile(opts: SqliteOptions): MeetingsFile {
  const db = openPrivateDatabase(opts.file, opts.synchronous);
  migrate(db);
  // The slow part of each truncation (copying pages, an fsync) runs on a worker thread (DISK-3).
  const copier = opts.file === ':memory:' || opts.walCopier === false ? null : startWalCopier(opts.file);
  const scrubber = new WalScrubber(db, opts.logger ?? silentLogger, copier, {
    truncateOnWorker: opts.truncateOnWorker,
  });
  // A crash may have left deleted content in the WAL (between a purge's commit and its
  // truncation, or while a reader blocked it): every start truncates, until it has happened.
  scrubber.startup();
  return {
    db,
    scrubber,
    close() {
      scrubber.close();
      void copier?.close();
      // At shutdown the last truncation may wait for the worker's, which is finishing.
      db.pragma(`busy_timeout = ${CLOSE_BUSY_TIMEOUT_MS}`);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

export function openSqliteStorage(opts: SqliteOptions): Storage {
  const file = openMeetingsFile(opts);
  const { db, scrubber } = file;

  const q = {
    insertMeeting: db.prepare(
      `INSERT INTO meetings (id, join_code, state, leader_token_hash, projector_key_hash, last_activity_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    saveMeeting: db.prepare('UPDATE meetings SET state = ?, status = ?, last_activity_at = ? WHERE id = ?'),
    setJoinCode: db.prepare('UPDATE meetings SET join_code = ? WHERE id = ?'),
    touch: db.prepare('UPDATE meetings SET last_activity_at = ? WHERE id = ?'),
    live: db.prepare("SELECT state, join_code, last_activity_at FROM meetings WHERE status != 'ended'"),
    byJoinCode: db.prepare("SELECT id FROM meetings WHERE join_code = ? AND status != 'ended'"),
    projectorKey: db.prepare('SELECT projector_key_hash FROM meetings WHERE id = ?'),
    hasCommand: db.prepare('SELECT 1 FROM commands WHERE meeting_id = ? AND seat_id = ? AND command_id = ?'),
    recordCommand: db.prepare(
      'INSERT OR IGNORE INTO commands (meeting_id, seat_id, command_id) VALUES (?, ?, ?)',
    ),
    insertSeat: db.prepare('INSERT INTO seat_tokens (token_hash, meeting_id, seat_id) VALUES (?, ?, ?)'),
    findSeat: db.prepare('SELECT meeting_id, seat_id FROM seat_tokens WHERE token_hash = ?'),
    deleteSeat: db.prepare('DELETE FROM seat_tokens WHERE meeting_id = ? AND seat_id = ?'),
    putNote: db.prepare(
      `INSERT OR REPLACE INTO notes (meeting_id, note_id, case_index, kind, text, secret_hash, status,
         pending_text, pending_delete, batch, author_name, layout, resonance)
       VALUES (@meetingId, @noteId, @caseIndex, @kind, @text, @secretHash, @status,
         @pendingText, @pendingDelete, @batch, @authorName, @layout, @resonance)`,
    ),
    getNote: db.prepare('SELECT * FROM notes WHERE meeting_id = ? AND note_id = ?'),
    noteBySecret: db.prepare('SELECT * FROM notes WHERE meeting_id = ? AND secret_hash = ?'),
    deleteNote: db.prepare('DELETE FROM notes WHERE meeting_id = ? AND note_id = ?'),
    listNotes: db.prepare('SELECT * FROM notes WHERE meeting_id = ? ORDER BY note_id'),
    countNotes: db.prepare('SELECT COUNT(*) FROM notes WHERE meeting_id = ? AND case_index = ?').pluck(),
    maxNoteBatch: db.prepare('SELECT MAX(batch) FROM notes WHERE meeting_id = ? AND case_index = ?').pluck(),
    // The condition is the partial index's own (notes_unsettled). Without statistics the planner
    // would scan all the meeting's notes by primary key instead (about 5x slower at 320 notes).
    listUnsettledNotes: db.prepare(
      `SELECT * FROM notes INDEXED BY notes_unsettled WHERE meeting_id = ? AND case_index = ?
         AND (status <> 'released' OR pending_text IS NOT NULL OR pending_delete <> 0)
       ORDER BY note_id`,
    ),
    appendUpdate: db.prepare(
      'INSERT INTO board_updates (meeting_id, case_index, update_data) VALUES (?, ?, ?)',
    ),
    loadUpdates: db.prepare(
      'SELECT update_data FROM board_updates WHERE meeting_id = ? AND case_index = ? ORDER BY seq',
    ),
    clearUpdates: db.prepare('DELETE FROM board_updates WHERE meeting_id = ? AND case_index = ?'),
  };
  const purgeStatements = [
    db.prepare('DELETE FROM board_updates WHERE meeting_id = ?'),
    db.prepare('DELETE FROM notes WHERE meeting_id = ?'),
    db.prepare('DELETE FROM seat_tokens WHERE meeting_id = ?'),
    db.prepare('DELETE FROM commands WHERE meeting_id = ?'),
    db.prepare('DELETE FROM meetings WHERE id = ?'),
  ];
  const leftoverStatements = {
    ended: db.prepare("SELECT id FROM meetings WHERE status = 'ended'"),
    orphans: db.prepare(
      `SELECT meeting_id AS id FROM board_updates UNION SELECT meeting_id FROM notes
       UNION SELECT meeting_id FROM seat_tokens UNION SELECT meeting_id FROM commands
       EXCEPT SELECT id FROM meetings`,
    ),
  };

  function purge(meetingIds: readonly string[], whenScrubbed?: () => void): void {
    if (meetingIds.length === 0) return;
    db.transaction(() => {
      for (const id of meetingIds) for (const stmt of purgeStatements) stmt.run(id);
      crashIfAt(opts.crashAt, 'purge-before-commit');
    })();
    crashIfAt(opts.crashAt, 'purge-before-checkpoint');
    scrubber.now(whenScrubbed);
  }

  return {
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    insertMeeting(m: StoredMeeting, leaderTokenHash: string, projectorKeyHash: string) {
      q.insertMeeting.run(
        m.state.id,
        m.joinCode,
        JSON.stringify(m.state),
        leaderTokenHash,
        projectorKeyHash,
        m.lastActivityAt,
      );
    },
    saveMeeting(state: MeetingState, now: number) {
      q.saveMeeting.run(JSON.stringify(state), state.status, now, state.id);
    },
    setJoinCode(meetingId, joinCode) {
      q.setJoinCode.run(joinCode, meetingId);
      scrubber.soon();
    },
    touchMeeting(meetingId, now) {
      q.touch.run(now, meetingId);
    },
    loadLiveMeetings() {
      return (q.live.all() as MeetingDbRow[]).map(toStoredMeeting);
    },
    findMeetingByJoinCode(joinCode) {
      const row = q.byJoinCode.get(joinCode) as { id: string } | undefined;
      return row?.id ?? null;
    },
    projectorKeyHash(meetingId) {
      const row = q.projectorKey.get(meetingId) as { projector_key_hash: string } | undefined;
      return row?.projector_key_hash ?? null;
    },
    hasCommand(meetingId, seatId, commandId) {
      return q.hasCommand.get(meetingId, seatId, commandId) !== undefined;
    },
    recordCommand(meetingId, seatId, commandId) {
      q.recordCommand.run(meetingId, seatId, commandId);
    },
    insertSeatToken(meetingId, seatId, tokenHash) {
      q.insertSeat.run(tokenHash, meetingId, seatId);
    },
    findSeatByTokenHash(tokenHash): SeatLookup | null {
      const row = q.findSeat.get(tokenHash) as { meeting_id: string; seat_id: string } | undefined;
      return row ? { meetingId: row.meeting_id, seatId: row.seat_id } : null;
    },
    deleteSeatTokens(meetingId, seatId) {
      q.deleteSeat.run(meetingId, seatId);
      scrubber.soon();
    },
    putNote(note) {
      q.putNote.run({
        ...note,
        pendingDelete: note.pendingDelete ? 1 : 0,
        layout: note.layout ? JSON.stringify(note.layout) : null,
        resonance: note.resonance ?? 0,
      });
      // A replaced row (an edit, a status change) leaves its old version in the WAL.
      scrubber.soon();
    },
    getNote(meetingId, noteId) {
      const row = q.getNote.get(meetingId, noteId) as NoteDbRow | undefined;
      return row ? toNote(row) : null;
    },
    findNoteBySecretHash(meetingId, secretHash) {
      const row = q.noteBySecret.get(meetingId, secretHash) as NoteDbRow | undefined;
      return row ? toNote(row) : null;
    },
    deleteNote(meetingId, noteId) {
      q.deleteNote.run(meetingId, noteId);
      scrubber.soon();
    },
    listNotes(meetingId) {
      return (q.listNotes.all(meetingId) as NoteDbRow[]).map(toNote);
    },
    countNotes(meetingId, caseIndex) {
      return q.countNotes.get(meetingId, caseIndex) as number;
    },
    maxNoteBatch(meetingId, caseIndex) {
      return (q.maxNoteBatch.get(meetingId, caseIndex) as number | null) ?? null;
    },
    listUnsettledNotes(meetingId, caseIndex) {
      return (q.listUnsettledNotes.all(meetingId, caseIndex) as NoteDbRow[]).map(toNote);
    },
    appendBoardUpdate(meetingId, caseIndex, update) {
      q.appendUpdate.run(meetingId, caseIndex, Buffer.from(update));
    },
    loadBoardUpdates(meetingId, caseIndex) {
      const rows = q.loadUpdates.all(meetingId, caseIndex) as { update_data: Buffer }[];
      return rows.map((r) => new Uint8Array(r.update_data));
    },
    replaceBoardUpdates(meetingId, caseIndex, merged) {
      db.transaction(() => {
        q.clearUpdates.run(meetingId, caseIndex);
        q.appendUpdate.run(meetingId, caseIndex, Buffer.from(merged));
      })();
      scrubber.soon();
    },
    purgeMeeting(meetingId, whenScrubbed) {
      purge([meetingId], whenScrubbed);
    },
    purgeLeftovers() {
      const ids = new Set<string>();
      for (const stmt of [leftoverStatements.ended, leftoverStatements.orphans])
        for (const row of stmt.all() as { id: string }[]) ids.add(row.id);
      purge([...ids]);
      return ids.size;
    },
    close: file.close,
  };
}

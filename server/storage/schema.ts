/**
 * The meetings' schema, one migration list for both databases: each step is written once and
 * takes the few column types that must differ (SQLite's rowid-less tables and autoincrement key,
 * PostgreSQL's bigint, bytea and bigserial). SQLite records its progress in `user_version`
 * (migrations.ts), PostgreSQL in `schema_version` under an advisory lock (async/postgresMigrate.ts).
 * Append new steps; never edit a step that has shipped: SQLite files in the field are at some step
 * of this list, and its SQLite text is exactly what they ran.
 */
export interface ColumnTypes {
  /** Epoch milliseconds: past 32 bits. */
  readonly bigint: string;
  readonly blob: string;
  /** A key that only grows, for the board's update log. */
  readonly serialKey: string;
  /**
   * After a table whose key is random: SQLite then keeps no rowid, so the file keeps no order that
   * follows arrival. PostgreSQL's heap has no rowid to drop; the order it keeps is in its pages,
   * which the encryption of CONF-4 (issue 14) covers.
   */
  readonly noRowid: string;
  /**
   * A random key that lists are ordered by: compared byte by byte on both (SQLite's default;
   * on PostgreSQL the "C" collation, whatever the database's locale).
   */
  readonly keyText: string;
}

export const SQLITE_TYPES: ColumnTypes = {
  bigint: 'INTEGER',
  blob: 'BLOB',
  serialKey: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  noRowid: ' WITHOUT ROWID',
  keyText: 'TEXT',
};

export const POSTGRES_TYPES: ColumnTypes = {
  bigint: 'BIGINT',
  blob: 'BYTEA',
  serialKey: 'BIGSERIAL PRIMARY KEY',
  noRowid: '',
  keyText: 'TEXT COLLATE "C"',
};

export const SCHEMA_STEPS: readonly ((t: ColumnTypes) => string)[] = [
  (t) => `CREATE TABLE meetings (
     id TEXT PRIMARY KEY,
     join_code TEXT NOT NULL,
     state TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'lobby',
     leader_token_hash TEXT NOT NULL,
     projector_key_hash TEXT NOT NULL,
     last_activity_at ${t.bigint} NOT NULL
   );
   CREATE INDEX meetings_join_code ON meetings (join_code);
   CREATE TABLE commands (
     meeting_id TEXT NOT NULL,
     command_id TEXT NOT NULL,
     PRIMARY KEY (meeting_id, command_id)
   )${t.noRowid};
   CREATE TABLE seat_tokens (
     token_hash TEXT PRIMARY KEY,
     meeting_id TEXT NOT NULL,
     seat_id TEXT NOT NULL
   )${t.noRowid};
   CREATE INDEX seat_tokens_meeting ON seat_tokens (meeting_id, seat_id);
   -- No rowid and a random key: the table keeps no order that follows arrival.
   CREATE TABLE notes (
     meeting_id TEXT NOT NULL,
     note_id ${t.keyText} NOT NULL,
     case_index INTEGER NOT NULL,
     kind TEXT NOT NULL,
     text TEXT NOT NULL,
     secret_hash TEXT NOT NULL,
     status TEXT NOT NULL,
     pending_text TEXT,
     pending_delete INTEGER NOT NULL DEFAULT 0,
     batch INTEGER,
     author_name TEXT,
     PRIMARY KEY (meeting_id, note_id)
   )${t.noRowid};
   CREATE UNIQUE INDEX notes_secret ON notes (meeting_id, secret_hash);
   CREATE TABLE board_updates (
     seq ${t.serialKey},
     meeting_id TEXT NOT NULL,
     case_index INTEGER NOT NULL,
     update_data ${t.blob} NOT NULL
   );
   CREATE INDEX board_updates_room ON board_updates (meeting_id, case_index, seq);`,
  // A case's note count and last batch, and its notes that are not simply on the board, without
  // reading the whole meeting's notes. The indexes follow the random note id within a case, as
  // the table does: still no order that follows arrival.
  () => `CREATE INDEX notes_case ON notes (meeting_id, case_index, batch);
   CREATE INDEX notes_unsettled ON notes (meeting_id, case_index)
     WHERE status <> 'released' OR pending_text IS NOT NULL OR pending_delete <> 0;`,
  // WIRE-1: a command id is the seat's own. Ids stored before name no seat, and a retry that a
  // seat could not prove to be its own must not be acked: they are dropped (they only matter for
  // a retry in flight across the upgrade, which is then applied once more).
  (t) => `DROP TABLE commands;
   CREATE TABLE commands (
     meeting_id TEXT NOT NULL,
     seat_id TEXT NOT NULL,
     command_id TEXT NOT NULL,
     PRIMARY KEY (meeting_id, seat_id, command_id)
   )${t.noRowid};`,
  // Leaders' layout of a note while it is off the board (JSON), as durable as the note itself.
  () => `ALTER TABLE notes ADD COLUMN layout TEXT;`,
  // The presenter's "this resonated" mark, off the public board unless they show it (BOARD-10).
  () => `ALTER TABLE notes ADD COLUMN resonance INTEGER NOT NULL DEFAULT 0;`,
  // Every due time of a meeting, so that any process finds it when the one that armed it is gone
  // (SCALE-15): the next phase deadline, the inactivity limit, a case's delayed release.
  (t) => `CREATE TABLE due_times (
     meeting_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     due_at ${t.bigint} NOT NULL,
     PRIMARY KEY (meeting_id, kind)
   )${t.noRowid};
   CREATE INDEX due_times_due ON due_times (due_at);`,
  // CONF-4 on PostgreSQL: `join_code` there holds the code's HMAC under the server's join-code key
  // (the lookup), and this column the code itself, sealed under the meeting's key (for its leaders'
  // views). SQLite keeps the code in `join_code` and this column empty.
  () => `ALTER TABLE meetings ADD COLUMN join_code_sealed TEXT;`,
  // SCALE-16: every stored change of a meeting's state counts up its version, so that a process
  // holding an older copy in memory (another process applied a command) knows to reload it.
  (t) => `ALTER TABLE meetings ADD COLUMN version ${t.bigint} NOT NULL DEFAULT 0;`,
];

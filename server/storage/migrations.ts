import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order at start-up; `user_version` records how far a file is.
 * Append new steps; never edit a step that has shipped.
 */
const STEPS: readonly string[] = [
  `CREATE TABLE meetings (
     id TEXT PRIMARY KEY,
     join_code TEXT NOT NULL,
     state TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'lobby',
     leader_token_hash TEXT NOT NULL,
     projector_key_hash TEXT NOT NULL,
     last_activity_at INTEGER NOT NULL
   );
   CREATE INDEX meetings_join_code ON meetings (join_code);
   CREATE TABLE commands (
     meeting_id TEXT NOT NULL,
     command_id TEXT NOT NULL,
     PRIMARY KEY (meeting_id, command_id)
   ) WITHOUT ROWID;
   CREATE TABLE seat_tokens (
     token_hash TEXT PRIMARY KEY,
     meeting_id TEXT NOT NULL,
     seat_id TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX seat_tokens_meeting ON seat_tokens (meeting_id, seat_id);
   -- No rowid and a random key: the table keeps no order that follows arrival.
   CREATE TABLE notes (
     meeting_id TEXT NOT NULL,
     note_id TEXT NOT NULL,
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
   ) WITHOUT ROWID;
   CREATE UNIQUE INDEX notes_secret ON notes (meeting_id, secret_hash);
   CREATE TABLE board_updates (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     meeting_id TEXT NOT NULL,
     case_index INTEGER NOT NULL,
     update_data BLOB NOT NULL
   );
   CREATE INDEX board_updates_room ON board_updates (meeting_id, case_index, seq);`,
  // A case's note count and last batch, and its notes that are not simply on the board, without
  // reading the whole meeting's notes. The indexes follow the random note id within a case, as
  // the table does: still no order that follows arrival.
  `CREATE INDEX notes_case ON notes (meeting_id, case_index, batch);
   CREATE INDEX notes_unsettled ON notes (meeting_id, case_index)
     WHERE status <> 'released' OR pending_text IS NOT NULL OR pending_delete <> 0;`,
  // WIRE-1: a command id is the seat's own. Ids stored before name no seat, and a retry that a
  // seat could not prove to be its own must not be acked: they are dropped (they only matter for
  // a retry in flight across the upgrade, which is then applied once more).
  `DROP TABLE commands;
   CREATE TABLE commands (
     meeting_id TEXT NOT NULL,
     seat_id TEXT NOT NULL,
     command_id TEXT NOT NULL,
     PRIMARY KEY (meeting_id, seat_id, command_id)
   ) WITHOUT ROWID;`,
  // Leaders' layout of a note while it is off the board (JSON), as durable as the note itself.
  `ALTER TABLE notes ADD COLUMN layout TEXT;`,
  // The presenter's "this resonated" mark, off the public board unless they show it (BOARD-10).
  `ALTER TABLE notes ADD COLUMN resonance INTEGER NOT NULL DEFAULT 0;`,
];

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < STEPS.length; v++) {
    db.transaction(() => {
      db.exec(STEPS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

import type Database from 'better-sqlite3';

/**
 * The group file's own schema steps (GROUP-1), applied in order at start-up; `user_version`
 * records how far a file is. Append new steps; never edit a step that has shipped. This file is
 * apart from the meetings' file so that an admin can back up the lasting records without the
 * live meetings' content.
 */
const STEPS: readonly string[] = [
  `CREATE TABLE groups (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     language TEXT NOT NULL,
     mode TEXT NOT NULL,
     anonymity TEXT NOT NULL,
     plan TEXT NOT NULL,
     member_code TEXT NOT NULL UNIQUE,
     recovery_hash TEXT,
     next_at INTEGER,
     current_meeting_id TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE leaders (
     id TEXT PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     rights TEXT NOT NULL
   );
   CREATE INDEX leaders_group ON leaders (group_id);
   CREATE TABLE leader_links (
     token_hash TEXT PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     leader_id TEXT NOT NULL REFERENCES leaders (id) ON DELETE CASCADE,
     label TEXT NOT NULL,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX leader_links_leader ON leader_links (leader_id);
   CREATE TABLE members (
     id TEXT PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX members_group ON members (group_id);
   CREATE TABLE member_devices (
     token_hash TEXT PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX member_devices_member ON member_devices (member_id);
   -- GROUP-12: whose seat is whose in the group's live meeting; deleted when that meeting ends.
   CREATE TABLE meeting_seats (
     meeting_id TEXT NOT NULL,
     person TEXT NOT NULL,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     seat_id TEXT NOT NULL,
     PRIMARY KEY (meeting_id, person)
   ) WITHOUT ROWID;`,
  // ATT-n: presence in 5-minute slots while a meeting lives (deleted at its end), the meeting's
  // real start, and the sessions with their attendance, proposed and then confirmed.
  `ALTER TABLE groups ADD COLUMN current_started_at INTEGER;
   CREATE TABLE presence_slots (
     meeting_id TEXT NOT NULL,
     person TEXT NOT NULL,
     slot INTEGER NOT NULL,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     PRIMARY KEY (meeting_id, person, slot)
   ) WITHOUT ROWID;
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     started_at INTEGER NOT NULL,
     ended_at INTEGER NOT NULL,
     planned_minutes INTEGER NOT NULL,
     mode TEXT NOT NULL,
     status TEXT NOT NULL,
     double_sessions INTEGER NOT NULL,
     leader_names TEXT NOT NULL
   );
   CREATE INDEX sessions_group ON sessions (group_id, started_at);
   CREATE TABLE attendance (
     session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
     member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
     attended INTEGER NOT NULL,
     place TEXT,
     PRIMARY KEY (session_id, member_id)
   ) WITHOUT ROWID;`,
  // CERT-2: each leader's accreditation line, entered once, printed on certificates.
  `ALTER TABLE leaders ADD COLUMN accreditation TEXT NOT NULL DEFAULT '';`,
  // GROUP-16: when the group last met (its creation until then), for the retention limit.
  `ALTER TABLE groups ADD COLUMN last_meeting_at INTEGER;`,
  // EVAL-3: an evaluation's counts per item and answer, written once at its close (never answers).
  `CREATE TABLE evaluations (
     id TEXT PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     closed_at INTEGER NOT NULL,
     answers INTEGER NOT NULL,
     counts TEXT NOT NULL
   );`,
  // DEBRIEF-n: the leaders' private page per meeting, versioned so that two leaders lose nothing.
  `CREATE TABLE debriefs (
     id TEXT PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     meeting_at INTEGER NOT NULL,
     text TEXT NOT NULL,
     version INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
  // Every meeting's connections and phase changes ask whether it is a group's: an index, not a scan.
  `CREATE INDEX groups_current_meeting ON groups (current_meeting_id);`,
  // FOLLOW-n: case labels kept with the presenter's yes (the presenter as a roster entry, for
  // leaders only; a member who leaves takes their labels along), and whether members see the list.
  `CREATE TABLE case_labels (
     id TEXT PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     label TEXT NOT NULL,
     case_at INTEGER NOT NULL,
     follow_up INTEGER NOT NULL,
     presenter_id TEXT REFERENCES members (id) ON DELETE CASCADE,
     renewed_at INTEGER NOT NULL
   );
   CREATE INDEX case_labels_group ON case_labels (group_id, case_at);
   ALTER TABLE groups ADD COLUMN labels_shared INTEGER NOT NULL DEFAULT 0;`,
];

export function migrateGroups(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < STEPS.length; v++) {
    db.transaction(() => {
      db.exec(STEPS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

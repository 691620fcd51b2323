import type pg from 'pg';
import type Database from 'better-sqlite3';
import { POSTGRES_TYPES, SQLITE_TYPES, type ColumnTypes } from '../storage/schema';

/**
 * The column types of the group tables: the meetings' (../storage/schema.ts), and how a table
 * keeps the order its rows came in. SQLite's rowid does (the leaders are listed by it, the first
 * being the group's creator); PostgreSQL's heap does not (an update moves a row), so there the
 * leaders carry a serial `seq` of their own.
 */
export interface GroupColumnTypes extends ColumnTypes {
  /** Appended after a table's last column. */
  readonly arrivalOrder: string;
}

export const GROUP_SQLITE_TYPES: GroupColumnTypes = { ...SQLITE_TYPES, arrivalOrder: '' };
export const GROUP_POSTGRES_TYPES: GroupColumnTypes = {
  ...POSTGRES_TYPES,
  arrivalOrder: ',\n     seq BIGSERIAL',
};

/**
 * The group tables' schema steps (GROUP-1), one list for both databases, applied in order at
 * start-up. Append new steps; never edit a step that has shipped: group files in the field are at
 * some step of this list, and its SQLite text is exactly what they ran (a test holds each step's
 * SQLite text to the hash of what shipped). On PostgreSQL the tables live in the meetings'
 * database; no name is one of the meetings' tables, and the progress is kept apart from theirs.
 * SQLite keeps them in their own file so that an admin can back up the lasting records without
 * the live meetings' content.
 */
export const GROUP_SCHEMA_STEPS: readonly ((t: GroupColumnTypes) => string)[] = [
  (t) => `CREATE TABLE groups (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     language TEXT NOT NULL,
     mode TEXT NOT NULL,
     anonymity TEXT NOT NULL,
     plan TEXT NOT NULL,
     member_code TEXT NOT NULL UNIQUE,
     recovery_hash TEXT,
     next_at ${t.bigint},
     current_meeting_id TEXT,
     created_at ${t.bigint} NOT NULL
   );
   CREATE TABLE leaders (
     id TEXT PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     rights TEXT NOT NULL${t.arrivalOrder}
   );
   CREATE INDEX leaders_group ON leaders (group_id);
   CREATE TABLE leader_links (
     token_hash TEXT PRIMARY KEY,
     id ${t.keyText} NOT NULL UNIQUE,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     leader_id TEXT NOT NULL REFERENCES leaders (id) ON DELETE CASCADE,
     label TEXT NOT NULL,
     created_at ${t.bigint} NOT NULL
   )${t.noRowid};
   CREATE INDEX leader_links_leader ON leader_links (leader_id);
   CREATE TABLE members (
     id ${t.keyText} PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at ${t.bigint} NOT NULL
   );
   CREATE INDEX members_group ON members (group_id);
   CREATE TABLE member_devices (
     token_hash TEXT PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
     created_at ${t.bigint} NOT NULL
   )${t.noRowid};
   CREATE INDEX member_devices_member ON member_devices (member_id);
   -- GROUP-12: whose seat is whose in the group's live meeting; deleted when that meeting ends.
   CREATE TABLE meeting_seats (
     meeting_id TEXT NOT NULL,
     person TEXT NOT NULL,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     seat_id TEXT NOT NULL,
     PRIMARY KEY (meeting_id, person)
   )${t.noRowid};`,
  // ATT-n: presence in 5-minute slots while a meeting lives (deleted at its end), the meeting's
  // real start, and the sessions with their attendance, proposed and then confirmed.
  (t) => `ALTER TABLE groups ADD COLUMN current_started_at ${t.bigint};
   CREATE TABLE presence_slots (
     meeting_id TEXT NOT NULL,
     person TEXT NOT NULL,
     slot ${t.bigint} NOT NULL,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     PRIMARY KEY (meeting_id, person, slot)
   )${t.noRowid};
   CREATE TABLE sessions (
     id ${t.keyText} PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     started_at ${t.bigint} NOT NULL,
     ended_at ${t.bigint} NOT NULL,
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
   )${t.noRowid};`,
  // CERT-2: each leader's accreditation line, entered once, printed on certificates.
  () => `ALTER TABLE leaders ADD COLUMN accreditation TEXT NOT NULL DEFAULT '';`,
  // GROUP-16: when the group last met (its creation until then), for the retention limit.
  (t) => `ALTER TABLE groups ADD COLUMN last_meeting_at ${t.bigint};`,
  // EVAL-3: an evaluation's counts per item and answer, written once at its close (never answers).
  (t) => `CREATE TABLE evaluations (
     id ${t.keyText} PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     closed_at ${t.bigint} NOT NULL,
     answers INTEGER NOT NULL,
     counts TEXT NOT NULL
   );`,
  // DEBRIEF-n: the leaders' private page per meeting, versioned so that two leaders lose nothing.
  (t) => `CREATE TABLE debriefs (
     id ${t.keyText} PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     meeting_at ${t.bigint} NOT NULL,
     text TEXT NOT NULL,
     version INTEGER NOT NULL,
     updated_at ${t.bigint} NOT NULL
   );`,
  // Every meeting's connections and phase changes ask whether it is a group's: an index, not a scan.
  () => `CREATE INDEX groups_current_meeting ON groups (current_meeting_id);`,
  // FOLLOW-n: case labels kept with the presenter's yes (the presenter as a roster entry, for
  // leaders only; a member who leaves takes their labels along), and whether members see the list.
  (t) => `CREATE TABLE case_labels (
     id ${t.keyText} PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
     label TEXT NOT NULL,
     case_at ${t.bigint} NOT NULL,
     follow_up INTEGER NOT NULL,
     presenter_id TEXT REFERENCES members (id) ON DELETE CASCADE,
     renewed_at ${t.bigint} NOT NULL
   );
   CREATE INDEX case_labels_group ON case_labels (group_id, case_at);
   ALTER TABLE groups ADD COLUMN labels_shared INTEGER NOT NULL DEFAULT 0;`,
  // CONF-40: on PostgreSQL an attendance line's content, sealed under the member's key (attended
  // and place then hold nothing); unused on SQLite.
  () => `ALTER TABLE attendance ADD COLUMN record TEXT;`,
];

/** The SQLite group file: `user_version` records how far it is. */
export function migrateGroupFile(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < GROUP_SCHEMA_STEPS.length; v++) {
    const step = GROUP_SCHEMA_STEPS[v] as (t: GroupColumnTypes) => string;
    db.transaction(() => {
      db.exec(step(GROUP_SQLITE_TYPES));
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/**
 * The advisory lock of the group tables' migrations ('groups' in ASCII), not the meetings' one
 * (async/postgresMigrate.ts): the two lists migrate independently, each once, whichever process
 * starts first.
 */
export const GROUP_MIGRATION_LOCK_KEY = 0x67726f757073;

/** Where PostgreSQL records how far the group tables are (the meetings' is `schema_version`). */
const VERSION_TABLE = 'group_schema_version';

/**
 * Applies the steps this database lacks, in one transaction under the advisory lock (PostgreSQL's
 * DDL is transactional: a failed step leaves the schema as it was). Returns the version it left;
 * a newer schema (a newer process migrated first) is left as it is.
 */
export async function migrateGroupTables(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [GROUP_MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (version INTEGER NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${VERSION_TABLE}`);
    const current = rows[0]?.version ?? 0;
    if (rows.length === 0) await client.query(`INSERT INTO ${VERSION_TABLE} (version) VALUES (0)`);
    // A step is several statements: the simple query protocol (no parameters) runs them all.
    for (const step of GROUP_SCHEMA_STEPS.slice(current)) await client.query(step(GROUP_POSTGRES_TYPES));
    if (current < GROUP_SCHEMA_STEPS.length)
      await client.query(`UPDATE ${VERSION_TABLE} SET version = $1`, [GROUP_SCHEMA_STEPS.length]);
    await client.query('COMMIT');
    return Math.max(current, GROUP_SCHEMA_STEPS.length);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

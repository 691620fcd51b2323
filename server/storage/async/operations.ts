/**
 * Every storage operation, written once in Kysely for both databases. `db` is the storage's
 * Kysely instance or one transaction of it; `engine` is what differs between the two beyond the
 * SQL Kysely writes for each (SQLite's WAL truncation after a write that leaves old content).
 */
import { sql, type Kysely } from 'kysely';
import type { Logger } from '../../core/logger';
import { toNote, toNoteDbRow, toStoredMeeting, type NoteDbRow } from '../rows';
import { keepDue, setDue, setDues } from './dueTimes';
import { MeetingKeyMissingError, type ContentCodec, type MeetingContent } from './content';
import type { Dialect, MeetingTransaction, StorageOperations, VersionedMeeting } from './types';
import type { MeetingsDb } from './tables';

export interface Engine {
  readonly dialect: Dialect;
  /** A write replaced or deleted content: SQLite truncates its WAL soon (walScrub.ts). */
  afterOverwrite(): void;
  /** How confidential columns and hashes are stored (content.ts): plain on SQLite, sealed on PostgreSQL. */
  readonly content: ContentCodec;
  /** Unreadable meetings at load, by id and reason only. */
  readonly logger: Logger;
}

/**
 * The advisory lock between a meeting's creation and the sweep of keys whose meeting does not
 * exist ('keys' in ASCII): a process creating a meeting holds it shared from making the key to the
 * row's commit, and the sweep holds it alone, so it never takes a key whose row is still on its
 * way for a leftover.
 */
const KEY_SWEEP_LOCK = 0x6b657973;

/** A note row with its confidential columns sealed (or opened), the rest as it is. */
function mapNoteContent(c: MeetingContent, row: NoteDbRow, open: boolean): NoteDbRow {
  const f = open ? c.openText : c.text;
  const id = row.note_id;
  const maybe = (column: Parameters<typeof f>[0], v: string | null) => (v === null ? null : f(column, id, v));
  return {
    ...row,
    text: f('notes.text', id, row.text),
    pending_text: maybe('notes.pending_text', row.pending_text),
    author_name: maybe('notes.author_name', row.author_name),
    layout: maybe('notes.layout', row.layout),
  };
}

/** A meeting's content, to write or to open rows that exist: its key must exist. */
function keyed(engine: Engine, meetingId: string): MeetingContent {
  const content = engine.content.find(meetingId);
  if (!content) throw new MeetingKeyMissingError();
  return content;
}

/** A meeting's notes as stored, opened; no key is read when there are none. */
function openNotes(engine: Engine, meetingId: string, rows: NoteDbRow[]) {
  if (rows.length === 0) return [];
  const c = keyed(engine, meetingId);
  return rows.map((r) => toNote(mapNoteContent(c, r, true)));
}

/** What loading the live meetings found: the readable ones, and those whose key is gone. */
export interface LoadedMeetings {
  meetings: VersionedMeeting[];
  unreadable: string[];
}

/** The live meetings' rows (of one meeting, with `meetingId`), as stored. */
function liveMeetingRows(db: Kysely<MeetingsDb>, meetingId?: string) {
  let query = db
    .selectFrom('meetings')
    .select(['id', 'state', 'join_code', 'join_code_sealed', 'last_activity_at', 'version'])
    .where('status', '!=', 'ended');
  if (meetingId !== undefined) query = query.where('id', '=', meetingId);
  return query.execute();
}

type MeetingRow = Awaited<ReturnType<typeof liveMeetingRows>>[number];

/**
 * A meeting's row, opened; null when it cannot be served: its key is missing (the key file lost
 * or replaced) or its state does not open under it. That is logged, by id and reason only.
 */
function openMeetingRow(engine: Engine, row: MeetingRow): VersionedMeeting | null {
  const c = engine.content.find(row.id);
  if (!c) {
    engine.logger.error('storage.meeting_key_missing', { meetingId: row.id });
    return null;
  }
  try {
    const sealedCode = row.join_code_sealed;
    const stored = toStoredMeeting({
      state: c.openText('meetings.state', row.id, row.state),
      join_code: sealedCode === null ? row.join_code : c.openText('meetings.join_code', row.id, sealedCode),
      last_activity_at: row.last_activity_at,
    });
    return { ...stored, version: row.version };
  } catch (error) {
    // Only the error's class: a JSON parser's message may quote the text it failed on.
    engine.logger.error('storage.meeting_unreadable', {
      meetingId: row.id,
      error: error instanceof Error ? error.name : 'unknown',
    });
    return null;
  }
}

/** The live meetings, opened, and the ids of those that cannot be (openMeetingRow). */
export async function loadReadableMeetings(db: Kysely<MeetingsDb>, engine: Engine): Promise<LoadedMeetings> {
  const out: LoadedMeetings = { meetings: [], unreadable: [] };
  for (const row of await liveMeetingRows(db)) {
    const opened = openMeetingRow(engine, row);
    if (opened) out.meetings.push(opened);
    else out.unreadable.push(row.id);
  }
  return out;
}

/** The tables a meeting has rows in, children first. */
const MEETING_TABLES = ['board_updates', 'notes', 'seat_tokens', 'commands', 'due_times'] as const;

/** Runs `fn` atomically: in a new transaction, or in the one `db` already is. */
type Atomically = <T>(fn: (db: Kysely<MeetingsDb>) => Promise<T>) => Promise<T>;

export function operations(
  db: Kysely<MeetingsDb>,
  engine: Engine,
  atomically: Atomically,
): StorageOperations {
  /** A meeting's note by its key or by its secret's hash (both unique within the meeting). */
  async function noteBy(meetingId: string, column: 'note_id' | 'secret_hash', value: string) {
    const row = await db
      .selectFrom('notes')
      .selectAll()
      .where('meeting_id', '=', meetingId)
      .where(column, '=', value)
      .executeTakeFirst();
    return row ? (openNotes(engine, meetingId, [row])[0] ?? null) : null;
  }
  /** A join code's two columns: its lookup form, and (sealed storage) the code itself sealed. */
  function joinCodeColumns(c: MeetingContent, meetingId: string, code: string) {
    return {
      join_code: engine.content.joinCodeLookup(code),
      join_code_sealed: engine.content.sealed ? c.text('meetings.join_code', meetingId, code) : null,
    };
  }
  /** Inserts a board update (or a merge), sealed for its case. */
  async function insertUpdate(
    t: Kysely<MeetingsDb>,
    meetingId: string,
    caseIndex: number,
    update: Uint8Array,
  ) {
    const sealed = keyed(engine, meetingId).bytes('board_updates.update_data', String(caseIndex), update);
    const row = await t
      .insertInto('board_updates')
      .values({ meeting_id: meetingId, case_index: caseIndex, update_data: Buffer.from(sealed) })
      .returning('seq')
      .executeTakeFirstOrThrow();
    return row.seq;
  }
  /** A board's stored updates after `afterSeq` (sequence numbers start at 1), opened. */
  async function updatesAfter(meetingId: string, caseIndex: number, afterSeq: number) {
    const rows = await db
      .selectFrom('board_updates')
      .select(['seq', 'update_data'])
      .where('meeting_id', '=', meetingId)
      .where('case_index', '=', caseIndex)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .execute();
    if (rows.length === 0) return [];
    const c = keyed(engine, meetingId);
    return rows.map((r) => ({
      seq: r.seq,
      update: new Uint8Array(c.openBytes('board_updates.update_data', String(caseIndex), r.update_data)),
    }));
  }
  /** Deletes a meeting's rows of one seat or one note; their content then leaves the WAL soon. */
  async function deleteOverwriting<T extends 'seat_tokens' | 'notes'>(
    table: T,
    meetingId: string,
    column: T extends 'notes' ? 'note_id' : 'seat_id',
    value: string,
  ) {
    await db
      .deleteFrom(table as 'notes')
      .where('meeting_id', '=', meetingId)
      .where(column as 'note_id', '=', value)
      .execute();
    engine.afterOverwrite();
  }
  return {
    async insertMeeting(m, secrets) {
      const id = m.state.id;
      const insert = async (t: Kysely<MeetingsDb>) => {
        const c = engine.content.create(id);
        await t
          .insertInto('meetings')
          .values({
            id,
            ...joinCodeColumns(c, id, m.joinCode),
            state: c.text('meetings.state', id, JSON.stringify(m.state)),
            leader_token_hash: c.hash(secrets.leaderToken),
            projector_key_hash: c.hash(secrets.projectorKey),
            last_activity_at: m.lastActivityAt,
          })
          .execute();
      };
      if (!engine.content.sealed) return insert(db);
      // The key is made under the sweep's lock, held until the row commits (KEY_SWEEP_LOCK).
      await atomically(async (t) => {
        await sql`SELECT pg_advisory_xact_lock_shared(${KEY_SWEEP_LOCK})`.execute(t);
        await insert(t);
      });
    },
    async saveMeeting(state, now) {
      const c = keyed(engine, state.id);
      await db
        .updateTable('meetings')
        .set({
          state: c.text('meetings.state', state.id, JSON.stringify(state)),
          status: state.status,
          last_activity_at: now,
          version: sql<number>`version + 1`,
        })
        .where('id', '=', state.id)
        .execute();
    },
    async setJoinCode(meetingId, joinCode) {
      const columns = joinCodeColumns(keyed(engine, meetingId), meetingId, joinCode);
      await db.updateTable('meetings').set(columns).where('id', '=', meetingId).execute();
      engine.afterOverwrite();
    },
    async touchMeeting(meetingId, now) {
      await db.updateTable('meetings').set({ last_activity_at: now }).where('id', '=', meetingId).execute();
    },
    // Unreadable meetings are left out here; the storage's own loadLiveMeetings purges them.
    loadLiveMeetings: async () => (await loadReadableMeetings(db, engine)).meetings,
    async loadMeeting(meetingId) {
      const [row] = await liveMeetingRows(db, meetingId);
      return row ? openMeetingRow(engine, row) : null;
    },
    async findMeetingByJoinCode(joinCode) {
      const row = await db
        .selectFrom('meetings')
        .select('id')
        .where('join_code', '=', engine.content.joinCodeLookup(joinCode))
        .where('status', '!=', 'ended')
        .executeTakeFirst();
      return row?.id ?? null;
    },
    async projectorKeyHash(meetingId) {
      const row = await db
        .selectFrom('meetings')
        .select('projector_key_hash')
        .where('id', '=', meetingId)
        .executeTakeFirst();
      return row?.projector_key_hash ?? null;
    },
    async hasCommand(meetingId, seatId, commandId) {
      const row = await db
        .selectFrom('commands')
        .select('command_id')
        .where('meeting_id', '=', meetingId)
        .where('seat_id', '=', seatId)
        .where('command_id', '=', commandId)
        .executeTakeFirst();
      return row !== undefined;
    },
    async recordCommand(meetingId, seatId, commandId) {
      await db
        .insertInto('commands')
        .values({ meeting_id: meetingId, seat_id: seatId, command_id: commandId })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async addSeatToken(meetingId, seatId, token) {
      await db
        .insertInto('seat_tokens')
        .values({
          token_hash: keyed(engine, meetingId).hash(token),
          meeting_id: meetingId,
          seat_id: seatId,
        })
        .execute();
    },
    async findSeatByToken(token) {
      const lookup = engine.content.tokenLookup(token);
      if (!lookup) return null;
      let query = db
        .selectFrom('seat_tokens')
        .select(['meeting_id', 'seat_id'])
        .where('token_hash', '=', lookup.hash);
      if (lookup.meetingId !== null) query = query.where('meeting_id', '=', lookup.meetingId);
      const row = await query.executeTakeFirst();
      return row ? { meetingId: row.meeting_id, seatId: row.seat_id } : null;
    },
    secretHash: (meetingId, secret) => Promise.resolve().then(() => keyed(engine, meetingId).hash(secret)),
    deleteSeatTokens: (meetingId, seatId) => deleteOverwriting('seat_tokens', meetingId, 'seat_id', seatId),
    async putNote(n) {
      const row = mapNoteContent(keyed(engine, n.meetingId), toNoteDbRow(n), false);
      const { meeting_id: _meeting, note_id: _note, ...rest } = row;
      await db
        .insertInto('notes')
        .values(row)
        .onConflict((oc) => oc.columns(['meeting_id', 'note_id']).doUpdateSet(rest))
        .execute();
      // A replaced row (an edit, a status change) leaves its old version in the WAL.
      engine.afterOverwrite();
    },
    getNote: (meetingId, noteId) => noteBy(meetingId, 'note_id', noteId),
    findNoteBySecretHash: (meetingId, secretHash) => noteBy(meetingId, 'secret_hash', secretHash),
    deleteNote: (meetingId, noteId) => deleteOverwriting('notes', meetingId, 'note_id', noteId),
    async listNotes(meetingId) {
      const rows = await db
        .selectFrom('notes')
        .selectAll()
        .where('meeting_id', '=', meetingId)
        .orderBy('note_id')
        .execute();
      return openNotes(engine, meetingId, rows);
    },
    async noteAddChecks(meetingId, caseIndex, secretHash) {
      // One row: the case's count, joined with the meeting's note of that secret, if any.
      const { rows } = await sql<Partial<NoteDbRow> & { unhidden: number | string }>`SELECT n.*, c.unhidden
        FROM (SELECT count(*) AS unhidden FROM notes
              WHERE meeting_id = ${meetingId} AND case_index = ${caseIndex} AND status <> 'hidden') AS c
        LEFT JOIN notes AS n ON n.meeting_id = ${meetingId} AND n.secret_hash = ${secretHash}`.execute(db);
      const [first] = rows;
      const found = rows.flatMap(({ unhidden: _, ...row }) =>
        row.note_id === null || row.note_id === undefined ? [] : [row as NoteDbRow],
      );
      return {
        earlier: openNotes(engine, meetingId, found)[0] ?? null,
        unhidden: Number(first?.unhidden ?? 0),
      };
    },
    async listMarkedNoteIds(meetingId, caseIndex) {
      const rows = await db
        .selectFrom('notes')
        .select('note_id')
        .where('meeting_id', '=', meetingId)
        .where('case_index', '=', caseIndex)
        .where('resonance', '>', 0)
        .where('status', '<>', 'removed')
        .orderBy('note_id')
        .execute();
      return rows.map((r) => r.note_id);
    },
    async maxNoteBatch(meetingId, caseIndex) {
      const row = await db
        .selectFrom('notes')
        .select((eb) => eb.fn.max('batch').as('batch'))
        .where('meeting_id', '=', meetingId)
        .where('case_index', '=', caseIndex)
        .executeTakeFirst();
      return row?.batch ?? null;
    },
    async listUnsettledNotes(meetingId, caseIndex) {
      // The condition is the partial index's own (notes_unsettled). SQLite's planner, without
      // statistics, would scan the meeting's notes by key instead: it is named there.
      const from = engine.dialect === 'sqlite' ? sql`notes INDEXED BY notes_unsettled` : sql`notes`;
      const { rows } = await sql<NoteDbRow>`SELECT * FROM ${from}
        WHERE meeting_id = ${meetingId} AND case_index = ${caseIndex}
          AND (status <> 'released' OR pending_text IS NOT NULL OR pending_delete <> 0)
        ORDER BY note_id`.execute(db);
      return openNotes(engine, meetingId, rows);
    },
    async listUnsettledNotesAndLastBatch(meetingId, caseIndex) {
      // One row at least (the case's last batch), joined with the unsettled notes, if any.
      const from = engine.dialect === 'sqlite' ? sql`notes AS n INDEXED BY notes_unsettled` : sql`notes AS n`;
      const { rows } = await sql<Partial<NoteDbRow> & { last_batch: number | null }>`SELECT n.*, b.last_batch
        FROM (SELECT max(batch) AS last_batch FROM notes
              WHERE meeting_id = ${meetingId} AND case_index = ${caseIndex}) AS b
        LEFT JOIN ${from} ON n.meeting_id = ${meetingId} AND n.case_index = ${caseIndex}
          AND (n.status <> 'released' OR n.pending_text IS NOT NULL OR n.pending_delete <> 0)
        ORDER BY n.note_id`.execute(db);
      const lastBatch = rows[0]?.last_batch ?? null;
      const notes = rows.flatMap(({ last_batch: _, ...row }) =>
        row.note_id === null || row.note_id === undefined ? [] : [row as NoteDbRow],
      );
      return {
        notes: openNotes(engine, meetingId, notes),
        lastBatch: lastBatch === null ? null : Number(lastBatch),
      };
    },
    appendBoardUpdate: (meetingId, caseIndex, update) => insertUpdate(db, meetingId, caseIndex, update),
    loadBoardUpdates: async (meetingId, caseIndex) =>
      (await updatesAfter(meetingId, caseIndex, 0)).map((u) => u.update),
    loadBoardUpdatesAfter: updatesAfter,
    async replaceBoardUpdates(meetingId, caseIndex, merged) {
      const seq = await atomically(async (t) => {
        await t
          .deleteFrom('board_updates')
          .where('meeting_id', '=', meetingId)
          .where('case_index', '=', caseIndex)
          .execute();
        return insertUpdate(t, meetingId, caseIndex, merged);
      });
      engine.afterOverwrite();
      return seq;
    },
  };
}

/** Inside a transaction: the operations, and the meeting's row lock. */
export function transactionOperations(trx: Kysely<MeetingsDb>, engine: Engine): MeetingTransaction {
  return {
    ...operations(trx, engine, (fn) => fn(trx)),
    async lockMeeting(meetingId, touchAt) {
      if (touchAt !== undefined) {
        const touched = await trx
          .updateTable('meetings')
          .set({ last_activity_at: touchAt })
          .where('id', '=', meetingId)
          .returning(['version', 'last_activity_at'])
          .executeTakeFirst();
        return touched ? { version: touched.version, lastActivityAt: touched.last_activity_at } : null;
      }
      const query = trx
        .selectFrom('meetings')
        .select(['version', 'last_activity_at'])
        .where('id', '=', meetingId);
      const row = await (engine.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
      return row ? { version: row.version, lastActivityAt: row.last_activity_at } : null;
    },
    setDue: (meetingId, kind, at) => setDue(trx, meetingId, kind, at),
    setDues: (meetingId, dues) => setDues(trx, meetingId, dues),
    keepDue: (meetingId, kind, at) => keepDue(trx, meetingId, kind, at),
  };
}

/**
 * Every row of these meetings, deleted in one transaction. `beforeCommit` runs after the deletes,
 * before the commit (the test-only crash point of crashPoints.ts).
 */
export async function deleteMeetings(
  db: Kysely<MeetingsDb>,
  meetingIds: readonly string[],
  beforeCommit?: () => void,
): Promise<void> {
  if (meetingIds.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const table of MEETING_TABLES)
      await trx.deleteFrom(table).where('meeting_id', 'in', meetingIds).execute();
    await trx.deleteFrom('meetings').where('id', 'in', meetingIds).execute();
    beforeCommit?.();
  });
}

/** What a crash left behind: meetings stored as ended, and rows of meetings that do not exist. */
export async function leftoverMeetings(db: Kysely<MeetingsDb>): Promise<string[]> {
  const ended = await db.selectFrom('meetings').select('id').where('status', '=', 'ended').execute();
  const orphans = await db
    .selectFrom('board_updates')
    .select('meeting_id as id')
    .union(db.selectFrom('notes').select('meeting_id as id'))
    .union(db.selectFrom('seat_tokens').select('meeting_id as id'))
    .union(db.selectFrom('commands').select('meeting_id as id'))
    .union(db.selectFrom('due_times').select('meeting_id as id'))
    .except(db.selectFrom('meetings').select('id'))
    .execute();
  return [...new Set([...ended, ...orphans].map((r) => r.id))];
}

/** Ids per statement when checking keys against meeting rows (far below PostgreSQL's 65,535 parameters). */
const ID_CHUNK = 1_000;

/**
 * Destroys the keys whose meeting has no row (a crash between making a key and its meeting's
 * commit, or between a purge's commit and the key's destruction), under the sweep's lock so that a
 * meeting being created by another process keeps its key. Returns how many it destroyed.
 */
export async function sweepKeys(db: Kysely<MeetingsDb>, engine: Engine): Promise<number> {
  if (!engine.content.sealed) return 0;
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${KEY_SWEEP_LOCK})`.execute(trx);
    const keyed = engine.content.keyedMeetings();
    const existing = new Set<string>();
    for (let i = 0; i < keyed.length; i += ID_CHUNK) {
      const chunk = keyed.slice(i, i + ID_CHUNK);
      const rows = await trx.selectFrom('meetings').select('id').where('id', 'in', chunk).execute();
      for (const r of rows) existing.add(r.id);
    }
    const gone = keyed.filter((id) => !existing.has(id));
    engine.content.destroy(gone);
    return gone.length;
  });
}

/**
 * Every storage operation, written once in Kysely for both databases. `db` is the storage's
 * Kysely instance or one transaction of it; `engine` is what differs between the two beyond the
 * SQL Kysely writes for each (SQLite's WAL truncation after a write that leaves old content).
 */
import { sql, type Kysely } from 'kysely';
import { toNote, toNoteDbRow, toStoredMeeting, type NoteDbRow } from '../rows';
import { setDue } from './dueTimes';
import type { Dialect, MeetingTransaction, StorageOperations } from './types';
import type { MeetingsDb } from './tables';

export interface Engine {
  readonly dialect: Dialect;
  /** A write replaced or deleted content: SQLite truncates its WAL soon (walScrub.ts). */
  afterOverwrite(): void;
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
    return row ? toNote(row) : null;
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
    async insertMeeting(m, leaderTokenHash, projectorKeyHash) {
      await db
        .insertInto('meetings')
        .values({
          id: m.state.id,
          join_code: m.joinCode,
          state: JSON.stringify(m.state),
          leader_token_hash: leaderTokenHash,
          projector_key_hash: projectorKeyHash,
          last_activity_at: m.lastActivityAt,
        })
        .execute();
    },
    async saveMeeting(state, now) {
      await db
        .updateTable('meetings')
        .set({ state: JSON.stringify(state), status: state.status, last_activity_at: now })
        .where('id', '=', state.id)
        .execute();
    },
    async setJoinCode(meetingId, joinCode) {
      await db.updateTable('meetings').set({ join_code: joinCode }).where('id', '=', meetingId).execute();
      engine.afterOverwrite();
    },
    async touchMeeting(meetingId, now) {
      await db.updateTable('meetings').set({ last_activity_at: now }).where('id', '=', meetingId).execute();
    },
    async loadLiveMeetings() {
      const rows = await db
        .selectFrom('meetings')
        .select(['state', 'join_code', 'last_activity_at'])
        .where('status', '!=', 'ended')
        .execute();
      return rows.map(toStoredMeeting);
    },
    async findMeetingByJoinCode(joinCode) {
      const row = await db
        .selectFrom('meetings')
        .select('id')
        .where('join_code', '=', joinCode)
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
    async insertSeatToken(meetingId, seatId, tokenHash) {
      await db
        .insertInto('seat_tokens')
        .values({ token_hash: tokenHash, meeting_id: meetingId, seat_id: seatId })
        .execute();
    },
    async findSeatByTokenHash(tokenHash) {
      const row = await db
        .selectFrom('seat_tokens')
        .select(['meeting_id', 'seat_id'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row ? { meetingId: row.meeting_id, seatId: row.seat_id } : null;
    },
    deleteSeatTokens: (meetingId, seatId) => deleteOverwriting('seat_tokens', meetingId, 'seat_id', seatId),
    async putNote(n) {
      const row = toNoteDbRow(n);
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
      return rows.map(toNote);
    },
    async countNotes(meetingId, caseIndex) {
      const row = await db
        .selectFrom('notes')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('meeting_id', '=', meetingId)
        .where('case_index', '=', caseIndex)
        .executeTakeFirstOrThrow();
      return Number(row.count);
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
      return rows.map(toNote);
    },
    async appendBoardUpdate(meetingId, caseIndex, update) {
      await db
        .insertInto('board_updates')
        .values({ meeting_id: meetingId, case_index: caseIndex, update_data: Buffer.from(update) })
        .execute();
    },
    async loadBoardUpdates(meetingId, caseIndex) {
      const rows = await db
        .selectFrom('board_updates')
        .select('update_data')
        .where('meeting_id', '=', meetingId)
        .where('case_index', '=', caseIndex)
        .orderBy('seq')
        .execute();
      return rows.map((r) => new Uint8Array(r.update_data));
    },
    async replaceBoardUpdates(meetingId, caseIndex, merged) {
      await atomically(async (t) => {
        await t
          .deleteFrom('board_updates')
          .where('meeting_id', '=', meetingId)
          .where('case_index', '=', caseIndex)
          .execute();
        await t
          .insertInto('board_updates')
          .values({ meeting_id: meetingId, case_index: caseIndex, update_data: Buffer.from(merged) })
          .execute();
      });
      engine.afterOverwrite();
    },
  };
}

/** Inside a transaction: the operations, and the meeting's row lock. */
export function transactionOperations(trx: Kysely<MeetingsDb>, engine: Engine): MeetingTransaction {
  return {
    ...operations(trx, engine, (fn) => fn(trx)),
    async lockMeeting(meetingId) {
      const query = trx.selectFrom('meetings').select('id').where('id', '=', meetingId);
      const row = await (engine.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
      return row !== undefined;
    },
    setDue: (meetingId, kind, at) => setDue(trx, meetingId, kind, at),
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

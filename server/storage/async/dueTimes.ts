/**
 * Stored due times (SCALE-15): every time at which the server must act on a meeting without being
 * asked (the next phase deadline, the inactivity limit, a case's delayed release) is a row, so
 * that with several processes none is missed because the process that armed its timer died.
 * A process claims a due row in a transaction of its own (`FOR UPDATE SKIP LOCKED` on PostgreSQL:
 * two processes never claim the same row, and neither waits for the other) and acts on it inside
 * that transaction: if it dies or fails meanwhile, the transaction rolls back and the row is due
 * again for whichever process polls next. Acting is idempotent besides (a tick with nothing due
 * changes nothing), so a row applied and then found again does no harm.
 *
 * Rows hold no content: a meeting id, a kind and a time.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect, DueKind, DueRow } from './types';
import type { MeetingsDb } from './tables';

export type { DueKind, DueRow } from './types';

/** Sets (or with `at` null, clears) one due time of a meeting. */
export async function setDue(
  db: Kysely<MeetingsDb>,
  meetingId: string,
  kind: DueKind,
  at: number | null,
): Promise<void> {
  if (at === null) {
    await db.deleteFrom('due_times').where('meeting_id', '=', meetingId).where('kind', '=', kind).execute();
    return;
  }
  await db
    .insertInto('due_times')
    .values({ meeting_id: meetingId, kind, due_at: at })
    .onConflict((oc) => oc.columns(['meeting_id', 'kind']).doUpdateSet({ due_at: at }))
    .execute();
}

/**
 * Several due times of one meeting at once: the cleared ones in one DELETE, the others in one
 * INSERT … ON CONFLICT (a command stores its phase deadline and its inactivity limit so).
 */
export async function setDues(
  db: Kysely<MeetingsDb>,
  meetingId: string,
  dues: readonly { kind: DueKind; at: number | null }[],
): Promise<void> {
  const cleared = dues.flatMap((d) => (d.at === null ? [d.kind] : []));
  const set = dues.flatMap((d) =>
    d.at === null ? [] : [{ meeting_id: meetingId, kind: d.kind, due_at: d.at }],
  );
  if (cleared.length > 0)
    await db
      .deleteFrom('due_times')
      .where('meeting_id', '=', meetingId)
      .where('kind', 'in', cleared)
      .execute();
  if (set.length > 0)
    await db
      .insertInto('due_times')
      .values(set)
      .onConflict((oc) =>
        oc.columns(['meeting_id', 'kind']).doUpdateSet((eb) => ({ due_at: eb.ref('excluded.due_at') })),
      )
      .execute();
}

/**
 * Sets one due time of a meeting unless one is set already; resolves with the time that holds
 * (one statement: on a conflict the row keeps its time and returns it).
 */
export async function keepDue(
  db: Kysely<MeetingsDb>,
  meetingId: string,
  kind: DueKind,
  at: number,
): Promise<number> {
  const row = await db
    .insertInto('due_times')
    .values({ meeting_id: meetingId, kind, due_at: at })
    .onConflict((oc) =>
      oc.columns(['meeting_id', 'kind']).doUpdateSet({ due_at: sql<number>`due_times.due_at` }),
    )
    .returning('due_at')
    .executeTakeFirstOrThrow();
  return row.due_at;
}

/** The due kind of a case's delayed release (REL-1, SCALE-60). */
export const releaseDueKind = (caseIndex: number): DueKind => `release:${caseIndex}`;

/** The case of a delayed release's due kind; null for any other kind. */
export function releaseDueCase(kind: DueKind): number | null {
  const match = /^release:(\d{1,4})$/.exec(kind);
  return match ? Number(match[1]) : null;
}

/** A meeting's due times, soonest first. */
export async function listDue(db: Kysely<MeetingsDb>, meetingId: string): Promise<DueRow[]> {
  const rows = await db
    .selectFrom('due_times')
    .selectAll()
    .where('meeting_id', '=', meetingId)
    .orderBy('due_at')
    .orderBy('kind')
    .execute();
  return rows.map((r) => ({ meetingId: r.meeting_id, kind: r.kind as DueKind, dueAt: r.due_at }));
}

/**
 * Claims the soonest row due at `now` (none of `skip`) in a new transaction and runs `act` in it;
 * the row is deleted in the same transaction unless `act` set it again (to the next deadline).
 * Resolves with the row acted on, or null when nothing (unclaimed) is due. A rejection of `act`
 * rolls everything back and is passed on: the row stays due.
 */
export async function claimDue(
  db: Kysely<MeetingsDb>,
  dialect: Dialect,
  now: number,
  skip: readonly DueRow[],
  act: (trx: Transaction<MeetingsDb>, due: DueRow) => Promise<void>,
): Promise<DueRow | null> {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('due_times')
      .selectAll()
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .orderBy('meeting_id')
      .orderBy('kind')
      .limit(1);
    for (const s of skip)
      query = query.where((eb) => eb.or([eb('meeting_id', '!=', s.meetingId), eb('kind', '!=', s.kind)]));
    // SQLite has one connection and one process: nobody else can hold the row.
    const row = await (dialect === 'postgres' ? query.forUpdate().skipLocked() : query).executeTakeFirst();
    if (!row) return null;
    const due: DueRow = { meetingId: row.meeting_id, kind: row.kind as DueKind, dueAt: row.due_at };
    await act(trx, due);
    // Gone unless `act` armed it again for a later time.
    await trx
      .deleteFrom('due_times')
      .where('meeting_id', '=', due.meetingId)
      .where('kind', '=', due.kind)
      .where('due_at', '<=', now)
      .execute();
    return due;
  });
}

/**
 * Every operation on the groups' lasting records, written once in Kysely for both databases (the
 * SQLite group file and PostgreSQL's group tables; opened in open.ts). `db` is the store's Kysely
 * instance or one transaction of it; `engine` is what differs beyond the SQL Kysely writes.
 */
import { sql, type Kysely, type Selectable, type UpdateObject } from 'kysely';
import type { CaseLabelRecord } from '../../shared/group/followUp';
import type { LeaderRights, MemberStatus } from '../../shared/group/rules';
import type { Dialect } from '../storage/async/types';
import {
  toAttendance,
  toCaseLabel,
  toDebrief,
  toGroup,
  toLeader,
  toLeaderLink,
  toMember,
  toSession,
  type AttendanceRow,
  type EvaluationRow,
  type GroupIdentity,
  type GroupRow,
  type LeaderRow,
  type MemberRow,
  type SessionRow,
} from './rows';
import { memberBoxOrNull } from './lostKeys';
import { GroupKeyMissingError, type GroupBox, type GroupSealing } from './sealing';
import type { AttendanceDbRow, GroupDbRow, GroupsDb } from './tables';

/** The group file's name, beside `balint-room.sqlite` in the data folder (GROUP-1). */
export const GROUP_FILE_NAME = 'balint-groups.sqlite';

export interface GroupEngine {
  readonly dialect: Dialect;
  /** A write removed or replaced content: SQLite truncates its WAL within seconds (walScrub.ts). */
  afterOverwrite(): void;
  /** A whole group went: SQLite truncates its WAL at once, then calls `whenScrubbed`. */
  afterGroupDeleted(whenScrubbed?: () => void): void;
  /** CONF-40: plain on SQLite, sealed under the groups' and members' keys on PostgreSQL. */
  readonly sealing: GroupSealing;
}

/**
 * Runs `fn` once the operation's writes are committed: at once outside a transaction, after its
 * commit inside one (a key is destroyed only once the rows it sealed are gone for good).
 */
export type AfterCommit = (fn: () => void) => void;

/** Runs `fn` atomically: in a new transaction, or in the one `db` already is. */
type Atomically = <T>(fn: (db: Kysely<GroupsDb>) => Promise<T>) => Promise<T>;

type Settings = Pick<GroupRow, 'id' | 'name' | 'language' | 'mode' | 'anonymity' | 'plan'>;

export type GroupOperations = ReturnType<typeof groupOperations>;

/** Runs `fn` with all of its writes stored or none, inside a guard's transaction or in one of its own. */
export type Atomic = <T>(fn: (tx: GroupOperations) => Promise<T>) => Promise<T>;

/**
 * What a guard holds (SCALE-40): a group's row, or a key of work that has no row of its own
 * (a person entering a meeting).
 */
export type GuardLock = { group: string } | { key: string };

/**
 * The store: its operations, and transactions of them. Every write is durable when its promise
 * resolves.
 */
export interface GroupStore extends GroupOperations {
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one transaction: all of its writes are stored, or none (a rejection rolls back).
   * Inside, use only `tx`: on SQLite the store's own operations wait for the transaction's end.
   */
  transaction<T>(fn: (tx: GroupOperations) => Promise<T>): Promise<T>;
  /**
   * SCALE-40: runs a read-modify-write that no other process may run on the same state at once.
   * On PostgreSQL `fn` runs in one transaction that first takes a lock every process honours (the
   * group's row `FOR UPDATE`, or an advisory lock on the key's hash), so `fn` reads what an earlier
   * holder committed; inside, use only `tx` and `atomic` (the transaction's connection). On SQLite
   * one process serves the file (DISK-14) and the service's own queue (serial.ts) is the guard:
   * `fn` runs on the store itself and `atomic` is a transaction.
   */
  guard<T>(lock: GuardLock, fn: (tx: GroupOperations, atomic: Atomic) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const changed = (n: bigint | undefined) => Number(n ?? 0n) > 0;

/**
 * The advisory lock (first number; the second is 0) that key-making transactions hold shared and
 * the start-up sweep of keys without rows holds exclusive (CONF-42): apart from the guards' class.
 */
export const GROUP_KEYS_LOCK_CLASS = 0x677271;

async function holdKeys(db: Kysely<GroupsDb>, sealing: GroupSealing): Promise<void> {
  if (sealing.sealed) await sql`SELECT pg_advisory_xact_lock_shared(${GROUP_KEYS_LOCK_CLASS}, 0)`.execute(db);
}

/** A box whose key is read at its first use: an empty list of a group that is gone needs none. */
function lazyBox(get: () => GroupBox): GroupBox {
  let box: GroupBox | null = null;
  return {
    text: (c, r, plain) => (box ??= get()).text(c, r, plain),
    openText: (c, r, stored) => (box ??= get()).openText(c, r, stored),
    hash: (secret) => (box ??= get()).hash(secret),
  };
}

export function groupOperations(
  db: Kysely<GroupsDb>,
  engine: GroupEngine,
  atomically: Atomically,
  afterCommit: AfterCommit,
) {
  /** A write that removes or replaces content: its old pages leave the WAL within seconds. */
  const deleted = () => engine.afterOverwrite();
  const { sealing } = engine;
  const inGroup = (groupId: string) => sealing.group(groupId);
  const toGroupRow = (r: Selectable<GroupDbRow>) => {
    const box = inGroup(r.id);
    return toGroup({
      ...r,
      name: box.openText('groups.name', r.id, r.name),
      plan: box.openText('groups.plan', r.id, r.plan),
    });
  };
  const openLeader = <R extends { id: string; name: string; accreditation: string }>(
    groupId: string,
    r: R,
  ): R => {
    const box = lazyBox(() => inGroup(groupId));
    return {
      ...r,
      name: box.openText('leaders.name', r.id, r.name),
      // The default of the column's step (empty) was never sealed.
      accreditation:
        r.accreditation === '' ? '' : box.openText('leaders.accreditation', r.id, r.accreditation),
    };
  };
  // The leaders come in the order they were added (the creator first): SQLite's rowid keeps it,
  // PostgreSQL's `seq` (schema.ts).
  const arrival = sql.ref(engine.dialect === 'sqlite' ? 'leaders.rowid' : 'leaders.seq');

  async function groupWhere(column: 'id' | 'member_code' | 'current_meeting_id', value: string) {
    const row = await db.selectFrom('groups').selectAll().where(column, '=', value).executeTakeFirst();
    return row ? toGroupRow(row) : null;
  }
  const update = () => db.updateTable('groups');
  async function setGroup(groupId: string, values: UpdateObject<GroupsDb, 'groups'>) {
    await update().set(values).where('id', '=', groupId).execute();
  }

  return {
    /**
     * CONF-41: the stored form of a token or code of the group (a leader's link, a member's
     * device, the recovery code): SHA-256 on SQLite, an HMAC under the group's key on PostgreSQL
     * (`make` makes the key, for a new group); null when the group has no key.
     */
    secretHash(groupId: string, secret: string, make = false): string | null {
      try {
        return sealing.group(groupId, make).hash(secret);
      } catch (error) {
        if (error instanceof GroupKeyMissingError) return null;
        throw error;
      }
    },
    /**
     * CONF-42: holds back the start-up sweep of keys without rows (open.ts) until the transaction
     * `db` is in ends; taken before a key is made, so that no key is swept before its row commits.
     */
    holdKeys: () => holdKeys(db, sealing),
    insertGroup: (g: GroupRow) =>
      atomically(async (t) => {
        await holdKeys(t, sealing);
        const box = sealing.group(g.id, true);
        await t
          .insertInto('groups')
          .values({
            id: g.id,
            name: box.text('groups.name', g.id, g.name),
            language: g.language,
            mode: g.mode,
            anonymity: g.anonymity,
            plan: box.text('groups.plan', g.id, JSON.stringify(g.plan)),
            member_code: g.memberCode,
            recovery_hash: g.recoveryHash,
            created_at: g.createdAt,
          })
          .execute();
      }),
    getGroup: (id: string): Promise<GroupRow | null> => groupWhere('id', id),
    groupByMemberCode: (code: string): Promise<GroupRow | null> => groupWhere('member_code', code),
    groupByMeeting: (meetingId: string): Promise<GroupRow | null> =>
      groupWhere('current_meeting_id', meetingId),
    async updateSettings(g: Settings) {
      const box = inGroup(g.id);
      await setGroup(g.id, {
        name: box.text('groups.name', g.id, g.name),
        language: g.language,
        mode: g.mode,
        anonymity: g.anonymity,
        plan: box.text('groups.plan', g.id, JSON.stringify(g.plan)),
      });
      deleted();
    },
    async setMemberCode(groupId: string, code: string) {
      await setGroup(groupId, { member_code: code });
      deleted();
    },
    async setRecoveryHash(groupId: string, hash: string | null) {
      await setGroup(groupId, { recovery_hash: hash });
      deleted();
    },
    setNextAt: (groupId: string, at: number | null) => setGroup(groupId, { next_at: at }),
    setCurrentMeeting: (groupId: string, meetingId: string | null) =>
      setGroup(groupId, { current_meeting_id: meetingId, current_started_at: null }),
    /**
     * Everything of the group goes with it (foreign keys cascade), then the WAL at once; on
     * PostgreSQL the group's and its members' keys once the delete committed.
     */
    async deleteGroup(groupId: string, whenScrubbed?: () => void) {
      const members = await db.selectFrom('members').select('id').where('group_id', '=', groupId).execute();
      await db.deleteFrom('groups').where('id', '=', groupId).execute();
      afterCommit(() =>
        sealing.sealed
          ? sealing.destroy({ groups: [groupId], members: members.map((m) => m.id) }, whenScrubbed)
          : engine.afterGroupDeleted(whenScrubbed),
      );
    },
    async insertLeader(l: LeaderRow) {
      await db
        .insertInto('leaders')
        .values({
          id: l.id,
          group_id: l.groupId,
          name: inGroup(l.groupId).text('leaders.name', l.id, l.name),
          rights: l.rights,
        })
        .execute();
    },
    async leaders(groupId: string): Promise<LeaderRow[]> {
      const rows = await db
        .selectFrom('leaders')
        .select(['id', 'group_id', 'name', 'rights', 'accreditation'])
        .where('group_id', '=', groupId)
        .orderBy(arrival)
        .execute();
      return rows.map((r) => toLeader(openLeader(groupId, r)));
    },
    async setAccreditation(groupId: string, leaderId: string, text: string) {
      await db
        .updateTable('leaders')
        .set({
          accreditation: text === '' ? '' : inGroup(groupId).text('leaders.accreditation', leaderId, text),
        })
        .where('id', '=', leaderId)
        .where('group_id', '=', groupId)
        .execute();
      deleted();
    },
    async accreditations(groupId: string): Promise<{ name: string; accreditation: string }[]> {
      const rows = await db
        .selectFrom('leaders')
        .select(['id', 'name', 'accreditation'])
        .where('group_id', '=', groupId)
        .orderBy(arrival)
        .execute();
      return rows.map((r) => {
        const { name, accreditation } = openLeader(groupId, r);
        return { name, accreditation };
      });
    },
    async setRights(groupId: string, leaderId: string, rights: LeaderRights) {
      await db
        .updateTable('leaders')
        .set({ rights })
        .where('id', '=', leaderId)
        .where('group_id', '=', groupId)
        .execute();
    },
    async deleteLeader(groupId: string, leaderId: string) {
      await atomically(async (t) => {
        await t
          .deleteFrom('leader_links')
          .where('leader_id', '=', leaderId)
          .where('group_id', '=', groupId)
          .execute();
        await t.deleteFrom('leaders').where('id', '=', leaderId).where('group_id', '=', groupId).execute();
        await t
          .deleteFrom('meeting_seats')
          .where('group_id', '=', groupId)
          .where('person', '=', `l:${leaderId}`)
          .execute();
      });
      deleted();
    },
    async insertLeaderLink(
      groupId: string,
      leaderId: string,
      linkId: string,
      tokenHash: string,
      label: string,
      now: number,
    ) {
      await db
        .insertInto('leader_links')
        .values({
          token_hash: tokenHash,
          id: linkId,
          group_id: groupId,
          leader_id: leaderId,
          label: inGroup(groupId).text('leader_links.label', linkId, label),
          created_at: now,
        })
        .execute();
    },
    async leaderLinks(groupId: string) {
      const rows = await db
        .selectFrom('leader_links')
        .select(['id', 'leader_id', 'label', 'created_at'])
        .where('group_id', '=', groupId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const box = lazyBox(() => inGroup(groupId));
      return rows.map((r) =>
        toLeaderLink({ ...r, label: box.openText('leader_links.label', r.id, r.label) }),
      );
    },
    async deleteLeaderLink(groupId: string, linkId: string) {
      await db.deleteFrom('leader_links').where('id', '=', linkId).where('group_id', '=', groupId).execute();
      deleted();
    },
    async deleteLeaderLinks(groupId: string, leaderId: string) {
      await db
        .deleteFrom('leader_links')
        .where('leader_id', '=', leaderId)
        .where('group_id', '=', groupId)
        .execute();
      deleted();
    },
    insertMember: (m: MemberRow) =>
      atomically(async (t) => {
        await holdKeys(t, sealing);
        await t
          .insertInto('members')
          .values({
            id: m.id,
            group_id: m.groupId,
            name: sealing.member(m.id, true).text('members.name', m.groupId, m.name),
            status: m.status,
            created_at: m.createdAt,
          })
          .execute();
      }),
    async members(groupId: string): Promise<MemberRow[]> {
      const rows = await db
        .selectFrom('members')
        .selectAll()
        .where('group_id', '=', groupId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      // CONF-43: an entry whose key went under the running process is left out (and dropped at
      // the next open); the rest of the roster is served.
      return rows.flatMap((r) => {
        const box = memberBoxOrNull(sealing, r.id);
        return box ? [toMember({ ...r, name: box.openText('members.name', groupId, r.name) })] : [];
      });
    },
    async setMemberStatus(groupId: string, memberId: string, status: MemberStatus) {
      await db
        .updateTable('members')
        .set({ status })
        .where('id', '=', memberId)
        .where('group_id', '=', groupId)
        .execute();
    },
    async deleteMember(groupId: string, memberId: string) {
      await atomically(async (t) => {
        await t.deleteFrom('members').where('id', '=', memberId).where('group_id', '=', groupId).execute();
        await t
          .deleteFrom('meeting_seats')
          .where('group_id', '=', groupId)
          .where('person', '=', `m:${memberId}`)
          .execute();
      });
      deleted();
      // CONF-40: the entry's name and attendance are noise in every copy once its key is gone.
      afterCommit(() => sealing.destroy({ members: [memberId] }));
    },
    async insertDevice(groupId: string, memberId: string, deviceId: string, tokenHash: string, now: number) {
      await db
        .insertInto('member_devices')
        .values({
          token_hash: tokenHash,
          id: deviceId,
          group_id: groupId,
          member_id: memberId,
          created_at: now,
        })
        .execute();
    },
    async devicesOf(groupId: string, memberId: string): Promise<{ addedAt: number }[]> {
      const rows = await db
        .selectFrom('member_devices')
        .select('created_at')
        .where('group_id', '=', groupId)
        .where('member_id', '=', memberId)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({ addedAt: r.created_at }));
    },
    async countDevices(memberId: string): Promise<number> {
      const row = await db
        .selectFrom('member_devices')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('member_id', '=', memberId)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
    async moveDevices(groupId: string, fromMemberId: string, toMemberId: string) {
      await db
        .updateTable('member_devices')
        .set({ member_id: toMemberId })
        .where('member_id', '=', fromMemberId)
        .where('group_id', '=', groupId)
        .execute();
    },
    async deleteDevice(groupId: string, deviceId: string) {
      await db
        .deleteFrom('member_devices')
        .where('id', '=', deviceId)
        .where('group_id', '=', groupId)
        .execute();
      deleted();
    },
    async deleteMemberDevices(groupId: string, memberId: string) {
      await db
        .deleteFrom('member_devices')
        .where('member_id', '=', memberId)
        .where('group_id', '=', groupId)
        .execute();
      deleted();
    },
    /** Looks a token up by its hash only: a leader's link first, then a member's device. */
    async identify(tokenHash: string): Promise<GroupIdentity | null> {
      const link = await db
        .selectFrom('leader_links')
        .select(['id', 'group_id', 'leader_id'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (link) return { kind: 'leader', groupId: link.group_id, leaderId: link.leader_id, linkId: link.id };
      const device = await db
        .selectFrom('member_devices')
        .select(['id', 'group_id', 'member_id'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (device)
        return { kind: 'member', groupId: device.group_id, memberId: device.member_id, deviceId: device.id };
      return null;
    },
    async putMeetingSeat(groupId: string, meetingId: string, person: string, seatId: string) {
      await db
        .insertInto('meeting_seats')
        .values({ meeting_id: meetingId, person, group_id: groupId, seat_id: seatId })
        .onConflict((oc) =>
          oc.columns(['meeting_id', 'person']).doUpdateSet({ group_id: groupId, seat_id: seatId }),
        )
        .execute();
    },
    async meetingSeat(meetingId: string, person: string): Promise<string | null> {
      const row = await db
        .selectFrom('meeting_seats')
        .select('seat_id')
        .where('meeting_id', '=', meetingId)
        .where('person', '=', person)
        .executeTakeFirst();
      return row?.seat_id ?? null;
    },
    /** The meeting ended: its seat map and presence go, and the group has no current meeting. */
    async meetingEnded(meetingId: string) {
      await atomically(async (t) => {
        await t.deleteFrom('meeting_seats').where('meeting_id', '=', meetingId).execute();
        await t.deleteFrom('presence_slots').where('meeting_id', '=', meetingId).execute();
        await t
          .updateTable('groups')
          .set({ current_meeting_id: null, current_started_at: null })
          .where('current_meeting_id', '=', meetingId)
          .execute();
      });
      deleted();
    },
    async meetingSeats(meetingId: string): Promise<{ person: string; seatId: string }[]> {
      const rows = await db
        .selectFrom('meeting_seats')
        .select(['person', 'seat_id'])
        .where('meeting_id', '=', meetingId)
        .execute();
      return rows.map((r) => ({ person: r.person, seatId: r.seat_id }));
    },
    /** ATT-1: the group's meeting really began (its first phase started). Only the first time counts. */
    async markStarted(groupId: string, at: number) {
      await update()
        .set({ current_started_at: at })
        .where('id', '=', groupId)
        .where('current_started_at', 'is', null)
        .execute();
    },
    async startedAt(groupId: string): Promise<number | null> {
      const row = await db
        .selectFrom('groups')
        .select('current_started_at')
        .where('id', '=', groupId)
        .executeTakeFirst();
      return row?.current_started_at ?? null;
    },
    async markSlots(groupId: string, meetingId: string, persons: readonly string[], slot: number) {
      if (persons.length === 0) return;
      await db
        .insertInto('presence_slots')
        .values(persons.map((person) => ({ meeting_id: meetingId, person, slot, group_id: groupId })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async presence(meetingId: string): Promise<Map<string, Set<number>>> {
      const rows = await db
        .selectFrom('presence_slots')
        .select(['person', 'slot'])
        .where('meeting_id', '=', meetingId)
        .execute();
      const out = new Map<string, Set<number>>();
      for (const r of rows) {
        const set = out.get(r.person) ?? new Set<number>();
        set.add(r.slot);
        out.set(r.person, set);
      }
      return out;
    },
    async insertEvaluation(groupId: string, id: string, closedAt: number, answers: number, counts: unknown) {
      await db
        .insertInto('evaluations')
        .values({
          id,
          group_id: groupId,
          closed_at: closedAt,
          answers,
          counts: inGroup(groupId).text('evaluations.counts', id, JSON.stringify(counts)),
        })
        .execute();
    },
    async evaluations(groupId: string): Promise<EvaluationRow[]> {
      const rows = await db
        .selectFrom('evaluations')
        .select(['id', 'closed_at', 'answers', 'counts'])
        .where('group_id', '=', groupId)
        .orderBy('closed_at')
        .orderBy('id')
        .execute();
      const box = lazyBox(() => inGroup(groupId));
      return rows.map((r) => ({
        closedAt: r.closed_at,
        answers: r.answers,
        counts: JSON.parse(box.openText('evaluations.counts', r.id, r.counts)) as unknown,
      }));
    },
    async debriefs(groupId: string) {
      const rows = await db
        .selectFrom('debriefs')
        .select(['id', 'meeting_at', 'text', 'version', 'updated_at'])
        .where('group_id', '=', groupId)
        .orderBy('meeting_at', 'desc')
        .orderBy('id')
        .execute();
      const box = lazyBox(() => inGroup(groupId));
      return rows.map((r) => toDebrief({ ...r, text: box.openText('debriefs.text', r.id, r.text) }));
    },
    /** Stores the text if `base` is the stored version (0 for a new page); false if another leader saved first. */
    async putDebrief(
      groupId: string,
      id: string,
      meetingAt: number,
      text: string,
      base: number,
      now: number,
    ): Promise<boolean> {
      const stored = inGroup(groupId).text('debriefs.text', id, text);
      const result = await db
        .insertInto('debriefs')
        .values({ id, group_id: groupId, meeting_at: meetingAt, text: stored, version: 1, updated_at: now })
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => ({ text: stored, version: eb('debriefs.version', '+', 1), updated_at: now }))
            .where('debriefs.group_id', '=', groupId)
            .where('debriefs.version', '=', base),
        )
        .executeTakeFirst();
      const put = changed(result.numInsertedOrUpdatedRows);
      if (put) deleted();
      return put;
    },
    async deleteDebrief(groupId: string, id: string) {
      await db.deleteFrom('debriefs').where('id', '=', id).where('group_id', '=', groupId).execute();
      deleted();
    },
    async deleteStaleDebriefs(before: number): Promise<number> {
      const result = await db.deleteFrom('debriefs').where('updated_at', '<', before).executeTakeFirst();
      const n = Number(result.numDeletedRows);
      if (n > 0) deleted();
      return n;
    },
    async insertLabel(groupId: string, l: Omit<CaseLabelRecord, 'renewedAt'>) {
      await db
        .insertInto('case_labels')
        .values({
          id: l.id,
          group_id: groupId,
          label: inGroup(groupId).text('case_labels.label', l.id, l.label),
          case_at: l.caseAt,
          follow_up: l.followUp ? 1 : 0,
          presenter_id: l.presenterId,
          renewed_at: l.caseAt,
        })
        .execute();
    },
    async labels(groupId: string): Promise<CaseLabelRecord[]> {
      const rows = await db
        .selectFrom('case_labels')
        .select(['id', 'label', 'case_at', 'follow_up', 'presenter_id', 'renewed_at'])
        .where('group_id', '=', groupId)
        .orderBy('case_at')
        .orderBy('id')
        .execute();
      const box = lazyBox(() => inGroup(groupId));
      return rows.map((r) => toCaseLabel({ ...r, label: box.openText('case_labels.label', r.id, r.label) }));
    },
    /** FOLLOW-7: done or deleted, the label leaves the WAL within seconds as other deletions do. */
    async deleteLabel(groupId: string, id: string): Promise<boolean> {
      const result = await db
        .deleteFrom('case_labels')
        .where('id', '=', id)
        .where('group_id', '=', groupId)
        .executeTakeFirst();
      const gone = changed(result.numDeletedRows);
      if (gone) deleted();
      return gone;
    },
    async renewLabel(groupId: string, id: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('case_labels')
        .set({ renewed_at: now })
        .where('id', '=', id)
        .where('group_id', '=', groupId)
        .executeTakeFirst();
      return changed(result.numUpdatedRows);
    },
    setLabelsShared: (groupId: string, on: boolean) => setGroup(groupId, { labels_shared: on ? 1 : 0 }),
    async allGroupIds(): Promise<string[]> {
      // Oldest first: the sweeps meet the groups in one order on both databases.
      const rows = await db.selectFrom('groups').select('id').orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => r.id);
    },
    setLastMeeting: (groupId: string, at: number) => setGroup(groupId, { last_meeting_at: at }),
    async liveGroups(): Promise<GroupRow[]> {
      const rows = await db
        .selectFrom('groups')
        .selectAll()
        .where('current_meeting_id', 'is not', null)
        .execute();
      return rows.map(toGroupRow);
    },
    async insertSession(s: SessionRow, entries: readonly AttendanceRow[]) {
      await atomically(async (t) => {
        await t
          .insertInto('sessions')
          .values({
            id: s.id,
            group_id: s.groupId,
            started_at: s.startedAt,
            ended_at: s.endedAt,
            planned_minutes: s.plannedMinutes,
            mode: s.mode,
            status: s.status,
            double_sessions: s.doubleSessions,
            leader_names: inGroup(s.groupId).text(
              'sessions.leader_names',
              s.id,
              JSON.stringify(s.leaderNames),
            ),
          })
          .execute();
        await putAttendance(t, sealing, s.id, entries);
      });
    },
    async sessions(groupId: string): Promise<SessionRow[]> {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('group_id', '=', groupId)
        .orderBy('started_at')
        .orderBy('id')
        .execute();
      const box = lazyBox(() => inGroup(groupId));
      return rows.map((r) =>
        toSession({ ...r, leader_names: box.openText('sessions.leader_names', r.id, r.leader_names) }),
      );
    },
    async attendance(groupId: string): Promise<AttendanceRow[]> {
      const rows = await db
        .selectFrom('attendance as a')
        .innerJoin('sessions as s', 's.id', 'a.session_id')
        .select(['a.session_id', 'a.member_id', 'a.attended', 'a.place', 'a.record'])
        .where('s.group_id', '=', groupId)
        .execute();
      return rows.flatMap((r) => openAttendance(sealing, r));
    },
    async confirmSession(
      groupId: string,
      sessionId: string,
      doubleSessions: number,
      entries: readonly AttendanceRow[],
    ) {
      await atomically(async (t) => {
        await t
          .updateTable('sessions')
          .set({ status: 'confirmed', double_sessions: doubleSessions })
          .where('id', '=', sessionId)
          .where('group_id', '=', groupId)
          .execute();
        await putAttendance(t, sealing, sessionId, entries);
      });
      deleted();
    },
    async deleteSession(groupId: string, sessionId: string) {
      await db.deleteFrom('sessions').where('id', '=', sessionId).where('group_id', '=', groupId).execute();
      deleted();
    },
    /** ATT-3: proposals nobody confirmed go 14 days after their meeting. */
    async deleteStaleProposals(before: number): Promise<number> {
      const result = await db
        .deleteFrom('sessions')
        .where('status', '=', 'proposed')
        .where('ended_at', '<', before)
        .executeTakeFirst();
      const n = Number(result.numDeletedRows);
      if (n > 0) deleted();
      return n;
    },
  };
}

/**
 * A session's attendance lines, each replacing the member's line of the session if there is one.
 * Sealed (CONF-40), a line's `attended` and `place` are in `record` under the member's key, and the
 * clear columns hold nothing (0, null).
 */
async function putAttendance(
  db: Kysely<GroupsDb>,
  sealing: GroupSealing,
  sessionId: string,
  entries: readonly AttendanceRow[],
) {
  if (entries.length === 0) return;
  await db
    .insertInto('attendance')
    .values(
      entries.map((e) =>
        sealing.sealed
          ? {
              session_id: sessionId,
              member_id: e.memberId,
              attended: 0,
              place: null,
              record: sealing
                .member(e.memberId)
                .text(
                  'attendance.record',
                  sessionId,
                  JSON.stringify({ attended: e.attended, place: e.place }),
                ),
            }
          : { session_id: sessionId, member_id: e.memberId, attended: e.attended ? 1 : 0, place: e.place },
      ),
    )
    .onConflict((oc) =>
      oc.columns(['session_id', 'member_id']).doUpdateSet((eb) => ({
        attended: eb.ref('excluded.attended'),
        place: eb.ref('excluded.place'),
        record: eb.ref('excluded.record'),
      })),
    )
    .execute();
}

/** The line, opened; none when its member's key is missing (CONF-43: the entry is lost). */
function openAttendance(sealing: GroupSealing, r: Selectable<AttendanceDbRow>): AttendanceRow[] {
  if (r.record === null) return [toAttendance(r)];
  const box = memberBoxOrNull(sealing, r.member_id);
  if (!box) return [];
  const { attended, place } = JSON.parse(box.openText('attendance.record', r.session_id, r.record)) as Pick<
    AttendanceRow,
    'attended' | 'place'
  >;
  return [{ sessionId: r.session_id, memberId: r.member_id, attended, place }];
}

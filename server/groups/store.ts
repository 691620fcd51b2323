import type { Place } from '../../shared/group/attendance';
import type { GroupLanguage, GroupMode, LeaderRights, MemberStatus } from '../../shared/group/rules';
import type { AnonymityMode } from '../../shared/meeting/state';
import type { TemplatePhase } from '../../shared/meeting/templates';
import { silentLogger, type Logger } from '../core/logger';
import { openPrivateDatabase } from '../storage/sqlite';
import { WalScrubber } from '../storage/walScrub';
import { migrateGroups } from './migrations';
import type { CaseLabelRecord } from '../../shared/group/followUp';

/** The group file's name, beside `balint-room.sqlite` in the data folder (GROUP-1). */
export const GROUP_FILE_NAME = 'balint-groups.sqlite';

export interface GroupPlan {
  name: string;
  phases: TemplatePhase[];
}

export interface GroupRow {
  id: string;
  name: string;
  language: GroupLanguage;
  mode: GroupMode;
  anonymity: AnonymityMode;
  plan: GroupPlan;
  memberCode: string;
  recoveryHash: string | null;
  nextAt: number | null;
  currentMeetingId: string | null;
  createdAt: number;
  /** GROUP-16: when a meeting of the group last started; null until the first. */
  lastMeetingAt?: number | null;
  /** FOLLOW-4: a leader shares the case labels (never their presenters) with the members. */
  labelsShared?: boolean;
}

export interface LeaderRow {
  id: string;
  groupId: string;
  name: string;
  rights: LeaderRights;
  /** CERT-2: printed on certificates; empty until the leader enters it. */
  accreditation?: string;
}

export interface LeaderLinkRow {
  id: string;
  leaderId: string;
  label: string;
  createdAt: number;
}

export interface MemberRow {
  id: string;
  groupId: string;
  name: string;
  status: MemberStatus;
  createdAt: number;
}

export interface SessionRow {
  id: string;
  groupId: string;
  startedAt: number;
  endedAt: number;
  plannedMinutes: number;
  mode: GroupMode;
  status: 'proposed' | 'confirmed';
  doubleSessions: number;
  leaderNames: string[];
}

export interface AttendanceRow {
  sessionId: string;
  memberId: string;
  attended: boolean;
  place: Place | null;
}

export type { CaseLabelRecord } from '../../shared/group/followUp';

export interface DebriefRow {
  id: string;
  meetingAt: number;
  text: string;
  version: number;
  updatedAt: number;
}

/** Who a token is: a leader's link or a member's device, always within one group. */
export type GroupIdentity =
  | { kind: 'leader'; groupId: string; leaderId: string; linkId: string }
  | { kind: 'member'; groupId: string; memberId: string; deviceId: string };

interface GroupDbRow {
  id: string;
  name: string;
  language: string;
  mode: string;
  anonymity: string;
  plan: string;
  member_code: string;
  recovery_hash: string | null;
  next_at: number | null;
  current_meeting_id: string | null;
  created_at: number;
  last_meeting_at: number | null;
  labels_shared: number;
}

function toGroup(r: GroupDbRow): GroupRow {
  return {
    id: r.id,
    name: r.name,
    language: r.language as GroupLanguage,
    mode: r.mode as GroupMode,
    anonymity: r.anonymity as AnonymityMode,
    plan: JSON.parse(r.plan) as GroupPlan,
    memberCode: r.member_code,
    recoveryHash: r.recovery_hash,
    nextAt: r.next_at,
    currentMeetingId: r.current_meeting_id,
    createdAt: r.created_at,
    lastMeetingAt: r.last_meeting_at,
    labelsShared: r.labels_shared === 1,
  };
}

export type GroupStore = ReturnType<typeof openGroupStore>;

/**
 * The lasting records of groups, in their own SQLite file with the meetings' file rules: 0600,
 * WAL, secure delete, temporary data in memory, and the WAL truncated after deletions, so that
 * what a leader deletes (a member, a revoked link, a whole group) leaves the disk as a meeting's
 * content does.
 */
export function openGroupStore(opts: { file: string; synchronous: 'NORMAL' | 'FULL'; logger?: Logger }) {
  const db = openPrivateDatabase(opts.file, opts.synchronous);
  migrateGroups(db);
  const scrubber = new WalScrubber(db, opts.logger ?? silentLogger);
  scrubber.startup();

  const q = {
    insertGroup: db.prepare(
      `INSERT INTO groups (id, name, language, mode, anonymity, plan, member_code, recovery_hash, created_at)
       VALUES (@id, @name, @language, @mode, @anonymity, @plan, @memberCode, @recoveryHash, @createdAt)`,
    ),
    getGroup: db.prepare('SELECT * FROM groups WHERE id = ?'),
    groupByCode: db.prepare('SELECT * FROM groups WHERE member_code = ?'),
    groupByMeeting: db.prepare('SELECT * FROM groups WHERE current_meeting_id = ?'),
    updateSettings: db.prepare(
      `UPDATE groups SET name = @name, language = @language, mode = @mode, anonymity = @anonymity,
         plan = @plan WHERE id = @id`,
    ),
    setMemberCode: db.prepare('UPDATE groups SET member_code = ? WHERE id = ?'),
    setRecovery: db.prepare('UPDATE groups SET recovery_hash = ? WHERE id = ?'),
    setNextAt: db.prepare('UPDATE groups SET next_at = ? WHERE id = ?'),
    setCurrent: db.prepare(
      'UPDATE groups SET current_meeting_id = ?, current_started_at = NULL WHERE id = ?',
    ),
    deleteGroup: db.prepare('DELETE FROM groups WHERE id = ?'),
    insertLeader: db.prepare('INSERT INTO leaders (id, group_id, name, rights) VALUES (?, ?, ?, ?)'),
    leaders: db.prepare(
      'SELECT id, group_id, name, rights, accreditation FROM leaders WHERE group_id = ? ORDER BY rowid',
    ),
    setRights: db.prepare('UPDATE leaders SET rights = ? WHERE id = ? AND group_id = ?'),
    deleteLeader: db.prepare('DELETE FROM leaders WHERE id = ? AND group_id = ?'),
    setAccreditation: db.prepare('UPDATE leaders SET accreditation = ? WHERE id = ? AND group_id = ?'),
    accreditations: db.prepare('SELECT name, accreditation FROM leaders WHERE group_id = ? ORDER BY rowid'),
    insertLink: db.prepare(
      'INSERT INTO leader_links (token_hash, id, group_id, leader_id, label, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    linkByHash: db.prepare('SELECT id, group_id, leader_id FROM leader_links WHERE token_hash = ?'),
    links: db.prepare(
      'SELECT id, leader_id, label, created_at FROM leader_links WHERE group_id = ? ORDER BY created_at, id',
    ),
    deleteLink: db.prepare('DELETE FROM leader_links WHERE id = ? AND group_id = ?'),
    deleteLeaderLinks: db.prepare('DELETE FROM leader_links WHERE leader_id = ? AND group_id = ?'),
    insertMember: db.prepare(
      'INSERT INTO members (id, group_id, name, status, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    members: db.prepare(
      'SELECT id, group_id, name, status, created_at FROM members WHERE group_id = ? ORDER BY created_at, id',
    ),
    setMemberStatus: db.prepare('UPDATE members SET status = ? WHERE id = ? AND group_id = ?'),
    deleteMember: db.prepare('DELETE FROM members WHERE id = ? AND group_id = ?'),
    insertDevice: db.prepare(
      'INSERT INTO member_devices (token_hash, id, group_id, member_id, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    deviceByHash: db.prepare('SELECT id, group_id, member_id FROM member_devices WHERE token_hash = ?'),
    devicesOf: db.prepare(
      'SELECT created_at FROM member_devices WHERE group_id = ? AND member_id = ? ORDER BY created_at',
    ),
    countDevices: db.prepare('SELECT COUNT(*) FROM member_devices WHERE member_id = ?').pluck(),
    moveDevices: db.prepare('UPDATE member_devices SET member_id = ? WHERE member_id = ? AND group_id = ?'),
    deleteDevice: db.prepare('DELETE FROM member_devices WHERE id = ? AND group_id = ?'),
    deleteMemberDevices: db.prepare('DELETE FROM member_devices WHERE member_id = ? AND group_id = ?'),
    putSeat: db.prepare(
      'INSERT OR REPLACE INTO meeting_seats (meeting_id, person, group_id, seat_id) VALUES (?, ?, ?, ?)',
    ),
    getSeat: db.prepare('SELECT seat_id FROM meeting_seats WHERE meeting_id = ? AND person = ?').pluck(),
    deleteSeats: db.prepare('DELETE FROM meeting_seats WHERE meeting_id = ?'),
    deletePersonSeats: db.prepare('DELETE FROM meeting_seats WHERE group_id = ? AND person = ?'),
    seatsOf: db.prepare('SELECT person, seat_id FROM meeting_seats WHERE meeting_id = ?'),
    setStartedAt: db.prepare(
      'UPDATE groups SET current_started_at = ? WHERE id = ? AND current_started_at IS NULL',
    ),
    startedAt: db.prepare('SELECT current_started_at FROM groups WHERE id = ?').pluck(),
    markSlot: db.prepare(
      'INSERT OR IGNORE INTO presence_slots (meeting_id, person, slot, group_id) VALUES (?, ?, ?, ?)',
    ),
    slotsOf: db.prepare('SELECT person, slot FROM presence_slots WHERE meeting_id = ?'),
    deleteSlots: db.prepare('DELETE FROM presence_slots WHERE meeting_id = ?'),
    liveGroups: db.prepare('SELECT * FROM groups WHERE current_meeting_id IS NOT NULL'),
    allGroupIds: db.prepare('SELECT id FROM groups').pluck(),
    debriefs: db.prepare(
      'SELECT id, meeting_at, text, version, updated_at FROM debriefs WHERE group_id = ? ORDER BY meeting_at DESC, id',
    ),
    putDebrief: db.prepare(
      `INSERT INTO debriefs (id, group_id, meeting_at, text, version, updated_at) VALUES (@id, @groupId, @meetingAt, @text, 1, @now)
       ON CONFLICT (id) DO UPDATE SET text = @text, version = version + 1, updated_at = @now
       WHERE debriefs.group_id = @groupId AND debriefs.version = @base`,
    ),
    deleteDebrief: db.prepare('DELETE FROM debriefs WHERE id = ? AND group_id = ?'),
    staleDebriefs: db.prepare('DELETE FROM debriefs WHERE updated_at < ?'),
    insertEvaluation: db.prepare(
      'INSERT INTO evaluations (id, group_id, closed_at, answers, counts) VALUES (?, ?, ?, ?, ?)',
    ),
    evaluations: db.prepare(
      'SELECT closed_at, answers, counts FROM evaluations WHERE group_id = ? ORDER BY closed_at, id',
    ),
    insertLabel: db.prepare(
      `INSERT INTO case_labels (id, group_id, label, case_at, follow_up, presenter_id, renewed_at)
       VALUES (@id, @groupId, @label, @caseAt, @followUp, @presenterId, @caseAt)`,
    ),
    labels: db.prepare(
      'SELECT id, label, case_at, follow_up, presenter_id, renewed_at FROM case_labels WHERE group_id = ?',
    ),
    deleteLabel: db.prepare('DELETE FROM case_labels WHERE id = ? AND group_id = ?'),
    renewLabel: db.prepare('UPDATE case_labels SET renewed_at = ? WHERE id = ? AND group_id = ?'),
    setLabelsShared: db.prepare('UPDATE groups SET labels_shared = ? WHERE id = ?'),
    setLastMeeting: db.prepare('UPDATE groups SET last_meeting_at = ? WHERE id = ?'),
    insertSession: db.prepare(
      `INSERT INTO sessions (id, group_id, started_at, ended_at, planned_minutes, mode, status, double_sessions, leader_names)
       VALUES (@id, @groupId, @startedAt, @endedAt, @plannedMinutes, @mode, @status, @doubleSessions, @leaderNames)`,
    ),
    sessions: db.prepare('SELECT * FROM sessions WHERE group_id = ? ORDER BY started_at, id'),
    confirmSession: db.prepare(
      "UPDATE sessions SET status = 'confirmed', double_sessions = ? WHERE id = ? AND group_id = ?",
    ),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ? AND group_id = ?'),
    staleProposals: db.prepare("DELETE FROM sessions WHERE status = 'proposed' AND ended_at < ?"),
    putAttendance: db.prepare(
      'INSERT OR REPLACE INTO attendance (session_id, member_id, attended, place) VALUES (?, ?, ?, ?)',
    ),
    attendanceOf: db.prepare(
      `SELECT a.session_id, a.member_id, a.attended, a.place FROM attendance a
       JOIN sessions s ON s.id = a.session_id WHERE s.group_id = ?`,
    ),
  };

  /** A write that removes or replaces content: its old pages leave the WAL within seconds. */
  const deleted = () => scrubber.soon();

  return {
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    insertGroup(g: GroupRow) {
      q.insertGroup.run({ ...g, plan: JSON.stringify(g.plan) });
    },
    getGroup(id: string): GroupRow | null {
      const r = q.getGroup.get(id) as GroupDbRow | undefined;
      return r ? toGroup(r) : null;
    },
    groupByMemberCode(code: string): GroupRow | null {
      const r = q.groupByCode.get(code) as GroupDbRow | undefined;
      return r ? toGroup(r) : null;
    },
    groupByMeeting(meetingId: string): GroupRow | null {
      const r = q.groupByMeeting.get(meetingId) as GroupDbRow | undefined;
      return r ? toGroup(r) : null;
    },
    updateSettings(g: Pick<GroupRow, 'id' | 'name' | 'language' | 'mode' | 'anonymity' | 'plan'>) {
      q.updateSettings.run({ ...g, plan: JSON.stringify(g.plan) });
      deleted();
    },
    setMemberCode(groupId: string, code: string) {
      q.setMemberCode.run(code, groupId);
      deleted();
    },
    setRecoveryHash(groupId: string, hash: string | null) {
      q.setRecovery.run(hash, groupId);
      deleted();
    },
    setNextAt(groupId: string, at: number | null) {
      q.setNextAt.run(at, groupId);
    },
    setCurrentMeeting(groupId: string, meetingId: string | null) {
      q.setCurrent.run(meetingId, groupId);
    },
    /** Everything of the group goes with it (foreign keys cascade), then the WAL at once. */
    deleteGroup(groupId: string, whenScrubbed?: () => void) {
      q.deleteGroup.run(groupId);
      scrubber.now(whenScrubbed);
    },
    insertLeader(l: LeaderRow) {
      q.insertLeader.run(l.id, l.groupId, l.name, l.rights);
    },
    leaders(groupId: string): LeaderRow[] {
      return (
        q.leaders.all(groupId) as {
          id: string;
          group_id: string;
          name: string;
          rights: string;
          accreditation: string;
        }[]
      ).map((r) => ({
        id: r.id,
        groupId: r.group_id,
        name: r.name,
        rights: r.rights as LeaderRights,
        accreditation: r.accreditation,
      }));
    },
    setAccreditation(groupId: string, leaderId: string, text: string) {
      q.setAccreditation.run(text, leaderId, groupId);
      deleted();
    },
    accreditations(groupId: string): { name: string; accreditation: string }[] {
      return q.accreditations.all(groupId) as { name: string; accreditation: string }[];
    },
    setRights(groupId: string, leaderId: string, rights: LeaderRights) {
      q.setRights.run(rights, leaderId, groupId);
    },
    deleteLeader(groupId: string, leaderId: string) {
      q.deleteLeaderLinks.run(leaderId, groupId);
      q.deleteLeader.run(leaderId, groupId);
      q.deletePersonSeats.run(groupId, `l:${leaderId}`);
      deleted();
    },
    insertLeaderLink(
      groupId: string,
      leaderId: string,
      linkId: string,
      tokenHash: string,
      label: string,
      now: number,
    ) {
      q.insertLink.run(tokenHash, linkId, groupId, leaderId, label, now);
    },
    leaderLinks(groupId: string): LeaderLinkRow[] {
      return (
        q.links.all(groupId) as { id: string; leader_id: string; label: string; created_at: number }[]
      ).map((r) => ({ id: r.id, leaderId: r.leader_id, label: r.label, createdAt: r.created_at }));
    },
    deleteLeaderLink(groupId: string, linkId: string) {
      q.deleteLink.run(linkId, groupId);
      deleted();
    },
    deleteLeaderLinks(groupId: string, leaderId: string) {
      q.deleteLeaderLinks.run(leaderId, groupId);
      deleted();
    },
    insertMember(m: MemberRow) {
      q.insertMember.run(m.id, m.groupId, m.name, m.status, m.createdAt);
    },
    members(groupId: string): MemberRow[] {
      return (
        q.members.all(groupId) as {
          id: string;
          group_id: string;
          name: string;
          status: string;
          created_at: number;
        }[]
      ).map((r) => ({
        id: r.id,
        groupId: r.group_id,
        name: r.name,
        status: r.status as MemberStatus,
        createdAt: r.created_at,
      }));
    },
    setMemberStatus(groupId: string, memberId: string, status: MemberStatus) {
      q.setMemberStatus.run(status, memberId, groupId);
    },
    deleteMember(groupId: string, memberId: string) {
      q.deleteMember.run(memberId, groupId);
      q.deletePersonSeats.run(groupId, `m:${memberId}`);
      deleted();
    },
    insertDevice(groupId: string, memberId: string, deviceId: string, tokenHash: string, now: number) {
      q.insertDevice.run(tokenHash, deviceId, groupId, memberId, now);
    },
    devicesOf(groupId: string, memberId: string): { addedAt: number }[] {
      return (q.devicesOf.all(groupId, memberId) as { created_at: number }[]).map((r) => ({
        addedAt: r.created_at,
      }));
    },
    countDevices(memberId: string): number {
      return q.countDevices.get(memberId) as number;
    },
    moveDevices(groupId: string, fromMemberId: string, toMemberId: string) {
      q.moveDevices.run(toMemberId, fromMemberId, groupId);
    },
    deleteDevice(groupId: string, deviceId: string) {
      q.deleteDevice.run(deviceId, groupId);
      deleted();
    },
    deleteMemberDevices(groupId: string, memberId: string) {
      q.deleteMemberDevices.run(memberId, groupId);
      deleted();
    },
    /** Looks a token up by its hash only: a leader's link first, then a member's device. */
    identify(tokenHash: string): GroupIdentity | null {
      const link = q.linkByHash.get(tokenHash) as
        { id: string; group_id: string; leader_id: string } | undefined;
      if (link) return { kind: 'leader', groupId: link.group_id, leaderId: link.leader_id, linkId: link.id };
      const device = q.deviceByHash.get(tokenHash) as
        { id: string; group_id: string; member_id: string } | undefined;
      if (device)
        return { kind: 'member', groupId: device.group_id, memberId: device.member_id, deviceId: device.id };
      return null;
    },
    putMeetingSeat(groupId: string, meetingId: string, person: string, seatId: string) {
      q.putSeat.run(meetingId, person, groupId, seatId);
    },
    meetingSeat(meetingId: string, person: string): string | null {
      return (q.getSeat.get(meetingId, person) as string | undefined) ?? null;
    },
    /** The meeting ended: its seat map and presence go, and the group has no current meeting. */
    meetingEnded(meetingId: string) {
      db.transaction(() => {
        q.deleteSeats.run(meetingId);
        q.deleteSlots.run(meetingId);
        const g = q.groupByMeeting.get(meetingId) as GroupDbRow | undefined;
        if (g) q.setCurrent.run(null, g.id);
      })();
      deleted();
    },
    meetingSeats(meetingId: string): { person: string; seatId: string }[] {
      return (q.seatsOf.all(meetingId) as { person: string; seat_id: string }[]).map((r) => ({
        person: r.person,
        seatId: r.seat_id,
      }));
    },
    /** ATT-1: the group's meeting really began (its first phase started). Only the first time counts. */
    markStarted(groupId: string, at: number) {
      q.setStartedAt.run(at, groupId);
    },
    startedAt(groupId: string): number | null {
      return (q.startedAt.get(groupId) as number | null | undefined) ?? null;
    },
    markSlots(groupId: string, meetingId: string, persons: readonly string[], slot: number) {
      db.transaction(() => {
        for (const p of persons) q.markSlot.run(meetingId, p, slot, groupId);
      })();
    },
    presence(meetingId: string): Map<string, Set<number>> {
      const out = new Map<string, Set<number>>();
      for (const r of q.slotsOf.all(meetingId) as { person: string; slot: number }[]) {
        const set = out.get(r.person) ?? new Set<number>();
        set.add(r.slot);
        out.set(r.person, set);
      }
      return out;
    },
    insertEvaluation(groupId: string, id: string, closedAt: number, answers: number, counts: unknown) {
      q.insertEvaluation.run(id, groupId, closedAt, answers, JSON.stringify(counts));
    },
    evaluations(groupId: string): { closedAt: number; answers: number; counts: unknown }[] {
      return (q.evaluations.all(groupId) as { closed_at: number; answers: number; counts: string }[]).map(
        (r) => ({
          closedAt: r.closed_at,
          answers: r.answers,
          counts: JSON.parse(r.counts) as unknown,
        }),
      );
    },
    debriefs(groupId: string): DebriefRow[] {
      return (
        q.debriefs.all(groupId) as {
          id: string;
          meeting_at: number;
          text: string;
          version: number;
          updated_at: number;
        }[]
      ).map((r) => ({
        id: r.id,
        meetingAt: r.meeting_at,
        text: r.text,
        version: r.version,
        updatedAt: r.updated_at,
      }));
    },
    /** Stores the text if `base` is the stored version (0 for a new page); false if another leader saved first. */
    putDebrief(
      groupId: string,
      id: string,
      meetingAt: number,
      text: string,
      base: number,
      now: number,
    ): boolean {
      const changed = q.putDebrief.run({ id, groupId, meetingAt, text, base, now }).changes > 0;
      if (changed) deleted();
      return changed;
    },
    deleteDebrief(groupId: string, id: string) {
      q.deleteDebrief.run(id, groupId);
      deleted();
    },
    deleteStaleDebriefs(before: number): number {
      const n = q.staleDebriefs.run(before).changes;
      if (n > 0) deleted();
      return n;
    },
    insertLabel(groupId: string, l: Omit<CaseLabelRecord, 'renewedAt'>) {
      q.insertLabel.run({ ...l, groupId, followUp: l.followUp ? 1 : 0 });
    },
    labels(groupId: string): CaseLabelRecord[] {
      return (
        q.labels.all(groupId) as {
          id: string;
          label: string;
          case_at: number;
          follow_up: number;
          presenter_id: string | null;
          renewed_at: number;
        }[]
      ).map((r) => ({
        id: r.id,
        label: r.label,
        caseAt: r.case_at,
        followUp: r.follow_up === 1,
        presenterId: r.presenter_id,
        renewedAt: r.renewed_at,
      }));
    },
    /** FOLLOW-7: done or deleted, the label leaves the WAL within seconds as other deletions do. */
    deleteLabel(groupId: string, id: string): boolean {
      const n = q.deleteLabel.run(id, groupId).changes;
      if (n > 0) deleted();
      return n > 0;
    },
    renewLabel(groupId: string, id: string, now: number): boolean {
      return q.renewLabel.run(now, id, groupId).changes > 0;
    },
    setLabelsShared(groupId: string, on: boolean) {
      q.setLabelsShared.run(on ? 1 : 0, groupId);
    },
    allGroupIds(): string[] {
      return q.allGroupIds.all() as string[];
    },
    setLastMeeting(groupId: string, at: number) {
      q.setLastMeeting.run(at, groupId);
    },
    liveGroups(): GroupRow[] {
      return (q.liveGroups.all() as GroupDbRow[]).map(toGroup);
    },
    insertSession(s: SessionRow, entries: readonly AttendanceRow[]) {
      db.transaction(() => {
        q.insertSession.run({ ...s, leaderNames: JSON.stringify(s.leaderNames) });
        for (const e of entries) q.putAttendance.run(s.id, e.memberId, e.attended ? 1 : 0, e.place);
      })();
    },
    sessions(groupId: string): SessionRow[] {
      return (q.sessions.all(groupId) as Record<string, unknown>[]).map((r) => ({
        id: r.id as string,
        groupId: r.group_id as string,
        startedAt: r.started_at as number,
        endedAt: r.ended_at as number,
        plannedMinutes: r.planned_minutes as number,
        mode: r.mode as GroupMode,
        status: r.status as SessionRow['status'],
        doubleSessions: r.double_sessions as number,
        leaderNames: JSON.parse(r.leader_names as string) as string[],
      }));
    },
    attendance(groupId: string): AttendanceRow[] {
      return (
        q.attendanceOf.all(groupId) as {
          session_id: string;
          member_id: string;
          attended: number;
          place: string | null;
        }[]
      ).map((r) => ({
        sessionId: r.session_id,
        memberId: r.member_id,
        attended: r.attended === 1,
        place: r.place as Place | null,
      }));
    },
    confirmSession(
      groupId: string,
      sessionId: string,
      doubleSessions: number,
      entries: readonly AttendanceRow[],
    ) {
      db.transaction(() => {
        q.confirmSession.run(doubleSessions, sessionId, groupId);
        for (const e of entries) q.putAttendance.run(sessionId, e.memberId, e.attended ? 1 : 0, e.place);
      })();
      deleted();
    },
    deleteSession(groupId: string, sessionId: string) {
      q.deleteSession.run(sessionId, groupId);
      deleted();
    },
    /** ATT-3: proposals nobody confirmed go 14 days after their meeting. */
    deleteStaleProposals(before: number): number {
      const n = q.staleProposals.run(before).changes;
      if (n > 0) deleted();
      return n;
    },
    close() {
      scrubber.close();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

import {
  attendanceTotals,
  confirmationProblem,
  countedDoubleSessions,
  defaultDoubleSessions,
  PRESENCE_SLOT_MS,
  PROPOSAL_KEPT_MS,
  proposeAttendance,
  slotOf,
  type Place,
} from '../../shared/group/attendance';
import { fail, ok, ERROR_CODES as E, type Result } from '../../shared/errors';
import type { CertificateData } from '../../shared/group/certificate';
import { groupModeOf, type GroupLanguage, type GroupMode } from '../../shared/group/rules';
import type { GroupSessionView, MemberRecordView } from '../../shared/group/views';
import type { MeetingState } from '../../shared/meeting/state';
import type { Clock, TimerHandle } from '../core/clock';
import type { MeetingHub } from '../core/hub';
import type { Logger } from '../core/logger';
import { newId } from '../security/tokens';
import type { GroupRow, GroupStore } from './store';

export interface AttendanceDeps {
  store: GroupStore;
  hub: MeetingHub;
  clock: Clock;
  logger: Logger;
}

/**
 * Attendance (SPEC.md ATT-n). While a group's meeting lives, every person with a connection is
 * marked in the current 5-minute slot (stored at once, so a SIGKILL loses nothing); just before the
 * meeting is purged, the slots become a proposal kept with the group, and the slots are deleted
 * with the meeting. No case content, no presenter, no note is part of it.
 */
export class GroupAttendance {
  private timer: TimerHandle | null = null;

  constructor(private deps: AttendanceDeps) {
    const { hub } = deps;
    hub.onSeatConnected((meetingId, seatId) => this.markSeats(meetingId, [seatId]));
    hub.onEffects((meetingId, effects, state) => {
      // The start is a phase entered; other commands need no look-up of the group.
      if (state.status !== 'running' || !effects.some((e) => e.type === 'phase-entered')) return;
      const g = deps.store.groupByMeeting(meetingId);
      if (g) deps.store.markStarted(g.id, deps.clock.now());
    });
    hub.onEnding((state) => {
      const g = deps.store.groupByMeeting(state.id);
      if (!g) return;
      // The format the meeting had at its end (issue 12: recorded with attendance).
      const mode = state.spoken ? groupModeOf(state.spoken.format) : g.mode;
      this.propose(g, state.id, state.endedAt ?? deps.clock.now(), plannedMinutes(state.phases), mode);
    });
    this.sweep();
    if (deps.store.liveGroups().length > 0) this.arm();
  }

  /** Arms the slot timer when a group meeting starts (it rests while no group meets). */
  ensureArmed(): void {
    if (!this.timer) this.arm();
  }

  /** Marks the current slot for every connected seat of every live group meeting, each slot. */
  private arm(): void {
    const next = (slotOf(this.deps.clock.now()) + 1) * PRESENCE_SLOT_MS;
    this.timer = this.deps.clock.setTimer(next, () => {
      try {
        for (const g of this.deps.store.liveGroups()) {
          const meetingId = g.currentMeetingId as string;
          this.markSeats(meetingId, this.deps.hub.connectedSeats(meetingId));
        }
        this.sweep();
      } catch (error) {
        this.deps.logger.error('group.presence_failed', {
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
      // It rests while no group meets; a meeting's start arms it again (ensureArmed).
      this.timer = null;
      if (this.deps.store.liveGroups().length > 0) this.arm();
    });
  }

  stop(): void {
    this.timer?.cancel();
  }

  private markSeats(meetingId: string, seatIds: readonly string[]): void {
    const { store, clock } = this.deps;
    if (seatIds.length === 0) return;
    const g = store.groupByMeeting(meetingId);
    if (!g) return;
    const wanted = new Set(seatIds);
    // Guests (the join code) have no entry in the seat map: they are not on the roster.
    const persons = store
      .meetingSeats(meetingId)
      .filter((s) => wanted.has(s.seatId))
      .map((s) => s.person);
    store.markSlots(g.id, meetingId, persons, slotOf(clock.now()));
  }

  /**
   * ATT-2: the proposal, kept unconfirmed. A meeting that never began (no phase ran) leaves none.
   * Called before the purge, or later for a meeting that vanished in a crash (then the end is
   * the end of its last slot with anyone present).
   */
  propose(
    g: GroupRow,
    meetingId: string,
    endedAt: number | null,
    planned: number,
    mode: GroupMode = g.mode,
  ): void {
    const { store } = this.deps;
    const startedAt = store.startedAt(g.id);
    if (startedAt === null) return;
    const presence = store.presence(meetingId);
    const lastSlot = Math.max(slotOf(startedAt), ...[...presence.values()].flatMap((s) => [...s]));
    const end = endedAt ?? (lastSlot + 1) * PRESENCE_SLOT_MS;
    const members = store.members(g.id).filter((m) => m.status === 'admitted');
    const byMember = new Map<string, Set<number>>();
    for (const [person, slots] of presence) if (person.startsWith('m:')) byMember.set(person.slice(2), slots);
    const proposal = proposeAttendance({
      memberIds: members.map((m) => m.id),
      presence: byMember,
      startedAt,
      endedAt: end,
      mode,
    });
    const leaders = store.leaders(g.id).filter((l) => presence.has(`l:${l.id}`));
    const sessionId = newId();
    store.insertSession(
      {
        id: sessionId,
        groupId: g.id,
        startedAt,
        endedAt: end,
        plannedMinutes: planned,
        mode,
        status: 'proposed',
        doubleSessions: defaultDoubleSessions(planned),
        leaderNames: leaders.map((l) => l.name),
      },
      proposal.map((p) => ({ sessionId, ...p })),
    );
    this.deps.logger.info('group.attendance_proposed', { groupId: g.id, sessionId });
  }

  /** ATT-3: proposals nobody confirmed within 14 days of their meeting are deleted. */
  sweep(): void {
    const n = this.deps.store.deleteStaleProposals(this.deps.clock.now() - PROPOSAL_KEPT_MS);
    if (n > 0) this.deps.logger.info('group.proposals_expired', { sessions: n });
  }

  sessions(groupId: string): GroupSessionView[] {
    const { store } = this.deps;
    this.sweep();
    const names = new Map(store.members(groupId).map((m) => [m.id, m.name]));
    const rows = store.attendance(groupId);
    return store.sessions(groupId).map((s) => ({
      id: s.id,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      plannedMinutes: s.plannedMinutes,
      mode: s.mode,
      status: s.status,
      doubleSessions: s.doubleSessions,
      leaderNames: s.leaderNames,
      attendance: rows
        .filter((r) => r.sessionId === s.id && names.has(r.memberId))
        .map((r) => ({
          memberId: r.memberId,
          name: names.get(r.memberId) ?? '',
          attended: r.attended,
          place: r.place,
        })),
    }));
  }

  /** ATT-4: leaders correct and confirm; only then does a session count. */
  confirm(
    groupId: string,
    sessionId: string,
    doubleSessions: number,
    entries: readonly { memberId: string; attended: boolean; place: Place | null }[],
  ): Result {
    const { store } = this.deps;
    const session = store.sessions(groupId).find((s) => s.id === sessionId);
    if (!session) return fail(E.NOT_FOUND, 'no such session');
    const roster = new Set(
      store
        .members(groupId)
        .filter((m) => m.status === 'admitted')
        .map((m) => m.id),
    );
    if (entries.some((e) => !roster.has(e.memberId)))
      return fail(E.BAD_REQUEST, 'attendance: not on the roster');
    const fixed = entries.map((e) => ({
      memberId: e.memberId,
      attended: e.attended,
      place: !e.attended
        ? null
        : session.mode === 'hybrid'
          ? e.place
          : session.mode === 'online'
            ? 'remote'
            : 'room',
    })) satisfies { memberId: string; attended: boolean; place: Place | null }[];
    const problem = confirmationProblem(session.mode, doubleSessions, fixed);
    if (problem)
      return fail(
        E.BAD_REQUEST,
        problem === 'place-missing' ? 'place: missing' : 'doubleSessions: out of range',
      );
    store.confirmSession(
      groupId,
      sessionId,
      doubleSessions,
      fixed.map((e) => ({ sessionId, ...e })),
    );
    return ok(undefined);
  }

  deleteSession(groupId: string, sessionId: string): Result {
    if (!this.deps.store.sessions(groupId).some((s) => s.id === sessionId))
      return fail(E.NOT_FOUND, 'no such session');
    this.deps.store.deleteSession(groupId, sessionId);
    return ok(undefined);
  }

  /** CERT-1: the certificate of one member for a period, from confirmed sessions only. */
  certificate(
    g: GroupRow,
    memberId: string,
    name: string,
    opts: { from: number; to: number; place: string; timeZone: string; lang: GroupLanguage },
  ): CertificateData {
    const record = this.memberRecord(g, memberId, name, opts);
    const attended = record.sessions.filter((s) => s.attended);
    const led = new Set(attended.flatMap((s) => s.leaderNames));
    // With no period asked for, the certificate covers the member's sessions, first to last.
    const from = opts.from > 0 ? opts.from : Math.min(opts.to, ...attended.map((s) => s.startedAt));
    return {
      lang: opts.lang,
      timeZone: opts.timeZone,
      memberName: name,
      groupName: g.name,
      from,
      to: opts.to,
      sessions: attended.map(({ startedAt, endedAt, mode, place, counted, leaderNames }) => ({
        startedAt,
        endedAt,
        mode,
        place,
        counted,
        leaderNames,
      })),
      totals: record.totals,
      leaders: this.deps.store.accreditations(g.id).filter((l) => led.has(l.name)),
      place: opts.place,
      issuedAt: this.deps.clock.now(),
    };
  }

  /** ATT-6: a member's own record: confirmed sessions, and totals that say what they count. */
  memberRecord(
    g: GroupRow,
    memberId: string,
    name: string,
    period: { from: number; to: number } = { from: 0, to: Number.MAX_SAFE_INTEGER },
  ): MemberRecordView {
    const { store } = this.deps;
    const mine = new Map(
      store
        .attendance(g.id)
        .filter((r) => r.memberId === memberId)
        .map((r) => [r.sessionId, r]),
    );
    const sessions = store
      .sessions(g.id)
      .filter((s) => s.status === 'confirmed' && mine.has(s.id))
      .filter((s) => s.startedAt >= period.from && s.startedAt <= period.to)
      .map((s) => {
        const a = mine.get(s.id);
        const attended = a?.attended ?? false;
        const place = a?.place ?? null;
        return {
          id: s.id,
          startedAt: s.startedAt,
          endedAt: s.endedAt,
          mode: s.mode,
          place,
          attended,
          counted: attended ? countedDoubleSessions(s.doubleSessions, s.mode, place) : 0,
          leaderNames: s.leaderNames,
          doubleSessions: s.doubleSessions,
        };
      });
    return {
      name,
      groupName: g.name,
      sessions: sessions.map(({ doubleSessions: _d, ...rest }) => rest),
      totals: attendanceTotals(sessions),
    };
  }
}

function plannedMinutes(phases: MeetingState['phases']): number {
  return Math.round(phases.reduce((sum, p) => sum + p.plannedMs, 0) / 60_000);
}

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
import type { GroupRow } from './rows';
import type { Serial } from './serial';
import type { GroupStore } from './store';

export interface AttendanceDeps {
  store: GroupStore;
  hub: MeetingHub;
  clock: Clock;
  logger: Logger;
  /** The group's work per meeting, in the order the hub reported it (serial.ts). */
  meetingTasks: Serial;
}

/**
 * Attendance (SPEC.md ATT-n). While a group's meeting lives, every person with a connection is
 * marked in the current 5-minute slot (stored at once, so a SIGKILL loses nothing); just before the
 * meeting is purged, the slots become a proposal kept with the group, and the slots are deleted
 * with the meeting. No case content, no presenter, no note is part of it.
 */
export class GroupAttendance {
  private timer: TimerHandle | null = null;
  /**
   * The group meetings this process knows to be live, kept in memory so that the slot timer knows
   * at once, without asking the store, whether it rests (as the meeting ends, not a slot later).
   */
  private live = new Set<string>();

  constructor(private deps: AttendanceDeps) {
    const { hub, clock, meetingTasks } = deps;
    hub.onPurge((meetingId) => {
      this.live.delete(meetingId);
    });
    // What an event says is read when the hub reports it (the time, the slot, the ending state,
    // which the hub does not let listeners keep); the store is written in the meeting's order.
    hub.onSeatConnected((meetingId, seatId) => {
      const slot = slotOf(clock.now());
      void meetingTasks.listen(meetingId, 'seat-connected', () => this.markSeats(meetingId, [seatId], slot));
    });
    hub.onEffects((meetingId, effects, state) => {
      // The start is a phase entered; other commands need no look-up of the group.
      if (!state.inGroup || state.status !== 'running' || !effects.some((e) => e.type === 'phase-entered'))
        return;
      const at = clock.now();
      void meetingTasks.listen(meetingId, 'phase-entered', async () => {
        const g = await deps.store.groupByMeeting(meetingId);
        if (g) await deps.store.markStarted(g.id, at);
      });
    });
    hub.onEnding((state) => {
      const ending = {
        meetingId: state.id,
        endedAt: state.endedAt ?? clock.now(),
        planned: plannedMinutes(state.phases),
        // The format the meeting had at its end (issue 12: recorded with attendance).
        format: state.spoken ? groupModeOf(state.spoken.format) : null,
      };
      return meetingTasks.listen(ending.meetingId, 'ending', async () => {
        const g = await deps.store.groupByMeeting(ending.meetingId);
        if (g)
          await this.propose(g, ending.meetingId, ending.endedAt, ending.planned, ending.format ?? g.mode);
      });
    });
  }

  /** At start-up: stale proposals go, and the slot timer runs if a group meets. */
  async start(): Promise<void> {
    await this.sweep(this.deps.clock.now());
    for (const g of await this.deps.store.liveGroups()) this.meetingStarted(g.currentMeetingId as string);
  }

  /** Arms the slot timer when a group meeting starts (it rests while no group meets). */
  meetingStarted(meetingId: string): void {
    this.live.add(meetingId);
    if (!this.timer) this.arm();
  }

  /** A meeting that vanished in a crash was let go (service.ts). */
  meetingGone(meetingId: string): void {
    this.live.delete(meetingId);
  }

  /** Marks the current slot for every connected seat of every live group meeting, each slot. */
  private arm(): void {
    const { clock, logger } = this.deps;
    const next = (slotOf(clock.now()) + 1) * PRESENCE_SLOT_MS;
    this.timer = clock.setTimer(next, () => {
      const now = clock.now();
      // The next slot is armed at once, not after the store answered: a slot's work never delays
      // the next one (a test's clock passes several slots in one step). It rests while no group
      // meets; a meeting's start arms it again.
      this.timer = null;
      if (this.live.size > 0) this.arm();
      this.markSlot(now).catch((error: unknown) =>
        logger.error('group.presence_failed', { error: error instanceof Error ? error.name : 'unknown' }),
      );
    });
  }

  /** Marks the slot of `now` for every connected seat of every live group meeting. */
  private async markSlot(now: number): Promise<void> {
    const { store, hub, meetingTasks } = this.deps;
    const live = await store.liveGroups();
    const slot = slotOf(now);
    for (const g of live) {
      const meetingId = g.currentMeetingId as string;
      const seats = hub.connectedSeats(meetingId);
      await meetingTasks.run(meetingId, () => this.markSeats(meetingId, seats, slot));
    }
    await this.sweep(now);
  }

  stop(): void {
    this.timer?.cancel();
  }

  private async markSeats(meetingId: string, seatIds: readonly string[], slot: number): Promise<void> {
    const { store } = this.deps;
    if (seatIds.length === 0) return;
    const g = await store.groupByMeeting(meetingId);
    if (!g) return;
    const wanted = new Set(seatIds);
    // Guests (the join code) have no entry in the seat map: they are not on the roster.
    const persons = (await store.meetingSeats(meetingId))
      .filter((s) => wanted.has(s.seatId))
      .map((s) => s.person);
    await store.markSlots(g.id, meetingId, persons, slot);
  }

  /**
   * ATT-2: the proposal, kept unconfirmed. A meeting that never began (no phase ran) leaves none.
   * Called before the purge, or later for a meeting that vanished in a crash (then the end is
   * the end of its last slot with anyone present).
   */
  async propose(
    g: GroupRow,
    meetingId: string,
    endedAt: number | null,
    planned: number,
    mode: GroupMode = g.mode,
  ): Promise<void> {
    const { store } = this.deps;
    const startedAt = await store.startedAt(g.id);
    if (startedAt === null) return;
    const presence = await store.presence(meetingId);
    const lastSlot = Math.max(slotOf(startedAt), ...[...presence.values()].flatMap((s) => [...s]));
    const end = endedAt ?? (lastSlot + 1) * PRESENCE_SLOT_MS;
    const members = (await store.members(g.id)).filter((m) => m.status === 'admitted');
    const byMember = new Map<string, Set<number>>();
    for (const [person, slots] of presence) if (person.startsWith('m:')) byMember.set(person.slice(2), slots);
    const proposal = proposeAttendance({
      memberIds: members.map((m) => m.id),
      presence: byMember,
      startedAt,
      endedAt: end,
      mode,
    });
    const leaders = (await store.leaders(g.id)).filter((l) => presence.has(`l:${l.id}`));
    const sessionId = newId();
    await store.insertSession(
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
  async sweep(now: number): Promise<void> {
    const n = await this.deps.store.deleteStaleProposals(now - PROPOSAL_KEPT_MS);
    if (n > 0) this.deps.logger.info('group.proposals_expired', { sessions: n });
  }

  async sessions(groupId: string): Promise<GroupSessionView[]> {
    const { store } = this.deps;
    await this.sweep(this.deps.clock.now());
    const names = new Map((await store.members(groupId)).map((m) => [m.id, m.name]));
    const rows = await store.attendance(groupId);
    return (await store.sessions(groupId)).map((s) => ({
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
  async confirm(
    groupId: string,
    sessionId: string,
    doubleSessions: number,
    entries: readonly { memberId: string; attended: boolean; place: Place | null }[],
  ): Promise<Result> {
    const { store } = this.deps;
    const session = (await store.sessions(groupId)).find((s) => s.id === sessionId);
    if (!session) return fail(E.NOT_FOUND, 'no such session');
    const roster = new Set(
      (await store.members(groupId)).filter((m) => m.status === 'admitted').map((m) => m.id),
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
    await store.confirmSession(
      groupId,
      sessionId,
      doubleSessions,
      fixed.map((e) => ({ sessionId, ...e })),
    );
    return ok(undefined);
  }

  async deleteSession(groupId: string, sessionId: string): Promise<Result> {
    if (!(await this.deps.store.sessions(groupId)).some((s) => s.id === sessionId))
      return fail(E.NOT_FOUND, 'no such session');
    await this.deps.store.deleteSession(groupId, sessionId);
    return ok(undefined);
  }

  /** CERT-1: the certificate of one member for a period, from confirmed sessions only. */
  async certificate(
    g: GroupRow,
    memberId: string,
    name: string,
    opts: { from: number; to: number; place: string; timeZone: string; lang: GroupLanguage },
  ): Promise<CertificateData> {
    const record = await this.memberRecord(g, memberId, name, opts);
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
      leaders: (await this.deps.store.accreditations(g.id)).filter((l) => led.has(l.name)),
      place: opts.place,
      issuedAt: this.deps.clock.now(),
    };
  }

  /** ATT-6: a member's own record: confirmed sessions, and totals that say what they count. */
  async memberRecord(
    g: GroupRow,
    memberId: string,
    name: string,
    period: { from: number; to: number } = { from: 0, to: Number.MAX_SAFE_INTEGER },
  ): Promise<MemberRecordView> {
    const { store } = this.deps;
    const mine = new Map(
      (await store.attendance(g.id)).filter((r) => r.memberId === memberId).map((r) => [r.sessionId, r]),
    );
    const sessions = (await store.sessions(g.id))
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

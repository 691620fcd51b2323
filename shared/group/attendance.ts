import type { GroupMode } from './rules';

/**
 * Attendance from presence (SPEC.md ATT-n): the server keeps, per person, the 5-minute slots in
 * which they had a connection to the group's meeting, and proposes who attended from them. Pure:
 * the slots and times come in, the proposal goes out.
 */

/** ATT-1: presence is kept at this grain, never finer (no connection times). */
export const PRESENCE_SLOT_MS = 5 * 60_000;
/** ATT-3: an unconfirmed proposal is deleted this long after the meeting ended. */
export const PROPOSAL_KEPT_MS = 14 * 24 * 60 * 60_000;
/** ATT-5: a double session (Doppelstunde) is 90 planned minutes. */
export const DOUBLE_SESSION_MINUTES = 90;
/** ATT-5: what a leader may confirm for one session. */
export const MAX_DOUBLE_SESSIONS = 4;

export type Place = 'room' | 'remote';

export function slotOf(t: number): number {
  return Math.floor(t / PRESENCE_SLOT_MS);
}

/** The slots a meeting spans, from its real start to its end (at least one). */
export function meetingSlots(startedAt: number, endedAt: number): number[] {
  const first = slotOf(startedAt);
  const last = Math.max(first, slotOf(Math.max(startedAt, endedAt - 1)));
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

export interface ProposedEntry {
  memberId: string;
  attended: boolean;
  /** Null where the leaders say it (a hybrid meeting), or for someone who did not attend. */
  place: Place | null;
}

/**
 * ATT-2: a member attended when they were present in at least half of the meeting's slots
 * (a member who dropped out and came back counts each slot once). In-room meetings place
 * everyone in the room, online ones remote; a hybrid meeting leaves the place to the leaders.
 * Members without a device are not present: the leaders tick them by hand.
 */
export function proposeAttendance(input: {
  memberIds: readonly string[];
  presence: ReadonlyMap<string, ReadonlySet<number>>;
  startedAt: number;
  endedAt: number;
  mode: GroupMode;
}): ProposedEntry[] {
  const slots = meetingSlots(input.startedAt, input.endedAt);
  const needed = Math.ceil(slots.length / 2);
  const place: Place | null = input.mode === 'in-room' ? 'room' : input.mode === 'online' ? 'remote' : null;
  return input.memberIds.map((memberId) => {
    const mine = input.presence.get(memberId);
    const present = mine ? slots.filter((s) => mine.has(s)).length : 0;
    const attended = present >= needed && present > 0;
    return { memberId, attended, place: attended ? place : null };
  });
}

/** ATT-5: by default one double session for at least 90 planned minutes, else none. */
export function defaultDoubleSessions(plannedMinutes: number): number {
  return plannedMinutes >= DOUBLE_SESSION_MINUTES ? 1 : 0;
}

/**
 * ATT-5: what one confirmed session counts for one member: the leaders' number, at most one for
 * an online session or a remote member of a hybrid one (the German chambers' rule). Never
 * measured minutes divided by 90.
 */
export function countedDoubleSessions(confirmed: number, mode: GroupMode, place: Place | null): number {
  const remote = mode === 'online' || place === 'remote';
  return remote ? Math.min(confirmed, 1) : confirmed;
}

export interface CountedSession {
  doubleSessions: number;
  mode: GroupMode;
  place: Place | null;
  attended: boolean;
}

export interface AttendanceTotals {
  inPerson: number;
  online: number;
  doubleSessions: number;
  /** German certificates: 45-minute units (30 Stunden = 15 Doppelstunden). */
  germanUnits: number;
  /** English certificates: 60-minute hours. */
  hours: number;
}

/** ATT-6: a member's totals over their confirmed sessions, split into in person and online. */
export function attendanceTotals(sessions: readonly CountedSession[]): AttendanceTotals {
  let inPerson = 0;
  let online = 0;
  for (const s of sessions) {
    if (!s.attended) continue;
    const n = countedDoubleSessions(s.doubleSessions, s.mode, s.place);
    if (s.mode === 'online' || s.place === 'remote') online += n;
    else inPerson += n;
  }
  const doubleSessions = inPerson + online;
  return { inPerson, online, doubleSessions, germanUnits: doubleSessions * 2, hours: doubleSessions * 1.5 };
}

/** ATT-4: a confirmation is complete: every attended member of a hybrid session has a place. */
export function confirmationProblem(
  mode: GroupMode,
  doubleSessions: number,
  entries: readonly ProposedEntry[],
): 'double-sessions' | 'place-missing' | null {
  if (!Number.isInteger(doubleSessions) || doubleSessions < 0 || doubleSessions > MAX_DOUBLE_SESSIONS)
    return 'double-sessions';
  if (mode === 'online' && doubleSessions > 1) return 'double-sessions';
  if (mode === 'hybrid' && entries.some((e) => e.attended && e.place === null)) return 'place-missing';
  return null;
}

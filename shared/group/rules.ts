/**
 * The group's rules as pure functions (DESIGN.md section 8), so that the server decides with them
 * and the client shows the same answer. No I/O, no clock but `now`.
 */

/** GROUP-6: a closed group is small; the roster holds at most this many members. */
export const MAX_ROSTER = 30;
/** Pending join requests a group keeps at once (a flood of requests cannot grow the file). */
export const MAX_PENDING_REQUESTS = 30;
/** GROUP-3: leaders (people, not links) of one group. */
export const MAX_LEADERS = 6;
/** Links (devices) one leader may hold at once. */
export const MAX_LINKS_PER_LEADER = 4;
/** Devices one member may hold at once. */
export const MAX_DEVICES_PER_MEMBER = 4;
/** GROUP-11: from this long before the scheduled time, members see "starts soon". */
export const STARTS_SOON_MS = 15 * 60_000;

export const GROUP_MODES = ['in-room', 'online', 'hybrid'] as const;
export type GroupMode = (typeof GROUP_MODES)[number];
/**
 * A group's way of meeting and its meetings' format (FORMAT-1) are the same three choices under
 * two spellings: a group meeting starts in its group's format, and its attendance records the
 * format the meeting had at its end (a leader may have changed it for that meeting).
 */
export function meetingFormatOf(mode: GroupMode): 'room' | 'online' | 'hybrid' {
  return mode === 'in-room' ? 'room' : mode;
}

export function groupModeOf(format: 'room' | 'online' | 'hybrid'): GroupMode {
  return format === 'room' ? 'in-room' : format;
}

export const GROUP_LANGUAGES = ['en', 'de', 'el'] as const;
export type GroupLanguage = (typeof GROUP_LANGUAGES)[number];

/**
 * `owner` created the group (or recovered it); `manager` was named by the owner and has the same
 * rights over leaders; `leader` runs meetings and the roster only.
 */
export type LeaderRights = 'owner' | 'manager' | 'leader';

/** GROUP-3: who may add or revoke other leaders and delete the group. */
export function managesLeaders(rights: LeaderRights): boolean {
  return rights === 'owner' || rights === 'manager';
}

/**
 * GROUP-3: may `actor` revoke `target` (a whole leader, with all their links)? Managers may, but
 * never the owner; nobody revokes themselves this way (they revoke their own links instead, so
 * that a group is never left without the leader who holds its rights by mistake).
 */
export function mayRevokeLeader(
  actor: { id: string; rights: LeaderRights },
  target: { id: string; rights: LeaderRights },
): boolean {
  if (actor.id === target.id) return false;
  if (target.rights === 'owner') return false;
  return managesLeaders(actor.rights);
}

export type MemberStatus = 'pending' | 'admitted';

export interface RosterEntry {
  id: string;
  status: MemberStatus;
}

export type AdmitVerdict = { ok: true } | { ok: false; reason: 'not-pending' | 'roster-full' };

/** GROUP-6: a pending request becomes a roster entry while the roster has room. */
export function canAdmit(roster: readonly RosterEntry[], requestId: string): AdmitVerdict {
  const request = roster.find((m) => m.id === requestId);
  if (!request || request.status !== 'pending') return { ok: false, reason: 'not-pending' };
  const admitted = roster.filter((m) => m.status === 'admitted').length;
  if (admitted >= MAX_ROSTER) return { ok: false, reason: 'roster-full' };
  return { ok: true };
}

export type MergeVerdict = { ok: true } | { ok: false; reason: 'not-pending' | 'not-admitted' };

/** GROUP-8: a new device's request joins an admitted entry; the request itself disappears. */
export function canMerge(roster: readonly RosterEntry[], requestId: string, intoId: string): MergeVerdict {
  const request = roster.find((m) => m.id === requestId);
  if (!request || request.status !== 'pending') return { ok: false, reason: 'not-pending' };
  const into = roster.find((m) => m.id === intoId);
  if (!into || into.status !== 'admitted') return { ok: false, reason: 'not-admitted' };
  return { ok: true };
}

export type NextMeetingStatus = 'none' | 'scheduled' | 'soon' | 'live';

/** GROUP-11: what a member's page says about the next meeting. */
export function nextMeetingStatus(now: number, nextAt: number | null, live: boolean): NextMeetingStatus {
  if (live) return 'live';
  if (nextAt === null) return 'none';
  return nextAt - now <= STARTS_SOON_MS ? 'soon' : 'scheduled';
}

/** GROUP-16: a group with no meeting for this many months is deleted (default). */
export const GROUP_RETENTION_MONTHS = 18;
/** DEBRIEF-3: how long a debrief page stays after its last change, unless configured. */
export const DEBRIEF_RETENTION_MONTHS = 12;
/** GROUP-16: the group page warns this long before. */
export const RETENTION_NOTICE_MS = 30 * 24 * 60 * 60_000;

/** The same day `months` calendar months later (UTC), clamped to the month's last day. */
export function addMonths(t: number, months: number): number {
  const d = new Date(t);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  target.setUTCHours(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  return target.getTime();
}

/** GROUP-16: when the group will be deleted, and whether its page says so already. */
export function retention(
  now: number,
  lastMeetingAt: number,
  months = GROUP_RETENTION_MONTHS,
): { deletesAt: number; notice: boolean; due: boolean } {
  const deletesAt = addMonths(lastMeetingAt, months);
  return { deletesAt, notice: now >= deletesAt - RETENTION_NOTICE_MS, due: now >= deletesAt };
}

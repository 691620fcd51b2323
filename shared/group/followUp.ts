import { addMonths } from './rules';

/**
 * Case labels for follow-up (SPEC.md FOLLOW-n): after a case of a group's meeting, a few words
 * kept for the group's list, only with the presenter's yes. Pure rules, shared by server and client.
 */

/** FOLLOW-2: a label is a few words, never the case. */
export const CASE_LABEL_MAX = 80;

/** FOLLOW-8: a label nobody renews is deleted this many months after it was kept or last renewed. */
export const LABEL_RETENTION_MONTHS = 6;

// Letters, digits, spaces and ordinary punctuation; no control characters (they hide text).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The label as stored (trimmed), or null when it is empty, too long or holds control characters. */
export function normalizeCaseLabel(text: string): string | null {
  const label = text.trim().replace(/\s+/g, ' ');
  if (label.length === 0 || label.length > CASE_LABEL_MAX || CONTROL.test(label)) return null;
  return label;
}

/** FOLLOW-8: when a label kept (or renewed) at `renewedAt` is deleted. */
export function labelExpiresAt(renewedAt: number): number {
  return addMonths(renewedAt, LABEL_RETENTION_MONTHS);
}

export function labelExpired(now: number, renewedAt: number): boolean {
  return now >= labelExpiresAt(renewedAt);
}

/** Who says yes for a case's label, as the server judges it from the asking seat. */
export interface KeepRequest {
  /** The asking seat's role: a leader or co-leader, or anyone else. */
  asksAsLeader: boolean;
  /** Whether the asking seat is the presenter of the case. */
  isPresenter: boolean;
  /** Whether the case has a presenter seat (a presenter with a device). */
  caseHasPresenterSeat: boolean;
  /** Whether the request names a roster member it is recorded for (the leader's proxy). */
  recordedFor: boolean;
}

export type KeepVerdict =
  | { ok: true; by: 'presenter' | 'leader' }
  | { ok: false; reason: 'not-presenter' | 'presenter-has-device' | 'name-the-presenter' };

/**
 * FOLLOW-3: only the presenter says yes, on their own device; a leader records the yes only for a
 * presenter without a device (no presenter seat), naming who on the roster presented. Nobody
 * else, and never a leader in the place of a presenter who has a device.
 */
export function mayKeepLabel(r: KeepRequest): KeepVerdict {
  if (r.isPresenter && !r.recordedFor) return { ok: true, by: 'presenter' };
  if (!r.asksAsLeader) return { ok: false, reason: 'not-presenter' };
  if (r.caseHasPresenterSeat) return { ok: false, reason: 'presenter-has-device' };
  if (!r.recordedFor) return { ok: false, reason: 'name-the-presenter' };
  return { ok: true, by: 'leader' };
}

/** A kept label as the group file holds it (the presenter as a roster entry id, or null for a guest). */
export interface CaseLabelRecord {
  id: string;
  label: string;
  caseAt: number;
  followUp: boolean;
  presenterId: string | null;
  renewedAt: number;
}

/** What leaders see: the presenter's roster name too. */
export interface CaseLabelLeaderView {
  id: string;
  label: string;
  caseAt: number;
  followUp: boolean;
  presenterName: string | null;
  expiresAt: number;
}

/** What members see, and only when a leader shares the list: never who presented. */
export interface CaseLabelMemberView {
  id: string;
  label: string;
  caseAt: number;
  followUp: boolean;
}

export interface CaseLabelsView {
  shared: boolean;
  labels: (CaseLabelLeaderView | CaseLabelMemberView)[];
}

/**
 * FOLLOW-4: leaders see every label with its presenter; members see the labels without the
 * presenter, and only when a leader shares the list; otherwise nothing.
 */
export function labelsFor(
  viewer: 'leader' | 'member',
  shared: boolean,
  labels: readonly CaseLabelRecord[],
  nameOf: (memberId: string) => string | null,
): CaseLabelsView {
  const sorted = [...labels].sort((a, b) => b.caseAt - a.caseAt || a.id.localeCompare(b.id));
  if (viewer === 'leader')
    return {
      shared,
      labels: sorted.map((l) => ({
        id: l.id,
        label: l.label,
        caseAt: l.caseAt,
        followUp: l.followUp,
        presenterName: l.presenterId === null ? null : nameOf(l.presenterId),
        expiresAt: labelExpiresAt(l.renewedAt),
      })),
    };
  if (!shared) return { shared, labels: [] };
  return {
    shared,
    labels: sorted.map((l) => ({ id: l.id, label: l.label, caseAt: l.caseAt, followUp: l.followUp })),
  };
}

/** FOLLOW-5: the open follow-ups a leader's console offers: labels whose group wants a follow-up. */
export function openFollowUps<T extends { followUp: boolean }>(labels: readonly T[]): T[] {
  return labels.filter((l) => l.followUp);
}

/** FOLLOW-1..3: the presenter's yes (or a leader's record of it), as sent from a meeting's seat. */
export interface KeepLabelRequest {
  caseIndex: number;
  label: string;
  followUp: boolean;
  /** A leader's record for a presenter without a device: the roster entry who presented. */
  forMemberId?: string | null;
}

/** What the leaders' console of a group's meeting shows: the open follow-ups and, for a proxy yes, the roster. */
export interface ConsoleFollowUps {
  followUps: CaseLabelLeaderView[];
  roster: { id: string; name: string }[];
}

/** START-5: the retention periods in force, as the Privacy page shows them (`GET /api/privacy`). */
export interface RetentionPeriods {
  groupMonths: number;
  debriefMonths: number;
  labelMonths: number;
}

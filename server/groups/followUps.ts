import { fail, ok, ERROR_CODES as E, type Result } from '../../shared/errors';
import {
  labelExpired,
  labelsFor,
  mayKeepLabel,
  normalizeCaseLabel,
  openFollowUps,
  type CaseLabelLeaderView,
  type CaseLabelsView,
  type ConsoleFollowUps,
  type KeepLabelRequest,
} from '../../shared/group/followUp';
import { findSeat, isLeaderRole } from '../../shared/meeting/roles';
import type { MeetingState } from '../../shared/meeting/state';
import type { Clock } from '../core/clock';
import type { MeetingHub } from '../core/hub';
import type { Logger } from '../core/logger';
import { newId } from '../security/tokens';
import { skipLost } from './lostKeys';
import type { GroupIdentity, GroupRow } from './rows';
import type { GroupStore } from './store';

export interface FollowUpDeps {
  store: GroupStore;
  hub: MeetingHub;
  clock: Clock;
  logger: Logger;
}

type Leader = Extract<GroupIdentity, { kind: 'leader' }>;
type Seat = { meetingId: string; seatId: string; group: GroupRow };

/** A phase of the case is current or behind: a label is kept after a case, never before it. */
function caseBegun(state: MeetingState, caseIndex: number): boolean {
  const upTo = state.current ? state.phases.slice(0, state.current.index + 1) : [];
  return upTo.some((p) => p.caseIndex === caseIndex);
}

/**
 * Case labels for follow-up (SPEC.md FOLLOW-n). A label enters the group file only with the
 * presenter's yes, from the presenter's own seat, or from a leader's seat for a presenter without
 * a device; the seat token decides who asks, here on the server. Nothing else of the meeting (its
 * intake label included) is ever copied into the group.
 */
export class GroupFollowUps {
  /** One label per case of a live meeting; memory only, forgotten with the meeting. */
  private keptCases = new Set<string>();

  constructor(private deps: FollowUpDeps) {
    deps.hub.onPurge((meetingId) => {
      for (const key of this.keptCases) if (key.startsWith(`${meetingId}/`)) this.keptCases.delete(key);
    });
  }

  /** The asking seat of a group's live meeting, or the answer why not. */
  private async seat(meetingId: string, token: string | null): Promise<Result<Seat>> {
    const seat = token ? await this.deps.hub.authenticate(token) : null;
    if (!seat || seat.meetingId !== meetingId) return fail(E.UNAUTHENTICATED, 'not a seat of this meeting');
    const group = await this.deps.store.groupByMeeting(meetingId);
    // FOLLOW-1: a meeting without a group keeps nothing.
    if (!group) return fail(E.WRONG_STATUS, 'a meeting without a group keeps nothing');
    return ok({ ...seat, group });
  }

  /** FOLLOW-1..3: keeps a case's label with the presenter's yes. */
  async keep(
    meetingId: string,
    token: string | null,
    r: KeepLabelRequest,
  ): Promise<Result<{ labelId: string }>> {
    const { store, hub, clock, logger } = this.deps;
    const asked = await this.seat(meetingId, token);
    if (!asked.ok) return asked;
    const { group, seatId } = asked.value;
    const state = hub.state(meetingId);
    const me = state && findSeat(state, seatId);
    if (!state || !me?.admitted) return fail(E.FORBIDDEN, 'not admitted');
    if (state.status !== 'running') return fail(E.WRONG_STATUS, 'only while the meeting runs');
    const info = state.cases[r.caseIndex];
    if (!info) return fail(E.BAD_REQUEST, 'no such case');
    const verdict = mayKeepLabel({
      asksAsLeader: isLeaderRole(me.role),
      isPresenter: info.presenterSeatId === me.id,
      caseHasPresenterSeat: info.presenterSeatId !== null,
      recordedFor: r.forMemberId != null,
    });
    if (!verdict.ok) {
      const why = {
        'not-presenter': 'only the presenter says yes to keeping their case’s label',
        'presenter-has-device': 'the presenter says yes on their own device',
        'name-the-presenter': 'name the roster member who presented',
      } as const;
      return fail(verdict.reason === 'name-the-presenter' ? E.BAD_REQUEST : E.FORBIDDEN, why[verdict.reason]);
    }
    if (!caseBegun(state, r.caseIndex)) return fail(E.WRONG_STATUS, 'the case has not begun');
    const label = normalizeCaseLabel(r.label);
    if (!label) return fail(E.BAD_REQUEST, 'a label is a few words (1–80 characters)');
    let presenterId: string | null;
    if (verdict.by === 'leader') {
      const roster = await store.members(group.id);
      const member = roster.find((m) => m.id === r.forMemberId && m.status === 'admitted');
      if (!member) return fail(E.BAD_REQUEST, 'no such member on the roster');
      presenterId = member.id;
    } else {
      // The presenter's roster entry, if they came in through the group's link (a guest has none).
      const seats = await store.meetingSeats(meetingId);
      const person = seats.find((s) => s.seatId === seatId)?.person ?? '';
      presenterId = person.startsWith('m:') ? person.slice(2) : null;
    }
    const key = `${meetingId}/${r.caseIndex}`;
    if (this.keptCases.has(key)) return fail(E.WRONG_STATUS, 'this case’s label is kept already');
    const labelId = newId();
    // Taken before the write, so that a second yes arriving meanwhile is refused; given back if
    // the write fails.
    this.keptCases.add(key);
    try {
      await store.insertLabel(group.id, {
        id: labelId,
        label,
        caseAt: clock.now(),
        followUp: r.followUp,
        presenterId,
      });
    } catch (error) {
      this.keptCases.delete(key);
      throw error;
    }
    logger.info('group.label_kept', { groupId: group.id, by: verdict.by, followUp: r.followUp });
    return ok({ labelId });
  }

  /** FOLLOW-5: the open follow-ups for a leader's seat of the group's live meeting. */
  async forConsole(meetingId: string, token: string | null): Promise<Result<ConsoleFollowUps>> {
    const asked = await this.seat(meetingId, token);
    if (!asked.ok) return asked;
    const state = this.deps.hub.state(meetingId);
    const me = state && findSeat(state, asked.value.seatId);
    if (!me?.admitted || !isLeaderRole(me.role)) return fail(E.FORBIDDEN, 'for the meeting’s leaders only');
    const { group } = asked.value;
    const members = (await this.deps.store.members(group.id)).filter((m) => m.status === 'admitted');
    const view = (await this.view(group, 'leader')).labels as CaseLabelLeaderView[];
    return ok({ followUps: openFollowUps(view), roster: members.map((m) => ({ id: m.id, name: m.name })) });
  }

  private async view(group: GroupRow, viewer: 'leader' | 'member'): Promise<CaseLabelsView> {
    const names = new Map((await this.deps.store.members(group.id)).map((m) => [m.id, m.name]));
    return labelsFor(
      viewer,
      group.labelsShared === true,
      await this.deps.store.labels(group.id),
      (id) => names.get(id) ?? null,
    );
  }

  /** FOLLOW-4: the group page's list; members see it only when shared, never with presenters. */
  async list(who: GroupIdentity): Promise<CaseLabelsView | null> {
    const { store } = this.deps;
    const group = await store.getGroup(who.groupId);
    if (!group) return null;
    // A request still waiting for admission sees nothing of the group's cases.
    if (
      who.kind === 'member' &&
      (await store.members(group.id)).find((m) => m.id === who.memberId)?.status !== 'admitted'
    )
      return { shared: false, labels: [] };
    return this.view(group, who.kind);
  }

  /** FOLLOW-7: done, or deleted by a leader: the label goes for good. */
  async remove(who: Leader, labelId: string, reason: 'done' | 'deleted'): Promise<Result> {
    if (!(await this.deps.store.deleteLabel(who.groupId, labelId))) return fail(E.NOT_FOUND, 'no such label');
    this.deps.logger.info('group.label_deleted', { groupId: who.groupId, reason });
    return ok(undefined);
  }

  /** FOLLOW-8: a leader renews a label: its six months count again from now. */
  async renew(who: Leader, labelId: string): Promise<Result> {
    if (!(await this.deps.store.renewLabel(who.groupId, labelId, this.deps.clock.now())))
      return fail(E.NOT_FOUND, 'no such label');
    return ok(undefined);
  }

  /** FOLLOW-4: whether members see the labels (never their presenters). */
  async share(who: Leader, on: boolean): Promise<Result> {
    await this.deps.store.setLabelsShared(who.groupId, on);
    return ok(undefined);
  }

  /** FOLLOW-8: labels nobody renewed for six months go (the daily retention check runs this). */
  async sweep(now: number): Promise<number> {
    const { store } = this.deps;
    let n = 0;
    for (const groupId of await store.allGroupIds())
      // CONF-43: a group whose key is missing is skipped, the others swept.
      for (const l of (await skipLost(this.deps.logger, groupId, () => store.labels(groupId))) ?? [])
        if (labelExpired(now, l.renewedAt) && (await store.deleteLabel(groupId, l.id))) n++;
    if (n > 0) this.deps.logger.info('group.labels_expired', { labels: n });
    return n;
  }
}

import { PROTOCOL_VERSION } from '../protocol-version';
import { promptsOf } from './prompts';
import { projectSpoken } from '../spoken/view';
import { effectiveRole, findSeat, isLeaderRole } from './roles';
import type { MeetingState } from './state';
import { projectedEndAt } from './time';
import type { MeetingView, SeatView, TimerView } from './view';

export interface ViewContext {
  now: number;
  /** Open connections per seat id; presence is runtime state, not meeting state. */
  connections: ReadonlyMap<string, number>;
  joinCode: string;
  /** Where phones can join (none when the page's own origin is the one to use). */
  phoneOrigins?: readonly string[];
}

/**
 * The snapshot of one seat's view. What the role must not see is left out here, on the
 * server, so it never reaches that browser.
 */
export function projectView(state: MeetingState, seatId: string, ctx: ViewContext): MeetingView | null {
  const me = findSeat(state, seatId);
  if (!me) return null;
  const myRole = effectiveRole(state, me);
  const leader = isLeaderRole(myRole) && me.admitted;
  const projector = myRole === 'projector';
  const admitted = state.seats.filter((s) => s.admitted);
  const connected = admitted.filter((s) => (ctx.connections.get(s.id) ?? 0) > 0).length;

  const view: MeetingView = {
    protocolVersion: PROTOCOL_VERSION,
    serverNow: ctx.now,
    meetingId: state.id,
    title: state.title,
    status: state.status,
    inGroup: state.inGroup === true,
    anonymity: state.settings.anonymity,
    release: state.settings.release,
    timerVisibility: state.settings.timerVisibility,
    autoAdvance: state.settings.autoAdvance,
    locked: state.settings.locked,
    boardOpen: state.settings.boardOpen,
    phases: state.phases,
    currentIndex: state.current?.index ?? null,
    cases: state.cases,
    presence: { connected, total: admitted.length },
    you: { seatId: me.id, role: me.role, effectiveRole: myRole, name: me.name, admitted: me.admitted },
  };
  if (!me.admitted) return view;
  view.spoken = projectSpoken(state, me, myRole);

  const cur = state.current;
  if (cur && (leader || projector || state.settings.timerVisibility === 'everyone')) {
    const timer: TimerView =
      cur.timing.state === 'running'
        ? { state: 'running', startedAt: cur.startedAt, endsAt: cur.timing.endsAt, remainingMs: null }
        : { state: 'paused', startedAt: cur.startedAt, endsAt: null, remainingMs: cur.timing.remainingMs };
    view.timer = timer;
  }
  if (!projector) {
    view.seats = admitted.map((s): SeatView => ({
      id: s.id,
      name: s.name,
      role: s.role,
      effectiveRole: effectiveRole(state, s),
      connected: (ctx.connections.get(s.id) ?? 0) > 0,
    }));
  }
  view.prompt = promptsOf(state).shown;
  if (leader || projector) {
    view.joinCode = ctx.joinCode;
    view.projectorBlank = state.settings.projectorBlank;
  }
  if ((leader || projector) && ctx.phoneOrigins?.length) view.phoneOrigins = [...ctx.phoneOrigins];
  if (leader) {
    view.projectedEndAt = projectedEndAt(state, ctx.now) ?? undefined;
    view.waiting = state.seats
      .filter((s) => !s.admitted)
      .map((s) => ({ id: s.id, name: s.name, joinedAt: s.joinedAt }));
    view.connections = Object.fromEntries(ctx.connections);
    view.ownPrompts = [...promptsOf(state).own];
  }
  return view;
}

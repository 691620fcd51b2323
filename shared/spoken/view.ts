import { findSeat, isLeaderRole } from '../meeting/roles';
import type { EffectiveRole, MeetingState, Seat } from '../meeting/state';
import { spokenOf } from './access';
import type { MeetingFormat, RoundEntry, RoundOrder, TurnTimeFor } from './state';

export interface TurnTimerView {
  state: 'running' | 'paused';
  startedAt: number;
  /** Server epoch ms; present while running. */
  endsAt: number | null;
  /** Present while paused. */
  remainingMs: number | null;
}

export interface RoundEntryView {
  key: string;
  seatId: string | null;
  name: string;
  passed: boolean;
}

/**
 * The spoken work as one seat sees it (SPEAK-VIEW-n). The projector gets the format and the two
 * names of a round (VIEW-6), nothing of intake or hands.
 */
export interface SpokenView {
  format: MeetingFormat;
  handsEnabled: boolean;
  round: {
    /** Whose turn it is and who is next (null after the last). */
    speakerName: string;
    nextName: string | null;
    /** Not on the projector. */
    order?: RoundOrder;
    entries?: RoundEntryView[];
    turn?: number;
    yourTurn?: boolean;
    /** Leaders (and the speaker when the leader chose so): the soft time of this turn. */
    turnTimer?: TurnTimerView;
    turnTimeFor?: TurnTimeFor;
    /** Leaders only: time per speaker and the round's total (speakers x time). */
    turnMs?: number | null;
    totalMs?: number | null;
  } | null;
  /** Not on the projector. Labels only for leaders, or for everyone when a leader shows them. */
  intake?: {
    open: boolean;
    labelsShown: boolean;
    volunteers: { id: string; seatId: string | null; name: string; label?: string }[];
  };
  /** Not on the projector. Members: how many hands and their own place; leaders: the order. */
  hands?: {
    count: number;
    /** 1-based; null when the seat's hand is down. */
    yourPlace: number | null;
    called: { seatId: string; name: string } | null;
    queue?: { seatId: string; name: string }[];
  };
  /** Not on the projector: name-only presenters per case ("in the room, without a device"). */
  presenterNames?: (string | null)[];
  /** Leaders only: the seating order they arranged. */
  seating?: string[];
}

export function projectSpoken(state: MeetingState, me: Seat, role: EffectiveRole): SpokenView {
  const sp = spokenOf(state);
  const leader = isLeaderRole(role);
  const projector = role === 'projector';
  const nameOf = (id: string) => findSeat(state, id)?.name ?? '';
  const entryName = (e: RoundEntry) => (e.seatId === null ? e.name : nameOf(e.seatId));
  const view: SpokenView = { format: sp.format, handsEnabled: sp.hands.enabled, round: null };

  const round = sp.round;
  const current = round?.entries[round.turn];
  if (round && current) {
    const next = round.entries[round.turn + 1];
    view.round = { speakerName: entryName(current), nextName: next ? entryName(next) : null };
    if (!projector) {
      const yourTurn = current.seatId === me.id;
      view.round.order = round.order;
      view.round.turn = round.turn;
      view.round.yourTurn = yourTurn;
      view.round.turnTimeFor = round.turnTimeFor;
      view.round.entries = round.entries.map((e) => ({
        key: e.key,
        seatId: e.seatId,
        name: entryName(e),
        passed: e.passed,
      }));
      const t = round.turnTiming;
      if (t && (leader || (yourTurn && round.turnTimeFor === 'speaker'))) {
        view.round.turnTimer =
          t.state === 'running'
            ? { state: 'running', startedAt: round.turnStartedAt, endsAt: t.endsAt, remainingMs: null }
            : { state: 'paused', startedAt: round.turnStartedAt, endsAt: null, remainingMs: t.remainingMs };
      }
      if (leader) {
        view.round.turnMs = round.turnMs;
        view.round.totalMs = round.turnMs === null ? null : round.turnMs * round.entries.length;
      }
    }
  }
  if (projector) return view;

  const showLabels = leader || sp.intake.labelsShown;
  view.intake = {
    open: sp.intake.open,
    labelsShown: sp.intake.labelsShown,
    volunteers: sp.intake.queue.map((v) => ({
      id: v.id,
      seatId: v.seatId,
      name: v.seatId === null ? v.name : nameOf(v.seatId),
      ...(showLabels && v.label ? { label: v.label } : {}),
    })),
  };
  const place = sp.hands.queue.indexOf(me.id);
  const called = sp.hands.called;
  view.hands = {
    count: sp.hands.queue.length,
    yourPlace: place < 0 ? null : place + 1,
    called: called === null ? null : { seatId: called, name: nameOf(called) },
  };
  if (leader) {
    view.hands.queue = sp.hands.queue.map((id) => ({ seatId: id, name: nameOf(id) }));
    view.seating = [...sp.seating];
  }
  view.presenterNames = [...sp.presenterNames];
  return view;
}

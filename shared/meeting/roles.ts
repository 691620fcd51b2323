import type { NoteKind } from './phases';
import type { EffectiveRole, MeetingState, Seat } from './state';

export function findSeat(state: MeetingState, seatId: string): Seat | undefined {
  return state.seats.find((s) => s.id === seatId);
}

export function isLeaderRole(role: EffectiveRole): boolean {
  return role === 'leader' || role === 'co-leader';
}

/** The case the meeting is in now: the current phase's case, else the last case begun. */
export function currentCaseIndex(state: MeetingState): number {
  if (!state.current) return 0;
  for (let i = state.current.index; i >= 0; i--) {
    const c = state.phases[i]?.caseIndex;
    if (c !== null && c !== undefined) return c;
  }
  return 0;
}

export function effectiveRole(state: MeetingState, seat: Seat): EffectiveRole {
  if (seat.role === 'participant' && state.cases[currentCaseIndex(state)]?.presenterSeatId === seat.id) {
    return 'presenter';
  }
  return seat.role;
}

export type PostCheck =
  | { ok: true }
  | {
      ok: false;
      reason: 'wrong-status' | 'board-closed' | 'kind-not-allowed' | 'presenter-listening' | 'forbidden';
    };

/**
 * "Can this seat post a note of this kind now?" One pure answer for server and client.
 * Leaders may post whatever the phase allows; observers and the projector never post.
 */
export function canPostNote(state: MeetingState, seat: Seat, kind: NoteKind): PostCheck {
  if (!seat.admitted) return { ok: false, reason: 'forbidden' };
  const role = effectiveRole(state, seat);
  if (role === 'observer' || role === 'projector') return { ok: false, reason: 'forbidden' };
  if (state.status !== 'running' || !state.current) return { ok: false, reason: 'wrong-status' };
  const phase = state.phases[state.current.index];
  if (!phase) return { ok: false, reason: 'wrong-status' };
  if (role === 'presenter' && (phase.rules.presenterListens || kind === 'question')) {
    return { ok: false, reason: 'presenter-listening' };
  }
  if (!state.settings.boardOpen) return { ok: false, reason: 'board-closed' };
  if (!phase.rules.postKinds.includes(kind)) return { ok: false, reason: 'kind-not-allowed' };
  return { ok: true };
}

/** Kinds the seat could post right now, for the input's choices. */
export function postableKinds(state: MeetingState, seat: Seat, kinds: readonly NoteKind[]): NoteKind[] {
  return kinds.filter((k) => canPostNote(state, seat, k).ok);
}

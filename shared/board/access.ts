import { currentCaseIndex, effectiveRole, findSeat, isLeaderRole } from '../meeting/roles';
import type { MeetingState } from '../meeting/state';
import { BOARD_CLOSE } from './closeCodes';

export type BoardAccess =
  { kind: 'write' } | { kind: 'read' } | { kind: 'refuse'; code: number; reason: string };

/**
 * Who may hold a case board right now. Admitted leaders and co-leaders: every case, always (they
 * arrange it and may export it until the meeting ends), and they may write. Everyone else reads the
 * current case's board only while the phase rules show it (`rules.boardVisible`), in a running
 * meeting; otherwise the connection is refused with NOT_VISIBLE, and the client connects again when
 * its view says the board is shown.
 */
export function boardAccess(state: MeetingState | null, seatId: string, caseIndex: number): BoardAccess {
  if (!state) return { kind: 'refuse', code: BOARD_CLOSE.NOT_FOUND, reason: 'no such meeting' };
  if (state.status === 'ended')
    return { kind: 'refuse', code: BOARD_CLOSE.MEETING_ENDED, reason: 'meeting ended' };
  const seat = findSeat(state, seatId);
  if (!seat) return { kind: 'refuse', code: BOARD_CLOSE.BAD_TOKEN, reason: 'unknown seat' };
  if (!seat.admitted) return { kind: 'refuse', code: BOARD_CLOSE.FORBIDDEN, reason: 'not admitted yet' };
  if (!Number.isInteger(caseIndex) || caseIndex < 0 || caseIndex >= state.cases.length) {
    return { kind: 'refuse', code: BOARD_CLOSE.NOT_FOUND, reason: 'no such case' };
  }
  if (isLeaderRole(effectiveRole(state, seat))) return { kind: 'write' };
  return boardShownNow(state, caseIndex)
    ? { kind: 'read' }
    : { kind: 'refuse', code: BOARD_CLOSE.NOT_VISIBLE, reason: 'the board is not shown now' };
}

function boardShownNow(state: MeetingState, caseIndex: number): boolean {
  if (state.status !== 'running' || !state.current) return false;
  const phase = state.phases[state.current.index];
  return !!phase?.rules.boardVisible && currentCaseIndex(state) === caseIndex;
}

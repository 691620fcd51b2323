import { noteResonateSchema } from '../../../shared/board/commands';
import { setNoteResonance } from '../../../shared/board/schema';
import { fail, ok, ERROR_CODES as E, type Result } from '../../../shared/errors';
import { currentCaseIndex, effectiveRole, findSeat } from '../../../shared/meeting/roles';
import type { AppSocket } from '../../socket/types';
import type { BoardCore } from '../core';
import { parseOr } from '../../core/answer';
import { NO_SUCH_NOTE } from './common';

/**
 * `note:resonate`: in the return phase the presenter marks notes that resonated. The board keeps
 * a count and no names (with one presenter per case the count is 0 or 1). A note whose author's
 * deletion still waits for its batch is on the board for everyone, so it can be marked too.
 */
export function handleNoteResonate(core: BoardCore, socket: AppSocket, payload: unknown): Result {
  const parsed = parseOr(noteResonateSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  const state = core.deps.hub.state(meetingId);
  const seat = state ? findSeat(state, seatId) : undefined;
  if (!state || !seat || !seat.admitted || effectiveRole(state, seat) !== 'presenter') {
    return fail(E.FORBIDDEN, 'the presenter marks resonance');
  }
  const phase = state.current ? state.phases[state.current.index] : undefined;
  if (state.status !== 'running' || phase?.kind !== 'return') {
    return fail(E.WRONG_STATUS, 'resonance is marked in the return phase');
  }
  const note = core.deps.storage.getNote(meetingId, parsed.value.noteId);
  if (!note || note.status !== 'released' || note.caseIndex !== currentCaseIndex(state))
    return NO_SUCH_NOTE();
  core.commit(meetingId, note.caseIndex, (doc) =>
    setNoteResonance(doc, note.noteId, parsed.value.on ? 1 : 0),
  );
  core.deps.hub.touch(meetingId);
  return ok(undefined);
}

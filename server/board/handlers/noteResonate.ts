import { noteResonateSchema } from '../../../shared/board/commands';
import { setNoteResonance } from '../../../shared/board/schema';
import { resonanceShown } from '../core';
import { fail, ok, ERROR_CODES as E, type Result } from '../../../shared/errors';
import { currentCaseIndex, effectiveRole, findSeat } from '../../../shared/meeting/roles';
import type { AppSocket } from '../../socket/types';
import type { BoardCore } from '../core';
import { parseOr } from '../../core/answer';
import { NO_SUCH_NOTE } from './common';

/**
 * `note:resonate`: in the return phase the presenter marks notes that resonated. The mark is kept
 * with the note row (a count, no names; with one presenter per case it is 0 or 1) and reaches the
 * presenter and the leaders through their Socket.IO views; the public board carries it only while
 * the presenter shows their marks (BOARD-10). A note whose author's deletion still waits for its
 * batch is on the board for everyone, so it can be marked too.
 */
export async function handleNoteResonate(
  core: BoardCore,
  socket: AppSocket,
  payload: unknown,
): Promise<Result> {
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
  const note = await core.deps.storage.getNote(meetingId, parsed.value.noteId);
  if (!note || note.status !== 'released' || note.caseIndex !== currentCaseIndex(state))
    return NO_SUCH_NOTE();
  const resonance = parsed.value.on ? 1 : 0;
  await core.commit(
    meetingId,
    note.caseIndex,
    (doc) => {
      if (resonanceShown(state, note.caseIndex)) setNoteResonance(doc, note.noteId, resonance);
    },
    (tx) => tx.putNote({ ...note, resonance }),
  );
  await core.deps.hub.touch(meetingId);
  await core.notifyLeaders(meetingId);
  return ok(undefined);
}

import { questionPassSchema } from '../../../shared/board/commands';
import { fail, ok, ERROR_CODES as E, type Result } from '../../../shared/errors';
import { currentCaseIndex } from '../../../shared/meeting/roles';
import type { AppSocket } from '../../socket/types';
import { isLeaderSeat, type BoardCore } from '../core';
import { parseOr } from '../../core/answer';
import { NO_SUCH_NOTE } from './common';

/**
 * `question:pass` (leaders, BOARD-11). Written questions reach the leaders only (in shuffled
 * batches); a leader passes one on, or every one of the current case at once, to the presenter
 * and the projector. Not held by the batch rule: the leader's choice is the release, and it points
 * at no writer (the questions left their writers in a batch already). VALIDATION: `{ noteId? }`.
 */
export async function handleQuestionPass(
  core: BoardCore,
  socket: AppSocket,
  payload: unknown,
): Promise<Result> {
  const parsed = parseOr(questionPassSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  const state = core.deps.hub.state(meetingId);
  if (!state || !isLeaderSeat(state, seatId)) return fail(E.FORBIDDEN, 'leaders only');
  const { storage } = core.deps;
  const caseIndex = currentCaseIndex(state);
  const { noteId } = parsed.value;
  const chosen =
    noteId === undefined
      ? (await storage.listUnsettledNotes(meetingId, caseIndex)).filter((n) => n.status === 'question')
      : [await storage.getNote(meetingId, noteId)].filter((n) => n !== null);
  if (noteId !== undefined) {
    const note = chosen[0];
    if (!note || (note.status !== 'question' && note.status !== 'passed')) return NO_SUCH_NOTE();
    if (note.status === 'passed') return fail(E.WRONG_STATUS, 'already passed on');
  }
  await storage.transaction(async (tx) => {
    for (const n of chosen) await tx.putNote({ ...n, status: 'passed' });
  });
  core.deps.logger.info('board.questions_passed', { meetingId, count: chosen.length });
  await core.deps.hub.touch(meetingId);
  await core.notifyLeaders(meetingId);
  return ok(undefined);
}

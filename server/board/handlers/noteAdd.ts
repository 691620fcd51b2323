import { noteAddSchema, type NoteStatus } from '../../../shared/board/commands';
import { fail, ok, ERROR_CODES as E, type Result } from '../../../shared/errors';
import { canPostNote, currentCaseIndex, findSeat } from '../../../shared/meeting/roles';
import type { AppSocket } from '../../socket/types';
import { NOTES_PER_SEAT_PER_CASE } from '../../limits/budgets';
import { isLeaderSeat, type BoardCore } from '../core';
import type { NoteShares } from '../noteShares';
import { parseOr } from '../../core/answer';
import { releasedStatus } from '../release';
import { authorStatus, postRefusal } from './common';

/**
 * Enough for a long speculation phase of twelve people; a bound against floods. Hidden notes do
 * not count (a leader hiding a flood frees its room), and no seat but a leader's can fill it alone:
 * each has a share of NOTES_PER_SEAT_PER_CASE (LIMIT-5).
 */
export const MAX_NOTES_PER_CASE = 400;

/**
 * `note:add`. VALIDATION: zod (trimmed plain text, 1–500 characters, a known kind, a hex secret).
 * AUTH: the phase rules (canPostNote). RESOLUTION: a row with a random id and the secret's hash,
 * no seat and no time; the release rules decide when it leaves the author. A retry with the same
 * secret is recognised by its hash and answered with the same note id.
 *
 * A leader may write `onBehalfOf` a member without a device (PROXY-1..3): the note then takes the
 * members' path exactly (the same phase rules, batch and shuffle, the same row); only in a named
 * meeting does the name end up on it, in place of the leader's.
 */
export async function handleNoteAdd(
  core: BoardCore,
  socket: AppSocket,
  payload: unknown,
  shares: NoteShares,
): Promise<Result<{ noteId: string; status: NoteStatus }>> {
  const parsed = parseOr(noteAddSchema, payload);
  if (!parsed.ok) return parsed;
  const { hub, storage } = core.deps;
  const { meetingId, seatId } = socket.data;
  const state = hub.state(meetingId);
  if (!state) return fail(E.NOT_FOUND, 'no such meeting');
  const seat = findSeat(state, seatId);
  if (!seat) return fail(E.UNAUTHENTICATED, 'unknown seat');
  const { secret, kind, text, onBehalfOf } = parsed.value;
  if (onBehalfOf !== undefined && !isLeaderSeat(state, seatId))
    return fail(E.FORBIDDEN, 'only leaders write on a member’s behalf');

  const secretHash = await storage.secretHash(meetingId, secret);
  const caseIndex = currentCaseIndex(state);
  const { earlier, unhidden } = await storage.noteAddChecks(meetingId, caseIndex, secretHash);
  if (earlier) return ok({ noteId: earlier.noteId, status: authorStatus(earlier) });

  const check = canPostNote(state, seat, kind);
  if (!check.ok) return postRefusal(check);
  const leader = isLeaderSeat(state, seatId);
  if (!leader && shares.added(meetingId, caseIndex, seatId) >= NOTES_PER_SEAT_PER_CASE) {
    return fail(E.LIMIT_REACHED, `at most ${NOTES_PER_SEAT_PER_CASE} notes per seat and case`);
  }
  if (unhidden >= MAX_NOTES_PER_CASE)
    return fail(E.LIMIT_REACHED, `at most ${MAX_NOTES_PER_CASE} notes per case`);
  // SCALE-23: the same share counted on every process (with one process, always granted).
  if (!leader && !(await shares.spendAcross(meetingId, caseIndex, seatId))) {
    return fail(E.LIMIT_REACHED, `at most ${NOTES_PER_SEAT_PER_CASE} notes per seat and case`);
  }

  const noteId = core.deps.newNoteId();
  const released = await core.writeAndRelease(meetingId, caseIndex, {
    adding: {
      meetingId,
      noteId,
      caseIndex,
      kind,
      text,
      secretHash,
      status: 'waiting',
      pendingText: null,
      pendingDelete: false,
      batch: null,
      authorName: state.settings.anonymity === 'named' ? (onBehalfOf ?? seat.name) : null,
    },
  });
  if (!leader) shares.count(meetingId, caseIndex, seatId);
  await core.notifyLeaders(meetingId);
  const status = released > 0 ? releasedStatus(kind, state.settings) : 'waiting';
  return ok({ noteId, status: authorStatus({ status, pendingDelete: false }) });
}

import { boardReleaseSchema, noteModerateSchema } from '../../../shared/board/commands';
import { insertNote, putParked, removeNote, removeParked } from '../../../shared/board/schema';
import { fail, ok, ERROR_CODES as E, type Result } from '../../../shared/errors';
import { currentCaseIndex } from '../../../shared/meeting/roles';
import type { AppSocket } from '../../socket/types';
import type { NoteRow } from '../../storage/types';
import { isLeaderSeat, parkingShown, type BoardCore } from '../core';
import { parseOr } from '../../core/answer';
import { NO_SUCH_NOTE } from './common';

/**
 * `note:moderate` (leaders). approve: a screened note goes on the board. hide: a note leaves the
 * board (or the queue) and waits in the hidden list. show: a hidden note goes back where it was.
 * park: a note on the board moves to the parking lot, which is the leaders' (BOARD-9): it leaves
 * the public document, its place is stored with the row (DISK-13), and the room sees it only
 * while a leader shows the case's parking lot. unpark: it goes back where it was. remove: the note is erased for good, from the board, the queue or the hidden list (the tool
 * for a patient identifier that slipped in); only a row without its text is kept, so that the
 * author's device can say "removed by a leader". Leaders never learn of waiting notes, so those
 * (and removed ones) are "no such note" here.
 */
export async function handleNoteModerate(
  core: BoardCore,
  socket: AppSocket,
  payload: unknown,
): Promise<Result> {
  const parsed = parseOr(noteModerateSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  const { storage } = core.deps;
  const state = core.deps.hub.state(meetingId);
  if (!state || !isLeaderSeat(state, seatId)) return fail(E.FORBIDDEN, 'leaders only');
  const note = await storage.getNote(meetingId, parsed.value.noteId);
  if (!note || note.status === 'waiting' || note.status === 'removed') return NO_SUCH_NOTE();
  const action = parsed.value.action;
  // BOARD-11: a question is never on the board; it is passed on (question:pass) or removed.
  if (
    note.kind === 'question' &&
    action !== 'remove' &&
    (note.status === 'question' || note.status === 'passed')
  ) {
    return fail(E.WRONG_STATUS, 'a question is passed on or removed');
  }

  switch (action) {
    case 'approve':
    case 'show': {
      const from = action === 'approve' ? 'screening' : 'hidden';
      if (note.status !== from) return fail(E.WRONG_STATUS, `only a ${from} note can be ${action}d`);
      const batch = note.batch ?? (await core.nextBatch(meetingId, note.caseIndex));
      await core.commit(
        meetingId,
        note.caseIndex,
        (doc) => insertNote(doc, core.newBoardNote(note, note.text, batch)),
        (tx) => tx.putNote({ ...note, status: 'released', batch, layout: null }),
      );
      break;
    }
    case 'park': {
      if (note.status !== 'released') return fail(E.WRONG_STATUS, 'only a note on the board can be parked');
      let layout = note.layout ?? null;
      await core.commit(
        meetingId,
        note.caseIndex,
        (doc) => {
          layout = removeNote(doc, note.noteId);
          if (parkingShown(state, note.caseIndex)) {
            putParked(doc, core.newBoardNote(note, note.text, note.batch ?? 0));
          }
        },
        (tx) => tx.putNote({ ...note, status: 'parked', layout }),
      );
      break;
    }
    case 'unpark': {
      if (note.status !== 'parked') return fail(E.WRONG_STATUS, 'only a parked note can be unparked');
      const batch = note.batch ?? (await core.nextBatch(meetingId, note.caseIndex));
      await core.commit(
        meetingId,
        note.caseIndex,
        (doc) => {
          removeParked(doc, note.noteId);
          insertNote(doc, core.newBoardNote(note, note.text, batch));
        },
        (tx) => tx.putNote({ ...note, status: 'released', batch, layout: null }),
      );
      break;
    }
    case 'hide': {
      if (note.status === 'hidden') return fail(E.WRONG_STATUS, 'already hidden');
      let layout = note.layout ?? null;
      await core.commit(
        meetingId,
        note.caseIndex,
        (doc) => {
          // Where a leader had put it, stored with the note: showing it puts it back, after a restart too.
          if (note.status === 'released') layout = removeNote(doc, note.noteId);
          if (note.status === 'parked') removeParked(doc, note.noteId);
        },
        (tx) => tx.putNote({ ...note, status: 'hidden', layout }),
      );
      break;
    }
    case 'remove': {
      await core.commit(
        meetingId,
        note.caseIndex,
        (doc) => {
          if (note.status === 'released') removeNote(doc, note.noteId);
          if (note.status === 'parked') removeParked(doc, note.noteId);
        },
        (tx) => tx.putNote(removedRow(note)),
      );
      break;
    }
  }
  core.deps.logger.info('board.moderated', { meetingId, action });
  await core.deps.hub.touch(meetingId);
  await core.notifyLeaders(meetingId);
  return ok(undefined);
}

/**
 * `board:release` (leaders): the current case's waiting changes go out now, if at least
 * MIN_BATCH wait; fewer keep waiting for more or for the phase end (REL-4). The ack carries no
 * count: a count (or "nothing went") would tell the leader how many wrote since the last batch.
 */
export async function handleBoardRelease(
  core: BoardCore,
  socket: AppSocket,
  payload: unknown,
): Promise<Result> {
  const parsed = parseOr(boardReleaseSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  const state = core.deps.hub.state(meetingId);
  if (!state || !isLeaderSeat(state, seatId)) return fail(E.FORBIDDEN, 'leaders only');
  await core.release(meetingId, currentCaseIndex(state), 'leader');
  await core.deps.hub.touch(meetingId);
  await core.notifyLeaders(meetingId);
  return ok(undefined);
}

/**
 * What is kept of a removed note: its id, case, batch and secret hash, none of its text. The
 * deletion itself (secure delete, compaction of the case's board, WAL truncation) takes the text
 * off the disk within DISK-3's bound.
 */
function removedRow(note: NoteRow): NoteRow {
  return {
    ...note,
    text: '',
    status: 'removed',
    pendingText: null,
    pendingDelete: false,
    authorName: null,
    layout: null,
  };
}

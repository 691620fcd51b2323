import { buildBoardExport, boardExportSchema } from '../../../shared/board/export';
import { fail, ok, ERROR_CODES as E, type Result } from '../../../shared/errors';
import type { BoardExport } from '../../../shared/protocol';
import type { AppSocket } from '../../socket/types';
import { isLeaderSeat, type BoardCore } from '../core';
import { parseOr } from '../../core/answer';

/**
 * `board:export` (leaders and co-leaders). VALIDATION: an empty object. AUTH: an admitted leader
 * seat, checked on the seat's current role (a demoted co-leader is refused at once). RESOLUTION:
 * every case's public board, read from the documents the boards show, and the parking lots
 * leaders keep for the export (from the note rows), with no author, not even in
 * named meetings (`buildBoardExport` copies only kind, text, highlight and resonance). Nothing is
 * changed and nothing is stored; the log line carries counts only.
 */
export async function handleBoardExport(
  core: BoardCore,
  socket: AppSocket,
  payload: unknown,
): Promise<Result<BoardExport>> {
  const parsed = parseOr(boardExportSchema, payload ?? {});
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  const state = core.deps.hub.state(meetingId);
  if (!state) return fail(E.NOT_FOUND, 'no such meeting');
  if (!isLeaderSeat(state, seatId)) return fail(E.FORBIDDEN, 'leaders only');
  const rows = await core.deps.storage.listNotes(meetingId);
  const boards = [];
  for (const [caseIndex, info] of state.cases.entries()) {
    const doc = (await core.room(meetingId, caseIndex)).doc;
    const unsettled =
      info.parkingLot === 'leaders' ? [] : await core.deps.storage.listUnsettledNotes(meetingId, caseIndex);
    boards.push({
      caseIndex,
      doc,
      // BOARD-10: the presenter's marks come from the rows, shown on the board or not.
      resonance: new Map(
        rows.filter((n) => n.caseIndex === caseIndex).map((n) => [n.noteId, n.resonance ?? 0] as const),
      ),
      // BOARD-9: the parking lot is exported when a leader keeps it for the export or shows it.
      parked:
        info.parkingLot === 'leaders'
          ? []
          : unsettled
              .filter((n) => n.status === 'parked' && !n.pendingDelete)
              .map((n) => ({
                kind: n.kind,
                text: n.text,
                highlight: n.layout?.highlight ?? false,
                resonance: n.resonance ?? 0,
              })),
    });
  }
  const exp = buildBoardExport(state.title, core.deps.clock.now(), boards);
  core.deps.logger.info('board.exported', {
    meetingId,
    cases: exp.cases.length,
    notes: exp.cases.reduce(
      (n, c) => n + c.unthemed.length + c.parked.length + c.themes.reduce((m, t) => m + t.notes.length, 0),
      0,
    ),
  });
  return ok(exp);
}

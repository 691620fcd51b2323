import type { NoteStatus } from '../../../shared/board/commands';
import { fail, ERROR_CODES as E, type CommandError, type ErrorCode } from '../../../shared/errors';
import type { PostCheck } from '../../../shared/meeting/roles';
import type { NoteRow } from '../../storage/types';

const POST_REFUSALS: Record<Exclude<PostCheck, { ok: true }>['reason'], ErrorCode> = {
  'wrong-status': E.WRONG_STATUS,
  'board-closed': E.BOARD_CLOSED,
  'kind-not-allowed': E.KIND_NOT_ALLOWED,
  'presenter-listening': E.LISTENING,
  forbidden: E.FORBIDDEN,
};

export function postRefusal(check: Exclude<PostCheck, { ok: true }>): { ok: false; error: CommandError } {
  return fail(POST_REFUSALS[check.reason], `cannot post: ${check.reason}`);
}

/** What the author is told about their note. A deletion that waits for its batch is "deleted". */
export function authorStatus(note: Pick<NoteRow, 'status' | 'pendingDelete'> | null): NoteStatus {
  if (!note || note.pendingDelete) return 'deleted';
  // BOARD-11: to its author a question waits for a leader, then is out (passed on).
  if (note.status === 'question') return 'screening';
  if (note.status === 'passed') return 'released';
  return note.status;
}

export const NO_SUCH_NOTE = () => fail(E.NO_SUCH_NOTE, 'no such note, or not yours');

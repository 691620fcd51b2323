import type { z } from 'zod';
import type { NoteStatus } from '../../../shared/board/commands';
import { fail, ERROR_CODES as E, type CommandError, type ErrorCode } from '../../../shared/errors';
import type { PostCheck } from '../../../shared/meeting/roles';
import type { NoteRow } from '../../storage/types';

/** The first zod issue as a refusal; never echoes the input (it may hold note text). */
export function parseOr<T>(
  schema: z.ZodType<T>,
  payload: unknown,
): { ok: true; value: T } | { ok: false; error: CommandError } {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  return fail(
    E.BAD_REQUEST,
    first ? `${first.path.join('.') || 'payload'}: ${first.message}` : 'bad request',
  );
}

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
export function authorStatus(note: NoteRow | null): NoteStatus {
  if (!note || note.pendingDelete) return 'deleted';
  return note.status;
}

export const NO_SUCH_NOTE = () => fail(E.NO_SUCH_NOTE, 'no such note, or not yours');

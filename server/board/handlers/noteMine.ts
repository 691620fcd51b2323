import { noteMineSchema, type NoteStatus } from '../../../shared/board/commands';
import { ok, type Result } from '../../../shared/errors';
import { sameHash } from '../../security/tokens';
import type { AppSocket } from '../../socket/types';
import type { BoardCore } from '../core';
import { parseOr } from '../../core/answer';
import { authorStatus } from './common';

/**
 * `note:mine`: the author asks what became of their notes. A wrong secret reads as "deleted", so
 * the answer tells nothing about other people's notes.
 */
export async function handleNoteMine(
  core: BoardCore,
  socket: AppSocket,
  payload: unknown,
): Promise<Result<Record<string, NoteStatus>>> {
  const parsed = parseOr(noteMineSchema, payload);
  if (!parsed.ok) return parsed;
  const out: Record<string, NoteStatus> = {};
  for (const { noteId, secret } of parsed.value.notes) {
    const note = await core.deps.storage.getNote(socket.data.meetingId, noteId);
    const proved =
      note && sameHash(note.secretHash, await core.deps.storage.secretHash(socket.data.meetingId, secret));
    out[noteId] = note && proved ? authorStatus(note) : 'deleted';
  }
  return ok(out);
}

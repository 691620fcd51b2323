import { noteDeleteSchema, noteEditSchema } from '../../../shared/board/commands';
import { fail, ok, ERROR_CODES as E, type Result } from '../../../shared/errors';
import { sameHash } from '../../security/tokens';
import type { AppSocket } from '../../socket/types';
import type { NoteRow } from '../../storage/types';
import type { BoardCore } from '../core';
import { parseOr } from '../../core/answer';
import { NO_SUCH_NOTE } from './common';

/** The author's own note, proved by its secret (compared as hashes), or null. */
async function ownNote(
  core: BoardCore,
  meetingId: string,
  noteId: string,
  secret: string,
): Promise<NoteRow | null> {
  const note = await core.deps.storage.getNote(meetingId, noteId);
  if (!note || note.pendingDelete || note.status === 'removed') return null;
  if (!sameHash(note.secretHash, await core.deps.storage.secretHash(meetingId, secret))) return null;
  return note;
}

/**
 * `note:edit`. AUTH: the note's secret. RESOLUTION: a note nobody has seen yet (waiting) changes in
 * place; any other edit waits for the next release like a new note, so its timing tells nothing.
 */
export async function handleNoteEdit(core: BoardCore, socket: AppSocket, payload: unknown): Promise<Result> {
  const parsed = parseOr(noteEditSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId } = socket.data;
  const state = core.deps.hub.state(meetingId);
  if (!state || state.status !== 'running')
    return fail(E.WRONG_STATUS, 'notes change while the meeting runs');
  const note = await ownNote(core, meetingId, parsed.value.noteId, parsed.value.secret);
  if (!note) return NO_SUCH_NOTE();
  const text = parsed.value.text;
  await core.writeAndRelease(meetingId, note.caseIndex, {
    write: (tx) =>
      tx.putNote(
        note.status === 'waiting'
          ? { ...note, text }
          : { ...note, pendingText: text === note.text ? null : text },
      ),
  });
  await core.notifyLeaders(meetingId);
  return ok(undefined);
}

/** `note:delete`. Like an edit: at once if nobody saw it, else with the next release. */
export async function handleNoteDelete(
  core: BoardCore,
  socket: AppSocket,
  payload: unknown,
): Promise<Result> {
  const parsed = parseOr(noteDeleteSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId } = socket.data;
  if (!core.deps.hub.state(meetingId)) return fail(E.NOT_FOUND, 'no such meeting');
  const note = await ownNote(core, meetingId, parsed.value.noteId, parsed.value.secret);
  if (!note) return NO_SUCH_NOTE();
  await core.writeAndRelease(meetingId, note.caseIndex, {
    write: (tx) =>
      note.status === 'waiting'
        ? tx.deleteNote(meetingId, note.noteId)
        : tx.putNote({ ...note, pendingDelete: true, pendingText: null }),
  });
  await core.notifyLeaders(meetingId);
  return ok(undefined);
}

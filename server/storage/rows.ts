/**
 * Rows as both databases store them (schema.ts), and their translation to and from the storage
 * interface's objects: one translation for the SQLite storage and the Kysely one.
 */
import type { NoteLayout } from '../../shared/board/schema';
import type { MeetingState } from '../../shared/meeting/state';
import { upgradeStoredState } from '../../shared/meeting/upgrade';
import type { NoteRow, StoredMeeting } from './types';

export interface NoteDbRow {
  meeting_id: string;
  note_id: string;
  case_index: number;
  kind: string;
  text: string;
  secret_hash: string;
  status: string;
  pending_text: string | null;
  pending_delete: number;
  batch: number | null;
  author_name: string | null;
  layout: string | null;
  resonance: number;
}

/** The columns of a live meeting that loading it needs. */
export interface MeetingDbRow {
  state: string;
  join_code: string;
  last_activity_at: number;
}

export function toNote(r: NoteDbRow): NoteRow {
  return {
    meetingId: r.meeting_id,
    noteId: r.note_id,
    caseIndex: r.case_index,
    kind: r.kind as NoteRow['kind'],
    text: r.text,
    secretHash: r.secret_hash,
    status: r.status as NoteRow['status'],
    pendingText: r.pending_text,
    pendingDelete: r.pending_delete === 1,
    batch: r.batch,
    authorName: r.author_name,
    layout: r.layout === null ? null : (JSON.parse(r.layout) as NoteLayout),
    resonance: r.resonance,
  };
}

export function toNoteDbRow(note: NoteRow): NoteDbRow {
  return {
    meeting_id: note.meetingId,
    note_id: note.noteId,
    case_index: note.caseIndex,
    kind: note.kind,
    text: note.text,
    secret_hash: note.secretHash,
    status: note.status,
    pending_text: note.pendingText,
    pending_delete: note.pendingDelete ? 1 : 0,
    batch: note.batch,
    author_name: note.authorName,
    layout: note.layout ? JSON.stringify(note.layout) : null,
    resonance: note.resonance ?? 0,
  };
}

export function toStoredMeeting(r: MeetingDbRow): StoredMeeting {
  return {
    state: upgradeStoredState(JSON.parse(r.state) as MeetingState),
    joinCode: r.join_code,
    lastActivityAt: r.last_activity_at,
  };
}

import type { NoteLayout } from '../../shared/board/schema';
import type { MeetingState } from '../../shared/meeting/state';
import type { NoteKind } from '../../shared/meeting/phases';

export interface StoredBoardUpdate {
  seq: number;
  update: Uint8Array;
}

export interface StoredMeeting {
  state: MeetingState;
  joinCode: string;
  /** Epoch ms of the last command or note; the inactivity purge counts from here. */
  lastActivityAt: number;
}

export interface SeatLookup {
  meetingId: string;
  seatId: string;
}

/**
 * A note row. No author, no arrival time, no arrival order: the table has no rowid and its
 * key is the random note id. `batch` is the release batch number, the finest time it keeps.
 */
export interface NoteRow {
  meetingId: string;
  noteId: string;
  caseIndex: number;
  kind: NoteKind;
  text: string;
  /** SHA-256 of the author's per-note secret (hex); proves authorship for edit and delete. */
  secretHash: string;
  /**
   * `question`: a written question, out of its batch to the leaders only (never on the board);
   * `passed`: a leader passed it on to the presenter and the projector (BOARD-11).
   * `removed`: a leader erased it; the row is kept without text, kind's text or layout, only so
   * that its author (who proves it with the secret) learns what happened.
   */
  status: 'waiting' | 'screening' | 'released' | 'hidden' | 'parked' | 'question' | 'passed' | 'removed';
  /** An edit of a released note waiting for the next batch. */
  pendingText: string | null;
  pendingDelete: boolean;
  batch: number | null;
  /** Named mode only; null when the meeting is anonymous. */
  authorName: string | null;
  /**
   * Where a leader had put the note on the board (theme, highlight, position) while it is off the
   * board (hidden, parked, or an approved note's edit back in screening), so that it comes back in
   * place (DISK-13, BOARD-9).
   */
  layout?: NoteLayout | null;
  /**
   * The presenter's mark (0 or 1), kept here: the public board carries it only while the
   * presenter shows their marks to everyone (BOARD-10).
   */
  resonance?: number;
}

/**
 * The operations of the meetings' storage, each once with its arguments and result; the one
 * storage (async/types.ts `AsyncStorage`, over SQLite and PostgreSQL) returns each as a promise.
 * Written here without promises so that the rules read as they did for the synchronous storage
 * the project started with.
 */
export interface MeetingOperations {
  insertMeeting(m: StoredMeeting, leaderTokenHash: string, projectorKeyHash: string): void;
  saveMeeting(state: MeetingState, now: number): void;
  setJoinCode(meetingId: string, joinCode: string): void;
  touchMeeting(meetingId: string, now: number): void;
  loadLiveMeetings(): StoredMeeting[];
  findMeetingByJoinCode(joinCode: string): string | null;
  projectorKeyHash(meetingId: string): string | null;

  /**
   * Command ids a seat already applied, so that its retry is acknowledged without applying twice.
   * Keyed by seat (WIRE-1): another seat's id is unknown to it.
   */
  hasCommand(meetingId: string, seatId: string, commandId: string): boolean;
  recordCommand(meetingId: string, seatId: string, commandId: string): void;

  insertSeatToken(meetingId: string, seatId: string, tokenHash: string): void;
  findSeatByTokenHash(tokenHash: string): SeatLookup | null;
  deleteSeatTokens(meetingId: string, seatId: string): void;

  putNote(note: NoteRow): void;
  getNote(meetingId: string, noteId: string): NoteRow | null;
  findNoteBySecretHash(meetingId: string, secretHash: string): NoteRow | null;
  deleteNote(meetingId: string, noteId: string): void;
  listNotes(meetingId: string): NoteRow[];
  /**
   * What adding a note checks first, in one read: the note already stored with this secret's
   * hash in the meeting (a retry), and how many notes the case holds that are not hidden (hidden
   * notes free their room).
   */
  noteAddChecks(
    meetingId: string,
    caseIndex: number,
    secretHash: string,
  ): { earlier: NoteRow | null; unhidden: number };
  /**
   * The ids of one case's notes that carry resonance marks (BOARD-10), not removed, by id. Reads
   * no content: a view that needs only the marks never opens every note of the meeting.
   */
  listMarkedNoteIds(meetingId: string, caseIndex: number): string[];
  /** The highest release batch number of one case, or null when nothing was released yet. */
  maxNoteBatch(meetingId: string, caseIndex: number): number | null;
  /**
   * The notes of one case that are not simply on the board: waiting, screening or hidden, or
   * released with an edit or deletion pending. Everything a release or a leaders' view needs,
   * without reading the released notes. Ordered by the random note id.
   */
  listUnsettledNotes(meetingId: string, caseIndex: number): NoteRow[];
  /**
   * `listUnsettledNotes` and `maxNoteBatch` in one read (a release needs both, and reads them
   * under the meeting's row lock).
   */
  listUnsettledNotesAndLastBatch(
    meetingId: string,
    caseIndex: number,
  ): { notes: NoteRow[]; lastBatch: number | null };

  /** Stores one board update; returns its sequence number (they only grow, SCALE-18). */
  appendBoardUpdate(meetingId: string, caseIndex: number, update: Uint8Array): number;
  loadBoardUpdates(meetingId: string, caseIndex: number): Uint8Array[];
  /** The board's stored updates after sequence number `afterSeq`, in order, with their numbers. */
  loadBoardUpdatesAfter(meetingId: string, caseIndex: number, afterSeq: number): StoredBoardUpdate[];
  /**
   * Compaction: the stored updates of one board replaced by their merge, in one transaction;
   * returns the merge's sequence number.
   */
  replaceBoardUpdates(meetingId: string, caseIndex: number, merged: Uint8Array): number;
}

import { z } from 'zod';
import { NOTE_KINDS } from '../meeting/phases';
import { NOTE_TEXT_MAX, PROXY_NAME_MAX } from './limits';

export { NOTE_TEXT_MAX };

/** Plain text, trimmed, 1–500 characters, no control characters but newlines and tabs. */
const noteText = z
  .string()
  .max(NOTE_TEXT_MAX * 4)
  .transform((t) => t.trim())
  .pipe(
    z
      .string()
      .min(1, 'empty note')
      .max(NOTE_TEXT_MAX, `at most ${NOTE_TEXT_MAX} characters`)
      // eslint-disable-next-line no-control-regex
      .refine((t) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(t), 'control characters'),
  );
/** The per-note secret only the author's browser holds: 128 bits or more, hex. */
const secret = z.string().regex(/^[0-9a-f]{32,128}$/, 'a hex secret of at least 128 bits');
const noteId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/**
 * A leader typing for a member without a device names that member (PROXY-1): the name is what a
 * named meeting shows; an anonymous meeting keeps nothing of it.
 */
export const noteAddSchema = z
  .object({
    secret,
    kind: z.enum(NOTE_KINDS),
    text: noteText,
    onBehalfOf: z.string().trim().min(1).max(PROXY_NAME_MAX).optional(),
  })
  .strict();
export const noteEditSchema = z.object({ noteId, secret, text: noteText }).strict();
export const noteDeleteSchema = z.object({ noteId, secret }).strict();
/** The author asks what became of their notes (waiting, on the board, hidden, gone). */
export const noteMineSchema = z
  .object({ notes: z.array(z.object({ noteId, secret }).strict()).max(200) })
  .strict();
export const noteModerateSchema = z
  .object({ noteId, action: z.enum(['approve', 'hide', 'show', 'park', 'unpark', 'remove']) })
  .strict();
export const noteResonateSchema = z.object({ noteId, on: z.boolean() }).strict();
export const boardReleaseSchema = z.object({}).strict();

export type NoteAdd = z.infer<typeof noteAddSchema>;
export type NoteEdit = z.infer<typeof noteEditSchema>;
export type NoteDelete = z.infer<typeof noteDeleteSchema>;
export type NoteMine = z.infer<typeof noteMineSchema>;
export type NoteModerate = z.infer<typeof noteModerateSchema>;
export type NoteResonate = z.infer<typeof noteResonateSchema>;

/** `removed`: a leader erased the note for good (note:moderate remove); its text is gone. */
/** `parked`: a leader moved it to the parking lot, which only leaders see by default (BOARD-9). */
export type NoteStatus = 'waiting' | 'screening' | 'released' | 'hidden' | 'parked' | 'deleted' | 'removed';

/**
 * The presenter's and the projector's questions area (BOARD-11): the questions a leader passed on,
 * in the current case's questions phase only (empty in every other phase).
 */
export interface QuestionsView {
  caseIndex: number;
  questions: { noteId: string; text: string }[];
}

/** `question:pass` (leaders): one question, or every question of the current case not yet passed. */
export const questionPassSchema = z.object({ noteId: noteId.optional() }).strict();
export type QuestionPass = z.infer<typeof questionPassSchema>;

/**
 * The presenter's own view (BOARD-10): the notes of the case they marked as resonating. The
 * public board carries the marks only while the presenter shows them (`cases[].resonanceShown`).
 */
export interface PresenterMarksView {
  caseIndex: number;
  marked: string[];
}

/** Leaders' own view of notes that are not on the public board. Never carries an author. */
export interface LeaderNotesView {
  caseIndex: number;
  /** Held for screening, waiting for approval. */
  screening: { noteId: string; kind: string; text: string }[];
  /** Hidden by a leader; can be shown again. */
  hidden: { noteId: string; kind: string; text: string }[];
  /**
   * The parking lot (BOARD-9): off the public board; the room sees it only when a leader shows
   * the case's parking lot. `highlight` as a leader had it on the board.
   */
  parked: { noteId: string; kind: string; text: string; highlight: boolean }[];
  /**
   * The case's written questions (BOARD-11), out of their batches to the leaders only; `passed`
   * once a leader passed it on to the presenter and the projector.
   */
  questions: { noteId: string; text: string; passed: boolean }[];
  /** The notes of the case the presenter marked as resonating (BOARD-10), shown or not. */
  resonance: string[];
  /**
   * Whether changes wait for the next batch (their text stays unseen until release). Coarse on
   * purpose: it changes at most every 30 s, on a fixed grid, and carries no count (REL-5).
   */
  waiting: boolean;
}

import type { MeetingSettings } from '../../shared/meeting/state';
import { shuffle, type RandomSource } from '../core/random';
import type { NoteRow } from '../storage/types';

/**
 * When notes and authors' changes leave the author: pure decisions, no I/O.
 *
 * Anonymous meetings (SPEC REL-1..REL-6): a new note, an edit and a deletion all wait (nobody but
 * the author knows of them). Once MIN_BATCH changes wait, the batch leaves after a random delay,
 * so its moment points at nobody (a leader watching the room would otherwise see it leave as the
 * third phone goes down); whatever arrives meanwhile leaves with it. A leader may send a batch
 * early, but never one smaller than MIN_BATCH; only a phase end sends one or two. "Out" is the
 * public board in batch mode, and the leaders' screening queue in screening mode, so that not even
 * the leader can tie a note to the moment someone typed it. An edited note that was on the board
 * goes back to the queue in screening mode.
 * Named meetings: everything goes out at once (the author is shown anyway).
 */
export const MIN_BATCH = 3;
/** The delay between the moment MIN_BATCH changes wait and the batch leaving, drawn uniformly. */
export const RELEASE_DELAY_MIN_MS = 5_000;
export const RELEASE_DELAY_MAX_MS = 20_000;
/** Leaders' "notes are waiting" flag changes at most this often (REL-5). */
export const WAITING_SIGNAL_PERIOD_MS = 30_000;

export type ReleaseTrigger =
  /** A note was added, edited or deleted, or the release mode changed. */
  | 'change'
  /** The random delay armed when MIN_BATCH changes were waiting has passed. */
  | 'timer'
  /** A leader pressed release (board:release). */
  | 'leader'
  /** A phase ended (or the meeting moved on). */
  | 'phase-end';

type ReleaseSettings = Pick<MeetingSettings, 'anonymity' | 'release'>;

export interface PendingChanges {
  /** Waiting notes, and in batch mode also notes left in the screening queue. */
  insert: NoteRow[];
  /** Edits of notes that someone else can see (board, queue, hidden list or parking lot). */
  edit: NoteRow[];
  /** Deletions of notes that someone else can see. */
  remove: NoteRow[];
}

const SEEN: ReadonlySet<NoteRow['status']> = new Set([
  'released',
  'screening',
  'hidden',
  'parked',
  'question',
  'passed',
]);

/** The changes of one case that wait for the next release. */
export function pendingChanges(
  notes: readonly NoteRow[],
  caseIndex: number,
  settings: ReleaseSettings,
): PendingChanges {
  const mine = notes.filter((n) => n.caseIndex === caseIndex);
  return {
    insert: mine.filter(
      (n) =>
        n.status === 'waiting' ||
        (n.status === 'screening' && settings.release === 'batch' && !n.pendingDelete),
    ),
    edit: mine.filter(
      (n) =>
        SEEN.has(n.status) &&
        !n.pendingDelete &&
        n.pendingText !== null &&
        !(n.status === 'screening' && settings.release === 'batch'),
    ),
    remove: mine.filter((n) => SEEN.has(n.status) && n.pendingDelete),
  };
}

export function pendingCount(p: PendingChanges): number {
  return p.insert.length + p.edit.length + p.remove.length;
}

/** Whether the waiting changes go out now. */
export function shouldRelease(settings: ReleaseSettings, pending: number, trigger: ReleaseTrigger): boolean {
  if (pending === 0) return false;
  if (settings.anonymity === 'named') return true;
  switch (trigger) {
    case 'phase-end':
      return true;
    case 'leader':
    case 'timer':
      return pending >= MIN_BATCH;
    case 'change':
      // Never at the moment of a change: its timing would point at its author.
      return false;
  }
}

/** Whether a change that did not go out should arm the release delay (if not armed already). */
export function shouldArmDelay(settings: ReleaseSettings, pending: number): boolean {
  return settings.anonymity !== 'named' && pending >= MIN_BATCH;
}

/** A fresh delay in [RELEASE_DELAY_MIN_MS, RELEASE_DELAY_MAX_MS], from the injected source. */
export function releaseDelayMs(random: RandomSource): number {
  const span = RELEASE_DELAY_MAX_MS - RELEASE_DELAY_MIN_MS + 1;
  return RELEASE_DELAY_MIN_MS + Math.min(span - 1, Math.floor(random.next() * span));
}

/** Where a released new note goes: the board, or the leaders' screening queue. */
export function releaseTarget(settings: ReleaseSettings): 'released' | 'screening' {
  return settings.release === 'screening' ? 'screening' : 'released';
}

/** The status a new note takes when its batch goes out (BOARD-11: a question reaches leaders only). */
export function releasedStatus(
  kind: NoteRow['kind'],
  settings: ReleaseSettings,
): 'released' | 'screening' | 'question' {
  return kind === 'question' ? 'question' : releaseTarget(settings);
}

/**
 * The order a batch goes out in: new notes shuffled with the injected source, so the board's
 * order (and the writer's item clocks) follow no arrival. Edits and removals are ordered by the
 * random note id, which follows nothing either.
 */
export function orderBatch(p: PendingChanges, random: RandomSource): PendingChanges {
  const byId = (a: NoteRow, b: NoteRow) => (a.noteId < b.noteId ? -1 : a.noteId > b.noteId ? 1 : 0);
  return {
    insert: shuffle([...p.insert].sort(byId), random),
    edit: [...p.edit].sort(byId),
    remove: [...p.remove].sort(byId),
  };
}

import * as Y from 'yjs';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import {
  BOARD_ROOT_KEYS,
  isBoardId,
  LEADER_NOTE_FIELDS,
  MAX_THEMES,
  noteFieldsSchema,
  notesMap,
  parkingMap,
  readNote,
  readTheme,
  themesMap,
  type BoardNote,
} from '../../shared/board/schema';

/**
 * Checks on updates that clients send to the board, before anything is applied.
 * "Would change the document" = brings a struct the server lacks, or deletes something the server
 * has not deleted: exactly what Yjs's own snapshot containment tells (state vector + delete set).
 */
export type UpdateVerdict =
  | { kind: 'nothing-new' }
  | { kind: 'allowed' }
  /** Depends on content the server has not received yet (the client's own earlier update). */
  | { kind: 'incomplete' }
  | { kind: 'refused'; code: number; reason: string };

export interface LeaderUpdateLimits {
  /** One leader update (a frame's payload). */
  maxUpdateBytes: number;
  /** The encoded board after the update. */
  maxBoardBytes: number;
}

/**
 * WIRE-3: how long and how large a leader update that depends on content the server has not
 * received may be held. Its missing part is the client's own earlier update still in flight
 * (resent in the sync step 2 after a reconnect), which arrives within a round trip; an update
 * that waits longer has a gap that will never fill, and every later update of the connection
 * would be merged into it and never applied.
 */
export const HELD_UPDATE_MAX_MS = 5_000;
export const HELD_UPDATE_MAX_BYTES = 64 * 1024;

export const DEFAULT_LEADER_LIMITS: LeaderUpdateLimits = {
  maxUpdateBytes: 256 * 1024,
  maxBoardBytes: 4 * 1024 * 1024,
};

/** True when applying `update` to `doc` would change nothing. Throws on a malformed update. */
export function bringsNothingNew(doc: Y.Doc, update: Uint8Array): boolean {
  return Y.snapshotContainsUpdate(Y.snapshot(doc), update);
}

/** A read-only connection may send only what the server already has (stock clients do on connect). */
export function checkReadOnlyUpdate(doc: Y.Doc, update: Uint8Array): UpdateVerdict {
  try {
    if (bringsNothingNew(doc, update)) return { kind: 'nothing-new' };
  } catch {
    return { kind: 'refused', code: BOARD_CLOSE.MALFORMED, reason: 'malformed update' };
  }
  return { kind: 'refused', code: BOARD_CLOSE.FORBIDDEN, reason: 'read-only board' };
}

/**
 * A leader's update, tried on a scratch copy of the board: only layout fields of existing notes
 * and the themes may change; no new notes, no removed notes, no rewritten text, bounded sizes.
 */
export function checkLeaderUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  limits: LeaderUpdateLimits = DEFAULT_LEADER_LIMITS,
): UpdateVerdict {
  if (update.length > limits.maxUpdateBytes) {
    return {
      kind: 'refused',
      code: BOARD_CLOSE.TOO_LARGE,
      reason: `update over ${limits.maxUpdateBytes} bytes`,
    };
  }
  let nothingNew: boolean;
  try {
    nothingNew = bringsNothingNew(doc, update);
  } catch {
    return { kind: 'refused', code: BOARD_CLOSE.MALFORMED, reason: 'malformed update' };
  }
  if (nothingNew) return { kind: 'nothing-new' };
  const base = Y.encodeStateAsUpdate(doc);
  if (base.length + update.length > limits.maxBoardBytes) {
    return { kind: 'refused', code: BOARD_CLOSE.TOO_LARGE, reason: 'the board is full' };
  }
  const scratch = new Y.Doc();
  try {
    Y.applyUpdate(scratch, base);
    try {
      Y.applyUpdate(scratch, update);
    } catch {
      return { kind: 'refused', code: BOARD_CLOSE.MALFORMED, reason: 'malformed update' };
    }
    if (scratch.store.pendingStructs !== null || scratch.store.pendingDs !== null)
      return { kind: 'incomplete' };
    const problem = boardChangeProblem(doc, scratch);
    return problem ? { kind: 'refused', code: BOARD_CLOSE.FORBIDDEN, reason: problem } : { kind: 'allowed' };
  } finally {
    scratch.destroy();
  }
}

/**
 * Why `after` is not an allowed leader change of `before`, or null. A note's theme may name a
 * theme that is gone (two leaders racing: one removes a theme, the other files a note under it);
 * clients show such a note without a theme, and refusing it would disconnect a leader for a race.
 */
export function boardChangeProblem(before: Y.Doc, after: Y.Doc): string | null {
  for (const key of after.share.keys()) {
    if (!BOARD_ROOT_KEYS.includes(key)) return `unknown root "${key.slice(0, 20)}"`;
  }
  const notesBefore = notesMap(before);
  const notesAfter = notesMap(after);
  const themesAfter = themesMap(after);
  if (hasListContent(notesAfter) || hasListContent(themesAfter)) return 'list content in a map';

  for (const id of notesBefore.keys()) if (!notesAfter.has(id)) return 'notes are removed by the server only';
  for (const [id, value] of notesAfter.entries()) {
    const old = notesBefore.get(id);
    if (!(old instanceof Y.Map) || !(value instanceof Y.Map)) return 'notes are added by the server only';
    if (!sameItem(old, value)) return 'a note was replaced';
    if (hasListContent(value)) return 'list content in a note';
    const next = readNote(id, value);
    if (!next) return noteFieldProblem(value);
    const prev = readNote(id, old);
    if (prev && serverFieldsChanged(prev, next)) return 'only layout fields of a note may change';
  }

  // BOARD-9: the room's parking lot is the server's (park and unpark are note:moderate commands).
  if (!sameParking(before, after)) return 'the parking lot is changed by the server only';

  if (themesAfter.size > MAX_THEMES) return `at most ${MAX_THEMES} themes`;
  for (const [id, value] of themesAfter.entries()) {
    if (!isBoardId(id)) return 'a theme id must be 8-64 letters, digits, _ or -';
    if (!(value instanceof Y.Map) || hasListContent(value) || !readTheme(id, value)) {
      return 'a theme is { name: 1-80 characters }';
    }
  }
  return null;
}

const LEADER_FIELDS: ReadonlySet<string> = new Set(LEADER_NOTE_FIELDS);

/** The parking root holds the same entries, the same items with the same values, after as before. */
function sameParking(before: Y.Doc, after: Y.Doc): boolean {
  const a = parkingMap(before);
  const b = parkingMap(after);
  if (hasListContent(b) || a.size !== b.size) return false;
  for (const [id, value] of b.entries()) {
    const old = a.get(id);
    if (!(old instanceof Y.Map) || !(value instanceof Y.Map) || !sameItem(old, value)) return false;
    if (hasListContent(value) || value.size !== old.size) return false;
    for (const [key, v] of value.entries()) if (old.get(key) !== v) return false;
  }
  return true;
}

function serverFieldsChanged(prev: BoardNote, next: BoardNote): boolean {
  const keys = new Set([...Object.keys(prev), ...Object.keys(next)]);
  for (const key of keys) {
    if (LEADER_FIELDS.has(key)) continue;
    if (prev[key as keyof BoardNote] !== next[key as keyof BoardNote]) return true;
  }
  return false;
}

function noteFieldProblem(value: Y.Map<unknown>): string {
  for (const v of value.values()) {
    if (v instanceof Y.AbstractType || v instanceof Y.Doc) return 'nested types in a note';
  }
  const parsed = noteFieldsSchema.safeParse(Object.fromEntries(value.entries()));
  const issue = parsed.success ? undefined : parsed.error.issues[0];
  return issue ? `note field ${issue.path.join('.') || '?'}: ${issue.message}` : 'malformed note';
}

/** Two maps in two copies of one document are the same map when their items have the same id. */
function sameItem(a: { _item: Y.Item | null }, b: { _item: Y.Item | null }): boolean {
  const x = a._item?.id;
  const y = b._item?.id;
  return !!x && !!y && x.client === y.client && x.clock === y.clock;
}

/** Maps hold keyed entries only; list content in a map is invisible junk a check would miss. */
function hasListContent(type: { _start: Y.Item | null }): boolean {
  for (let item = type._start; item !== null; item = item.right) if (!item.deleted) return true;
  return false;
}

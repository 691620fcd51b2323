import * as Y from 'yjs';
import { z } from 'zod';
import { NOTE_KINDS, type NoteKind } from '../meeting/phases';
import { NOTE_TEXT_MAX } from './commands';

/**
 * The board's Yjs document, declared once. One document per case of a meeting.
 *
 *   notes:   Y.Map  noteId  -> Y.Map { text, kind, theme, highlight, x, y, resonance, batch, author? }
 *   themes:  Y.Map  themeId -> Y.Map { name }
 *   parking: Y.Map  noteId  -> Y.Map { text, kind, batch, author? }
 *
 * The parking lot is the leaders' (BOARD-9): a parked note is off the public board and reaches
 * leaders through their Socket.IO view. `parking` holds a case's parked notes only while a leader
 * shows that case's parking lot to the room, and only the server writes it.
 *
 * It holds only what everyone may see. Nothing in it identifies an author: `author` exists only
 * in named meetings. Only the server's own writer inserts notes, changes their text or removes
 * them; leaders' clients may change the layout fields (LEADER_NOTE_FIELDS) and the themes.
 */
export const NOTES_KEY = 'notes';
export const THEMES_KEY = 'themes';
export const PARKING_KEY = 'parking';
export const BOARD_ROOT_KEYS: readonly string[] = [NOTES_KEY, THEMES_KEY, PARKING_KEY];

export const THEME_NAME_MAX = 80;
export const MAX_THEMES = 60;
/** Board coordinates are plain numbers within this range (the client scales them). */
export const BOARD_COORD_MAX = 100_000;
export const AUTHOR_NAME_MAX = 60;
const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

const coord = z.number().finite().min(-BOARD_COORD_MAX).max(BOARD_COORD_MAX);

/** A note's fields as they sit in its Y.Map (raw values, no nested types). */
export const noteFieldsSchema = z
  .object({
    text: z.string().min(1).max(NOTE_TEXT_MAX),
    kind: z.enum(NOTE_KINDS),
    /** The theme (cluster) it belongs to, or null. */
    theme: z.string().regex(ID_PATTERN).nullable(),
    highlight: z.boolean(),
    /** Null until a leader places it; clients lay unplaced notes out in board order (by id). */
    x: coord.nullable(),
    y: coord.nullable(),
    /** How many times the presenter marked it as resonating: a count, no names. */
    resonance: z.number().int().min(0).max(1_000),
    /** The release batch it came out in: the finest time the board keeps. */
    batch: z.number().int().min(0),
    /** Named meetings only. */
    author: z.string().max(AUTHOR_NAME_MAX).optional(),
  })
  .strict();

export const themeFieldsSchema = z.object({ name: z.string().min(1).max(THEME_NAME_MAX) }).strict();

/** A parked note as the room sees it while its case's parking lot is shown: no layout, no marks. */
export const parkedFieldsSchema = z
  .object({
    text: z.string().min(1).max(NOTE_TEXT_MAX),
    kind: z.enum(NOTE_KINDS),
    batch: z.number().int().min(0),
    author: z.string().max(AUTHOR_NAME_MAX).optional(),
  })
  .strict();
export type ParkedFields = z.infer<typeof parkedFieldsSchema>;
export type ParkedNote = ParkedFields & { id: string };

export type NoteFields = z.infer<typeof noteFieldsSchema>;
export type BoardNote = NoteFields & { id: string };
export interface BoardTheme {
  id: string;
  name: string;
}
export interface BoardSnapshot {
  /**
   * Sorted by the random note id: the board's order follows no arrival, not even the batches
   * (a new batch lands at random places among the notes already there).
   */
  notes: BoardNote[];
  themes: BoardTheme[];
  /** The parking lot, when a leader shows it to the room (else empty). Sorted by id. */
  parked: ParkedNote[];
}

/** What leaders' clients may change on a note; everything else is the server's. */
export const LEADER_NOTE_FIELDS = ['theme', 'highlight', 'x', 'y'] as const;
export type LeaderNoteField = (typeof LEADER_NOTE_FIELDS)[number];

export function isBoardId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export function notesMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap<Y.Map<unknown>>(NOTES_KEY);
}

export function themesMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap<Y.Map<unknown>>(THEMES_KEY);
}

export function parkingMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap<Y.Map<unknown>>(PARKING_KEY);
}

/** The raw entries of a Y.Map, nested types left as they are (so a check can refuse them). */
export function rawEntries(map: Y.Map<unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of map.entries()) out[key] = value;
  return out;
}

function plainFields(value: unknown): Record<string, unknown> | null {
  if (!(value instanceof Y.Map)) return null;
  const raw = rawEntries(value);
  for (const v of Object.values(raw)) {
    if (v instanceof Y.AbstractType || v instanceof Y.Doc || v instanceof Uint8Array) return null;
  }
  return raw;
}

/** One note, or null when the entry is not a well-formed note. */
export function readNote(id: string, value: unknown): BoardNote | null {
  const raw = plainFields(value);
  const parsed = raw ? noteFieldsSchema.safeParse(raw) : null;
  return parsed?.success ? { id, ...parsed.data } : null;
}

export function readTheme(id: string, value: unknown): BoardTheme | null {
  const raw = plainFields(value);
  const parsed = raw ? themeFieldsSchema.safeParse(raw) : null;
  return parsed?.success ? { id, name: parsed.data.name } : null;
}

export function readParked(id: string, value: unknown): ParkedNote | null {
  const raw = plainFields(value);
  const parsed = raw ? parkedFieldsSchema.safeParse(raw) : null;
  return parsed?.success ? { id, ...parsed.data } : null;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The whole board as plain objects, for rendering. Malformed entries are skipped. */
export function readBoard(doc: Y.Doc): BoardSnapshot {
  const notes: BoardNote[] = [];
  for (const [id, value] of notesMap(doc).entries()) {
    const note = readNote(id, value);
    if (note) notes.push(note);
  }
  notes.sort(byId);
  const themes: BoardTheme[] = [];
  for (const [id, value] of themesMap(doc).entries()) {
    const theme = readTheme(id, value);
    if (theme) themes.push(theme);
  }
  themes.sort(byId);
  const parked: ParkedNote[] = [];
  for (const [id, value] of parkingMap(doc).entries()) {
    const note = readParked(id, value);
    if (note) parked.push(note);
  }
  parked.sort(byId);
  return { notes, themes, parked };
}

// --- The server's writer --------------------------------------------------------------------

export interface NewBoardNote {
  id: string;
  text: string;
  kind: NoteKind;
  batch: number;
  /** Named meetings only; never set in anonymous ones. */
  author?: string;
  /** Restores a hidden note where it was. */
  layout?: NoteLayout;
}

/** The fields a note off the board (hidden, parked, re-screened) keeps, so that it comes back in place. */
export type NoteLayout = Pick<NoteFields, LeaderNoteField | 'resonance'>;

const DEFAULT_LAYOUT: NoteLayout = {
  theme: null,
  highlight: false,
  x: null,
  y: null,
  resonance: 0,
};

/** Server only: inserts a released note. Call inside one `doc.transact` per batch. */
export function insertNote(doc: Y.Doc, note: NewBoardNote): void {
  const fields: NoteFields = {
    text: note.text,
    kind: note.kind,
    ...DEFAULT_LAYOUT,
    ...note.layout,
    batch: note.batch,
  };
  if (note.author !== undefined) fields.author = note.author;
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) map.set(key, value);
  notesMap(doc).set(note.id, map);
}

/** Server only: an author's edit, released. */
export function setNoteText(doc: Y.Doc, id: string, text: string): boolean {
  const map = notesMap(doc).get(id);
  if (!(map instanceof Y.Map)) return false;
  map.set('text', text);
  return true;
}

export function setNoteResonance(doc: Y.Doc, id: string, resonance: number): boolean {
  const map = notesMap(doc).get(id);
  if (!(map instanceof Y.Map)) return false;
  map.set('resonance', resonance);
  return true;
}

/** Server only: takes a note off the board (deleted or hidden); returns where it was. */
export function removeNote(doc: Y.Doc, id: string): NoteLayout | null {
  const notes = notesMap(doc);
  const note = readNote(id, notes.get(id));
  if (!notes.has(id)) return null;
  notes.delete(id);
  if (!note) return { ...DEFAULT_LAYOUT };
  const { theme, highlight, x, y, resonance } = note;
  return { theme, highlight, x, y, resonance };
}

/** Server only: shows a parked note in the room's parking lot (its case's lot is shown). */
export function putParked(doc: Y.Doc, note: Omit<NewBoardNote, 'layout'>): void {
  const fields: ParkedFields = { text: note.text, kind: note.kind, batch: note.batch };
  if (note.author !== undefined) fields.author = note.author;
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) map.set(key, value);
  parkingMap(doc).set(note.id, map);
}

/** Server only: takes a note out of the room's parking lot, if it is there. */
export function removeParked(doc: Y.Doc, id: string): void {
  const parking = parkingMap(doc);
  if (parking.has(id)) parking.delete(id);
}

/** Server only: an author's edit of a parked note, while the room sees the parking lot. */
export function setParkedText(doc: Y.Doc, id: string, text: string): void {
  const map = parkingMap(doc).get(id);
  if (map instanceof Y.Map) map.set('text', text);
}

// --- Leaders' clients -----------------------------------------------------------------------

/** A theme id from `crypto.getRandomValues`, which plain-HTTP LAN pages have (randomUUID is missing). */
export function newThemeId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Leaders only: change a note's layout fields. Other fields are refused by the server. */
export function setNoteLayout(
  doc: Y.Doc,
  id: string,
  change: Partial<Pick<NoteFields, LeaderNoteField>>,
): boolean {
  const map = notesMap(doc).get(id);
  if (!(map instanceof Y.Map)) return false;
  doc.transact(() => {
    for (const key of LEADER_NOTE_FIELDS) {
      const value = change[key];
      if (value !== undefined) map.set(key, value);
    }
  });
  return true;
}

export function setTheme(doc: Y.Doc, id: string, name: string): void {
  const themes = themesMap(doc);
  doc.transact(() => {
    const existing = themes.get(id);
    if (existing instanceof Y.Map) {
      existing.set('name', name);
      return;
    }
    const map = new Y.Map<unknown>();
    map.set('name', name);
    themes.set(id, map);
  });
}

/** Leaders only: removes a theme and takes its notes out of it. */
export function removeTheme(doc: Y.Doc, id: string): void {
  doc.transact(() => {
    for (const [noteId, value] of notesMap(doc).entries()) {
      if (value instanceof Y.Map && value.get('theme') === id) setNoteLayout(doc, noteId, { theme: null });
    }
    themesMap(doc).delete(id);
  });
}

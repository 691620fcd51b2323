import * as Y from 'yjs';
import { NOTE_TEXT_MAX } from '../../../shared/board/limits';
import { NOTE_KINDS, type NoteKind } from '../../../shared/meeting/phases';
import type { BoardNote, BoardTheme, ParkedNote } from '../../../shared/board/schema';

/** The schema's constants, repeated as types: a change there fails the compiler here. */
type Schema = typeof import('../../../shared/board/schema');

/**
 * How the client reads the board's Yjs document: the shape declared in shared/board/schema.ts
 * (its types are imported from there, so a change of shape breaks this file at compile time),
 * read with plain type checks instead of the zod schema. The server checks every field of every
 * update before it is stored; the client only needs to skip what it cannot render, and a phone
 * joining a meeting is spared zod's weight. tests/browser/boardShape.test.ts checks that both
 * readers agree.
 */
export type { BoardNote, BoardTheme, ParkedNote };

export interface BoardSnapshot {
  synced: boolean;
  notes: BoardNote[];
  themes: BoardTheme[];
  /** The parking lot, only while a leader shows it to the room (BOARD-9). */
  parked: ParkedNote[];
}

export const EMPTY_BOARD: BoardSnapshot = { synced: false, notes: [], themes: [], parked: [] };

const NOTES_KEY = 'notes' satisfies Schema['NOTES_KEY'];
const THEMES_KEY = 'themes' satisfies Schema['THEMES_KEY'];
const PARKING_KEY = 'parking' satisfies Schema['PARKING_KEY'];
const THEME_NAME_MAX = 80 satisfies Schema['THEME_NAME_MAX'];
const AUTHOR_NAME_MAX = 60 satisfies Schema['AUTHOR_NAME_MAX'];
const BOARD_COORD_MAX = 100_000 satisfies Schema['BOARD_COORD_MAX'];
const RESONANCE_MAX = 1_000;
const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const NOTE_FIELDS = new Set(['text', 'kind', 'theme', 'highlight', 'x', 'y', 'resonance', 'batch', 'author']);

const isKind = (v: unknown): v is NoteKind =>
  typeof v === 'string' && (NOTE_KINDS as readonly string[]).includes(v);
const isCoord = (v: unknown): v is number | null =>
  v === null || (typeof v === 'number' && isFinite(v) && Math.abs(v) <= BOARD_COORD_MAX);
const isCount = (v: unknown, max = Infinity): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

function entries(value: unknown): Map<string, unknown> | null {
  if (!(value instanceof Y.Map)) return null;
  const out = new Map<string, unknown>();
  for (const [key, v] of (value as Y.Map<unknown>).entries()) out.set(key, v);
  return out;
}

function readNote(id: string, value: unknown): BoardNote | null {
  const f = entries(value);
  if (!f || [...f.keys()].some((k) => !NOTE_FIELDS.has(k))) return null;
  const text = f.get('text');
  const kind = f.get('kind');
  const theme = f.get('theme');
  const highlight = f.get('highlight');
  const x = f.get('x');
  const y = f.get('y');
  const resonance = f.get('resonance');
  const batch = f.get('batch');
  const author = f.get('author');
  if (typeof text !== 'string' || text.length === 0 || text.length > NOTE_TEXT_MAX || !isKind(kind))
    return null;
  if (theme !== null && (typeof theme !== 'string' || !ID_PATTERN.test(theme))) return null;
  if (typeof highlight !== 'boolean') return null;
  if (!isCoord(x) || !isCoord(y) || !isCount(resonance, RESONANCE_MAX) || !isCount(batch)) return null;
  if (author !== undefined && (typeof author !== 'string' || author.length > AUTHOR_NAME_MAX)) return null;
  const note: BoardNote = { id, text, kind, theme, highlight, x, y, resonance, batch };
  if (author !== undefined) note.author = author;
  return note;
}

const PARKED_FIELDS = new Set(['text', 'kind', 'batch', 'author']);

function readParked(id: string, value: unknown): ParkedNote | null {
  const f = entries(value);
  if (!f || [...f.keys()].some((k) => !PARKED_FIELDS.has(k))) return null;
  const text = f.get('text');
  const kind = f.get('kind');
  const batch = f.get('batch');
  const author = f.get('author');
  if (typeof text !== 'string' || text.length === 0 || text.length > NOTE_TEXT_MAX || !isKind(kind))
    return null;
  if (!isCount(batch)) return null;
  if (author !== undefined && (typeof author !== 'string' || author.length > AUTHOR_NAME_MAX)) return null;
  const note: ParkedNote = { id, text, kind, batch };
  if (author !== undefined) note.author = author;
  return note;
}

function readTheme(id: string, value: unknown): BoardTheme | null {
  const f = entries(value);
  const name = f?.get('name');
  return f && f.size === 1 && typeof name === 'string' && name.length > 0 && name.length <= THEME_NAME_MAX
    ? { id, name }
    : null;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The whole board as plain objects, sorted by the random id (an order that follows no arrival). */
export function readBoard(doc: Y.Doc, synced: boolean): BoardSnapshot {
  const notes: BoardNote[] = [];
  for (const [id, value] of doc.getMap(NOTES_KEY).entries()) {
    const note = readNote(id, value);
    if (note) notes.push(note);
  }
  const themes: BoardTheme[] = [];
  for (const [id, value] of doc.getMap(THEMES_KEY).entries()) {
    const theme = readTheme(id, value);
    if (theme) themes.push(theme);
  }
  const parked: ParkedNote[] = [];
  for (const [id, value] of doc.getMap(PARKING_KEY).entries()) {
    const note = readParked(id, value);
    if (note) parked.push(note);
  }
  return { synced, notes: notes.sort(byId), themes: themes.sort(byId), parked: parked.sort(byId) };
}

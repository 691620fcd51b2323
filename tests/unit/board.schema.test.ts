import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  insertNote,
  newThemeId,
  notesMap,
  readBoard,
  removeNote,
  removeTheme,
  setNoteLayout,
  setNoteResonance,
  setNoteText,
  setTheme,
  themesMap,
} from '../../shared/board/schema';

function boardWith(notes: { id: string; text: string; batch: number; author?: string }[]): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const n of notes) insertNote(doc, { ...n, kind: 'feeling' });
  });
  return doc;
}

describe('board schema helpers', () => {
  it('reads what the writer inserted, with defaults for the layout and no author in anonymous meetings', () => {
    const doc = boardWith([{ id: 'note-aaaa-1', text: 'a warm room', batch: 0 }]);
    const [note] = readBoard(doc).notes;
    expect(note).toEqual({
      id: 'note-aaaa-1',
      text: 'a warm room',
      kind: 'feeling',
      theme: null,
      highlight: false,
      x: null,
      y: null,
      resonance: 0,
      batch: 0,
    });
    expect(notesMap(doc).get('note-aaaa-1')?.has('author')).toBe(false);
  });

  it('named meetings carry the author', () => {
    const doc = boardWith([{ id: 'note-aaaa-1', text: 'x', batch: 0, author: 'Ada' }]);
    expect(readBoard(doc).notes[0]?.author).toBe('Ada');
  });

  it('sorts notes by their random id, never by insertion or batch', () => {
    const doc = boardWith([
      { id: 'note-zzzz-1', text: 'z', batch: 0 },
      { id: 'note-bbbb-1', text: 'b', batch: 1 },
      { id: 'note-aaaa-1', text: 'a', batch: 1 },
      { id: 'note-cccc-1', text: 'c', batch: 0 },
    ]);
    expect(readBoard(doc).notes.map((n) => n.id)).toEqual([
      'note-aaaa-1',
      'note-bbbb-1',
      'note-cccc-1',
      'note-zzzz-1',
    ]);
  });

  it('edits text, resonance and layout; removing returns the layout so a hidden note comes back in place', () => {
    const doc = boardWith([{ id: 'note-aaaa-1', text: 'first', batch: 0 }]);
    const theme = newThemeId();
    setTheme(doc, theme, 'Guilt');
    expect(setNoteLayout(doc, 'note-aaaa-1', { x: 10, y: -5, theme, highlight: true })).toBe(true);
    expect(setNoteText(doc, 'note-aaaa-1', 'second')).toBe(true);
    expect(setNoteResonance(doc, 'note-aaaa-1', 1)).toBe(true);
    const layout = removeNote(doc, 'note-aaaa-1');
    expect(layout).toEqual({ theme, highlight: true, x: 10, y: -5, resonance: 1 });
    expect(readBoard(doc).notes).toEqual([]);
    expect(removeNote(doc, 'note-aaaa-1')).toBeNull();
    expect(setNoteText(doc, 'note-aaaa-1', 'x')).toBe(false);
    insertNote(doc, {
      id: 'note-aaaa-1',
      text: 'second',
      kind: 'feeling',
      batch: 0,
      layout: layout ?? undefined,
    });
    expect(readBoard(doc).notes[0]).toMatchObject({ text: 'second', x: 10, y: -5, theme, resonance: 1 });
  });

  it('themes: rename in place, remove takes the notes out of the theme', () => {
    const doc = boardWith([{ id: 'note-aaaa-1', text: 'a', batch: 0 }]);
    const theme = newThemeId();
    setTheme(doc, theme, 'Anger');
    setTheme(doc, theme, 'Rage');
    setNoteLayout(doc, 'note-aaaa-1', { theme });
    expect(readBoard(doc).themes).toEqual([{ id: theme, name: 'Rage' }]);
    removeTheme(doc, theme);
    expect(readBoard(doc).themes).toEqual([]);
    expect(readBoard(doc).notes[0]?.theme).toBeNull();
  });

  it('skips malformed entries instead of failing the whole board', () => {
    const doc = boardWith([{ id: 'note-aaaa-1', text: 'good', batch: 0 }]);
    const bad = new Y.Map<unknown>();
    bad.set('text', 42);
    notesMap(doc).set('note-bad-01', bad);
    const nested = new Y.Map<unknown>();
    nested.set('name', new Y.Text('nested'));
    themesMap(doc).set('theme-bad-1', nested);
    expect(readBoard(doc).notes.map((n) => n.id)).toEqual(['note-aaaa-1']);
    expect(readBoard(doc).themes).toEqual([]);
  });
});

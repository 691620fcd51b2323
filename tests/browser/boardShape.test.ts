/**
 * The client reads the board without zod (client/src/connection/boardShape.ts) so that phones do
 * not download it; it must agree with the declared shape (shared/board/schema.ts) on what it
 * renders. Seeded random boards, well-formed and damaged, are read by both.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard as readClient } from '../../client/src/connection/boardShape';
import {
  insertNote,
  notesMap,
  readBoard as readShared,
  setNoteLayout,
  setTheme,
  themesMap,
} from '../../shared/board/schema';
import { NOTE_KINDS } from '../../shared/meeting/phases';

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function boardFrom(seed: number, damaged: boolean): Y.Doc {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const doc = new Y.Doc();
  const themeIds = Array.from({ length: 3 }, (_, i) => `theme-${seed}-${i}`);
  doc.transact(() => {
    for (const id of themeIds) setTheme(doc, id, `Theme ${id}`);
    for (let i = 0; i < 12; i++) {
      const id = `note-${seed}-${i}-${Math.floor(rnd() * 1e6)}`;
      insertNote(doc, {
        id,
        text: `Note ${i} of ${seed}`,
        kind: pick(NOTE_KINDS),
        batch: Math.floor(rnd() * 5),
        ...(rnd() < 0.3 ? { author: 'Named author' } : {}),
      });
      setNoteLayout(doc, id, {
        theme: rnd() < 0.5 ? pick(themeIds) : null,
        highlight: rnd() < 0.3,
        x: rnd() < 0.5 ? null : Math.round(rnd() * 1000),
        y: rnd() < 0.5 ? null : Math.round(rnd() * 1000),
      });
    }
    if (!damaged) return;
    // What a reader must skip: wrong types, unknown fields, unknown kinds, nested types, an empty name.
    const notes = [...notesMap(doc).values()];
    notes[0]?.set('highlight', 'yes');
    notes[1]?.set('kind', 'verdict');
    notes[2]?.set('colour', 'red');
    notes[3]?.set('text', '');
    notes[4]?.set('resonance', -1);
    notes[5]?.set('x', new Y.Map());
    notesMap(doc).set('not-a-map-note', new Y.Array() as unknown as Y.Map<unknown>);
    notes[6]?.set('text', 'x'.repeat(501));
    notes[7]?.set('theme', 'no spaces allowed in ids');
    notes[8]?.set('resonance', 1_001);
    notes[9]?.set('y', 1e9);
    notes[10]?.set('author', 'n'.repeat(61));
    themesMap(doc)
      .get(themeIds[0] as string)
      ?.set('name', '');
    themesMap(doc)
      .get(themeIds[1] as string)
      ?.set('name', 42);
  });
  return doc;
}

describe('the client reads the board as the shared schema does', () => {
  it('agrees on well-formed boards', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const doc = boardFrom(seed, false);
      const client = readClient(doc, true);
      expect({ notes: client.notes, themes: client.themes, parked: client.parked }).toEqual(readShared(doc));
      expect(client.notes).toHaveLength(12);
      doc.destroy();
    }
  });

  it('skips the same damaged entries', () => {
    for (let seed = 41; seed <= 80; seed++) {
      const doc = boardFrom(seed, true);
      const client = readClient(doc, true);
      expect({ notes: client.notes, themes: client.themes, parked: client.parked }).toEqual(readShared(doc));
      expect(client.notes).toHaveLength(1);
      expect(client.themes).toHaveLength(1);
      doc.destroy();
    }
  });
});

import type * as Y from 'yjs';
import {
  notesMap,
  readNote,
  readTheme,
  themesMap,
  type LeaderNoteField,
  type NoteFields,
} from '../../../shared/board/schema';

export type LayoutChange = Partial<Pick<NoteFields, LeaderNoteField>>;

/** One change a leader made to a board copy, as the console can name it. */
export type BoardChange =
  | { kind: 'layout'; noteId: string; change: LayoutChange }
  | { kind: 'theme'; themeId: string; name: string }
  | { kind: 'deleteTheme'; themeId: string; name: string };

/**
 * Enough for a long arranging session between two syncs; older changes of a refused copy are
 * then not named (the board itself is still right: the fresh copy is the server's).
 */
const MAX_TRACKED_CHANGES = 200;

/**
 * WIRE-4: the leader's changes, each with the copy it was made on. A refused copy is thrown away
 * and a fresh one synced; the changes made on earlier copies that the fresh one does not show are
 * the ones the server never applied. Yjs has no per-change acknowledgement: this comparison is
 * the truth the client can know (a change another leader undid meanwhile counts as lost too).
 */
export class ChangeLedger {
  private entries: { doc: Y.Doc; change: BoardChange }[] = [];

  record(doc: Y.Doc, change: BoardChange): void {
    this.entries.push({ doc, change });
    if (this.entries.length > MAX_TRACKED_CHANGES) this.entries.shift();
  }

  /** After `fresh` synced: the changes of earlier copies it lacks; they are forgotten either way. */
  settle(fresh: Y.Doc): BoardChange[] {
    const earlier = this.entries.filter((e) => e.doc !== fresh);
    this.entries = this.entries.filter((e) => e.doc === fresh);
    return earlier.map((e) => e.change).filter((c) => !shows(fresh, c));
  }
}

function shows(doc: Y.Doc, c: BoardChange): boolean {
  switch (c.kind) {
    case 'layout': {
      const note = readNote(c.noteId, notesMap(doc).get(c.noteId));
      if (!note) return false;
      return Object.entries(c.change).every(([key, value]) => {
        const now = note[key as keyof typeof note];
        return (now ?? null) === (value ?? null);
      });
    }
    case 'theme':
      return readTheme(c.themeId, themesMap(doc).get(c.themeId))?.name === c.name;
    case 'deleteTheme':
      return !themesMap(doc).has(c.themeId);
  }
}

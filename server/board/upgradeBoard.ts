import * as Y from 'yjs';
import { notesMap, type NoteLayout } from '../../shared/board/schema';
import type { AsyncStorage } from '../storage/async/types';
import type { NoteRow } from '../storage/types';
import type { BoardRoom } from './room';

/**
 * A board stored by a server before PROTOCOL_VERSION 3 kept `parked` on every note of the public
 * document. The parking lot is the leaders' now (BOARD-9): at load, a parked note leaves the
 * document and its row becomes `parked` with its layout, and the field goes from every other
 * note. Runs once per loaded room; a board without the field is left alone (no update at all).
 */
export async function upgradeParkedField(room: BoardRoom, storage: AsyncStorage): Promise<void> {
  const stale = [...notesMap(room.doc).entries()].filter(
    ([, map]) => map instanceof Y.Map && map.has('parked'),
  );
  if (stale.length === 0) return;
  // The rows are read first: the document's change itself cannot wait for storage.
  const before = new Map<string, NoteRow | null>();
  for (const [id, map] of stale)
    if (map.get('parked') === true) before.set(id, await storage.getNote(room.meetingId, id));
  const rows: NoteRow[] = [];
  await room.commit(
    (doc) => {
      const notes = notesMap(doc);
      for (const [id, map] of stale) {
        if (map.get('parked') !== true) {
          map.delete('parked');
          continue;
        }
        const layout = layoutOf(map);
        notes.delete(id);
        const row = before.get(id);
        if (row?.status === 'released') rows.push({ ...row, status: 'parked', layout });
      }
    },
    async (tx) => {
      for (const row of rows) await tx.putNote(row);
    },
  );
}

function layoutOf(map: Y.Map<unknown>): NoteLayout {
  const theme = map.get('theme');
  const x = map.get('x');
  const y = map.get('y');
  const resonance = map.get('resonance');
  return {
    theme: typeof theme === 'string' ? theme : null,
    highlight: map.get('highlight') === true,
    x: typeof x === 'number' ? x : null,
    y: typeof y === 'number' ? y : null,
    resonance: typeof resonance === 'number' ? resonance : 0,
  };
}

import * as Y from 'yjs';
import { notesMap, type NoteLayout } from '../../shared/board/schema';
import type { Storage } from '../storage/types';
import type { BoardRoom } from './room';

/**
 * A board stored by a server before PROTOCOL_VERSION 3 kept `parked` on every note of the public
 * document. The parking lot is the leaders' now (BOARD-9): at load, a parked note leaves the
 * document and its row becomes `parked` with its layout, and the field goes from every other
 * note. Runs once per loaded room; a board without the field is left alone (no update at all).
 */
export function upgradeParkedField(room: BoardRoom, storage: Storage): void {
  const stale = [...notesMap(room.doc).entries()].filter(
    ([, map]) => map instanceof Y.Map && map.has('parked'),
  );
  if (stale.length === 0) return;
  const rows: (() => void)[] = [];
  room.commit(
    (doc) => {
      const notes = notesMap(doc);
      for (const [id, map] of stale) {
        if (map.get('parked') !== true) {
          map.delete('parked');
          continue;
        }
        const layout = layoutOf(map);
        notes.delete(id);
        const row = storage.getNote(room.meetingId, id);
        if (row?.status === 'released')
          rows.push(() => storage.putNote({ ...row, status: 'parked', layout }));
      }
    },
    () => rows.forEach((write) => write()),
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

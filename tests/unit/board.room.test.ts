import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BoardRoom, COMPACT_AFTER_UPDATES } from '../../server/board/room';
import { openSqliteStorage } from '../../server/storage/sqlite';
import type { Storage } from '../../server/storage/types';
import { insertNote, readBoard, removeNote, setNoteLayout } from '../../shared/board/schema';

let storage: Storage;
afterEach(() => storage?.close());

function open(): Storage {
  storage = openSqliteStorage({ file: ':memory:', synchronous: 'NORMAL' });
  return storage;
}

describe('BoardRoom storage (BOARD-3)', () => {
  it('stores every change before relaying it, and loads the same board again', () => {
    const s = open();
    const room = new BoardRoom('meeting-1', 0, s);
    const sent: Uint8Array[] = [];
    room.join({
      ws: {
        readyState: 1,
        OPEN: 1,
        bufferedAmount: 0,
        send: (d) => {
          // Relayed only after it is stored.
          expect(s.loadBoardUpdates('meeting-1', 0).length).toBeGreaterThan(0);
          sent.push(d);
        },
        close: () => {},
        ping: () => {},
        terminate: () => {},
      },
      meetingId: 'meeting-1',
      seatId: 'seat',
      room,
      awarenessIds: new Set(),
      heldUpdate: null,
      missedPongs: 0,
    });
    room.commit((doc) => insertNote(doc, { id: 'note-aaaa-1', text: 'a', kind: 'feeling', batch: 0 }));
    expect(sent).toHaveLength(1);
    const again = new BoardRoom('meeting-1', 0, s);
    expect(readBoard(again.doc)).toEqual(readBoard(room.doc));
    again.destroy();
    room.destroy();
  });

  it('a change whose rows fail to store is not relayed', () => {
    const s = open();
    const room = new BoardRoom('meeting-1', 0, s);
    expect(() =>
      room.commit(
        (doc) => insertNote(doc, { id: 'note-aaaa-1', text: 'a', kind: 'feeling', batch: 0 }),
        () => {
          throw new Error('disk full');
        },
      ),
    ).toThrow('disk full');
    expect(s.loadBoardUpdates('meeting-1', 0)).toEqual([]);
    room.destroy();
  });

  it('compaction merges the stored updates into one row, keeps every item id, and drops deleted text', () => {
    const s = open();
    const room = new BoardRoom('meeting-1', 0, s);
    const client = new Y.Doc();
    room.doc.on('update', (u: Uint8Array) => Y.applyUpdate(client, u));
    room.commit((doc) =>
      insertNote(doc, { id: 'note-secret-1', text: 'a very private thought', kind: 'feeling', batch: 0 }),
    );
    for (let i = 0; i < COMPACT_AFTER_UPDATES - 3; i++) {
      room.commit((doc) =>
        insertNote(doc, { id: `note-${String(i).padStart(6, '0')}`, text: `n${i}`, kind: 'image', batch: 1 }),
      );
    }
    room.commit((doc) => removeNote(doc, 'note-secret-1'));
    expect(s.loadBoardUpdates('meeting-1', 0).length).toBe(COMPACT_AFTER_UPDATES - 1);
    room.commit((doc) => setNoteLayout(doc, 'note-000000', { x: 1, y: 2 }));
    const rows = s.loadBoardUpdates('meeting-1', 0);
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0] as Uint8Array).includes('a very private thought')).toBe(false);
    const reloaded = new BoardRoom('meeting-1', 0, s);
    expect(Y.equalSnapshots(Y.snapshot(reloaded.doc), Y.snapshot(room.doc))).toBe(true);
    // A connected copy that still holds everything syncs with the compacted board without duplicates.
    Y.applyUpdate(client, Y.encodeStateAsUpdate(reloaded.doc));
    Y.applyUpdate(reloaded.doc, Y.encodeStateAsUpdate(client));
    expect(readBoard(client)).toEqual(readBoard(reloaded.doc));
    expect(readBoard(client).notes).toHaveLength(COMPACT_AFTER_UPDATES - 3);
    reloaded.destroy();
    room.destroy();
  });
});

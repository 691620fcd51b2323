import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BoardRoom, COMPACT_AFTER_UPDATES } from '../../server/board/room';
import { MeetingQueue } from '../../server/core/meetingQueue';
import { openAsyncSqliteStorage } from '../../server/storage/async/open';
import type { AsyncStorage } from '../../server/storage/async/types';
import { insertNote, readBoard, removeNote, setNoteLayout } from '../../shared/board/schema';

let storage: AsyncStorage;
afterEach(() => storage?.close());

/** Counts committed transactions, so that a relay can tell whether its update was stored. */
let commits = 0;
function open(): AsyncStorage {
  const s = openAsyncSqliteStorage({ file: ':memory:', synchronous: 'NORMAL' });
  const transaction = s.transaction.bind(s);
  s.transaction = async (fn) => {
    const result = await transaction(fn);
    commits += 1;
    return result;
  };
  storage = s;
  return s;
}

const queue = new MeetingQueue();
const load = (s: AsyncStorage) =>
  BoardRoom.load('meeting-1', 0, {
    storage: s,
    now: Date.now,
    serialized: (id, job) => queue.run(id, job),
  });

describe('BoardRoom storage (BOARD-3)', () => {
  it('stores every change before relaying it, and loads the same board again', async () => {
    const s = open();
    const room = await load(s);
    const sent: Uint8Array[] = [];
    const before = commits;
    room.join({
      ws: {
        readyState: 1,
        OPEN: 1,
        bufferedAmount: 0,
        send: (d) => {
          // Relayed only after its transaction committed.
          expect(commits).toBeGreaterThan(before);
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
    await room.commit((doc) => insertNote(doc, { id: 'note-aaaa-1', text: 'a', kind: 'feeling', batch: 0 }));
    expect(sent).toHaveLength(1);
    expect(await s.loadBoardUpdates('meeting-1', 0)).toHaveLength(1);
    const again = await load(s);
    expect(readBoard(again.doc)).toEqual(readBoard(room.doc));
    again.destroy();
    room.destroy();
  });

  it('a change whose rows fail to store is not relayed', async () => {
    const s = open();
    const room = await load(s);
    await expect(
      room.commit(
        (doc) => insertNote(doc, { id: 'note-aaaa-1', text: 'a', kind: 'feeling', batch: 0 }),
        () => Promise.reject(new Error('disk full')),
      ),
    ).rejects.toThrow('disk full');
    expect(await s.loadBoardUpdates('meeting-1', 0)).toEqual([]);
    room.destroy();
  });

  it('compaction merges the stored updates into one row, keeps every item id, and drops deleted text', async () => {
    const s = open();
    const room = await load(s);
    const client = new Y.Doc();
    room.doc.on('update', (u: Uint8Array) => Y.applyUpdate(client, u));
    await room.commit((doc) =>
      insertNote(doc, { id: 'note-secret-1', text: 'a very private thought', kind: 'feeling', batch: 0 }),
    );
    for (let i = 0; i < COMPACT_AFTER_UPDATES - 3; i++) {
      await room.commit((doc) =>
        insertNote(doc, { id: `note-${String(i).padStart(6, '0')}`, text: `n${i}`, kind: 'image', batch: 1 }),
      );
    }
    await room.commit((doc) => removeNote(doc, 'note-secret-1'));
    expect((await s.loadBoardUpdates('meeting-1', 0)).length).toBe(COMPACT_AFTER_UPDATES - 1);
    await room.commit((doc) => setNoteLayout(doc, 'note-000000', { x: 1, y: 2 }));
    const rows = await s.loadBoardUpdates('meeting-1', 0);
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0] as Uint8Array).includes('a very private thought')).toBe(false);
    const reloaded = await load(s);
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

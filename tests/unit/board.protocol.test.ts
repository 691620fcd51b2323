/**
 * The board protocol's guard: a frame whose handling throws closes only its own connection, and
 * the board keeps serving everyone else (BOARD-4).
 */
import { encoding } from 'lib0';
import * as syncProtocol from 'y-protocols/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { insertNote, readBoard } from '../../shared/board/schema';
import { MESSAGE_SYNC } from '../../server/board/wire';
import { SimClient, startBoardSim, type BoardSim } from '../helpers/board-sim';

let sim: BoardSim | null = null;
afterEach(() => sim?.close());

function syncStep1(client: SimClient): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, client.doc);
  return encoding.toUint8Array(encoder);
}

describe('board protocol guard (BOARD-4)', () => {
  it('a frame whose handling throws closes that connection with 1011; the others keep syncing', () => {
    sim = startBoardSim(7);
    const broken = new SimClient('broken', sim.memberSeatIds[0] as string, false);
    const reader = new SimClient('reader', sim.memberSeatIds[1] as string, false);
    sim.connect(broken);
    sim.connect(reader);
    sim.flush([broken, reader]);
    const conn = broken.conn;
    if (!conn) throw new Error('not connected');
    conn.ws.send = () => {
      throw new Error('socket exploded');
    };

    expect(() => sim?.protocol.receive(conn, syncStep1(broken), true)).not.toThrow();
    expect(broken.closedWith).toBe(BOARD_CLOSE.SERVER_ERROR);
    expect(conn.room.conns.has(conn)).toBe(false);

    sim.core.commit(sim.meetingId, 0, (doc) =>
      insertNote(doc, { id: 'note-after-1', text: 'still here', kind: 'feeling', batch: 0 }),
    );
    sim.flush([reader]);
    expect(readBoard(reader.doc).notes.map((n) => n.id)).toEqual(['note-after-1']);
    reader.destroy();
    broken.destroy();
  });
});

/**
 * The board protocol's guard: a frame whose handling throws closes only its own connection, and
 * the board keeps serving everyone else (BOARD-4).
 */
import { encoding } from 'lib0';
import * as syncProtocol from 'y-protocols/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { insertNote, readBoard } from '../../shared/board/schema';
import { KEEP_ALIVE_FRAME, MESSAGE_SYNC } from '../../server/board/wire';
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
  it('a frame whose handling throws closes that connection with 1011; the others keep syncing', async () => {
    sim = await startBoardSim(7);
    const broken = new SimClient('broken', sim.memberSeatIds[0] as string, false);
    const reader = new SimClient('reader', sim.memberSeatIds[1] as string, false);
    await sim.connect(broken);
    await sim.connect(reader);
    await sim.flush([broken, reader]);
    const conn = broken.conn;
    if (!conn) throw new Error('not connected');
    conn.ws.send = () => {
      throw new Error('socket exploded');
    };

    await expect(sim.protocol.receive(conn, syncStep1(broken), true)).resolves.toBeUndefined();
    expect(broken.closedWith).toBe(BOARD_CLOSE.SERVER_ERROR);
    expect(conn.room.conns.has(conn)).toBe(false);

    await sim.core.commit(sim.meetingId, 0, (doc) =>
      insertNote(doc, { id: 'note-after-1', text: 'still here', kind: 'feeling', batch: 0 }),
    );
    await sim.flush([reader]);
    expect(readBoard(reader.doc).notes.map((n) => n.id)).toEqual(['note-after-1']);
    reader.destroy();
    broken.destroy();
  });
});

describe('board keep-alive round (BOARD-6)', () => {
  const INTERVAL = 10_000;
  const keepAlives = (client: SimClient) =>
    client.inbox.filter((f) => Buffer.from(f).equals(Buffer.from(KEEP_ALIVE_FRAME))).length;

  it('skips the frame for a connection sent something within half an interval; everyone hears from the server at least every 1.5 intervals', async () => {
    sim = await startBoardSim(11);
    const busy = new SimClient('busy', sim.memberSeatIds[0] as string, false);
    const quiet = new SimClient('quiet', sim.memberSeatIds[1] as string, false);
    await sim.connect(busy);
    await sim.connect(quiet);
    await sim.flush([busy, quiet]);
    const busyConn = busy.conn;
    const quietConn = quiet.conn;
    if (!busyConn || !quietConn) throw new Error('not connected');
    for (const conn of [busyConn, quietConn]) conn.ws.ping = () => sim?.protocol.heard(conn); // alive
    const heardAt = new Map([
      [busy, sim.clock.now()],
      [quiet, sim.clock.now()],
    ]);
    let longestSilence = 0;
    for (let round = 1; round <= 6; round++) {
      // 4 s before every round the busy client resyncs: the server answers it (a sync step 2).
      sim.clock.advance(INTERVAL - 4_000);
      await sim.protocol.receive(busyConn, syncStep1(busy), true);
      expect(busy.inbox.length).toBe(1);
      heardAt.set(busy, sim.clock.now());
      sim.clock.advance(4_000);
      busy.inbox.length = 0;
      quiet.inbox.length = 0;
      for (const at of heardAt.values()) longestSilence = Math.max(longestSilence, sim.clock.now() - at);
      await sim.protocol.tick(INTERVAL);
      expect(busy.inbox).toEqual([]);
      expect(keepAlives(quiet)).toBe(1);
      heardAt.set(quiet, sim.clock.now());
    }
    // A connection answered 4.9 s before a round is skipped and hears the next round: 14.9 s.
    busy.inbox.length = 0;
    sim.clock.advance(INTERVAL - 4_900);
    await sim.protocol.receive(busyConn, syncStep1(busy), true);
    sim.clock.advance(4_900);
    await sim.protocol.tick(INTERVAL);
    expect(keepAlives(busy)).toBe(0);
    sim.clock.advance(INTERVAL);
    await sim.protocol.tick(INTERVAL);
    expect(keepAlives(busy)).toBe(1);
    expect(longestSilence).toBeLessThanOrEqual(1.5 * INTERVAL);
    expect(busyConn.room.conns.has(busyConn)).toBe(true);
    busy.destroy();
    quiet.destroy();
  });

  it('a connection sent nothing recently gets the frame; one that answers nothing for three pinged rounds is dropped', async () => {
    sim = await startBoardSim(12);
    const alive = new SimClient('alive', sim.memberSeatIds[0] as string, false);
    const dead = new SimClient('dead', sim.memberSeatIds[1] as string, false);
    await sim.connect(alive);
    await sim.connect(dead);
    await sim.flush([alive, dead]);
    const aliveConn = alive.conn;
    const deadConn = dead.conn;
    if (!aliveConn || !deadConn) throw new Error('not connected');
    let pings = 0;
    aliveConn.ws.ping = () => sim?.protocol.heard(aliveConn); // answers every ping
    deadConn.ws.ping = () => void (pings += 1); // never answers
    let terminated = false;
    const terminate = deadConn.ws.terminate.bind(deadConn.ws);
    deadConn.ws.terminate = () => {
      terminated = true;
      terminate();
    };
    for (let round = 1; round <= 3; round++) {
      alive.inbox.length = 0;
      dead.inbox.length = 0;
      sim.clock.advance(INTERVAL);
      await sim.protocol.tick(INTERVAL);
      expect(keepAlives(alive)).toBe(1);
      expect(keepAlives(dead)).toBe(1);
    }
    expect(pings).toBe(3);
    expect(terminated).toBe(false);
    sim.clock.advance(INTERVAL);
    await sim.protocol.tick(INTERVAL);
    expect(terminated).toBe(true);
    expect(deadConn.room.conns.has(deadConn)).toBe(false);
    expect(aliveConn.room.conns.has(aliveConn)).toBe(true);
    alive.destroy();
    dead.destroy();
  });

  it('a round over thousands of connections yields to the event loop between slices', async () => {
    sim = await startBoardSim(13);
    const clients: SimClient[] = [];
    for (let i = 0; i < 1_000; i++) {
      const c = new SimClient(`c${i}`, sim.memberSeatIds[i % 3] as string, false);
      await sim.connect(c);
      clients.push(c);
    }
    sim.clock.advance(INTERVAL);
    let yielded = false;
    setImmediate(() => (yielded = true));
    const done = sim.protocol.tick(INTERVAL);
    expect(sim.protocol.tick(INTERVAL)).toBe(done); // one round at a time
    await done;
    expect(yielded).toBe(true);
    expect(clients.every((c) => keepAlives(c) === 1)).toBe(true);
    for (const c of clients) c.destroy();
  });
});

/**
 * The board server without sockets: the real hub, storage (in-memory SQLite), BoardCore and
 * board protocol, with in-memory clients whose frames the test delivers one at a time in any
 * order it likes (tldraw's TestSocketPair idea). Clients speak y-protocols' sync exactly as a
 * stock y-websocket provider does.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { BoardCore } from '../../server/board/core';
import { createBoardProtocol } from '../../server/board/protocol';
import type { BoardConnection, BoardSink } from '../../server/board/room';
import { DEFAULT_LEADER_LIMITS } from '../../server/board/updateCheck';
import { MESSAGE_SYNC, updateFrame } from '../../server/board/wire';
import { ManualClock } from '../../server/core/clock';
import { MeetingHub } from '../../server/core/hub';
import { silentLogger } from '../../server/core/logger';
import { seededRandom } from '../../server/core/random';
import { seededId } from './board-fixture';
import { openAsyncSqliteStorage } from '../../server/storage/async/open';
import type { AsyncStorage } from '../../server/storage/async/types';
import { findBuiltInTemplate } from '../../shared/meeting/templates';

export class SimClient {
  readonly doc = new Y.Doc();
  /** Server to client, in order. */
  readonly inbox: Uint8Array[] = [];
  /** Client to server, in order. */
  readonly outbox: Uint8Array[] = [];
  conn: BoardConnection | null = null;
  closedWith: number | null = null;
  closedReason: string | null = null;

  constructor(
    readonly label: string,
    readonly seatId: string,
    readonly leader: boolean,
  ) {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this && this.conn) this.outbox.push(updateFrame(update));
    });
  }

  get connected(): boolean {
    return this.conn !== null;
  }

  sink(): BoardSink {
    return {
      readyState: 1,
      OPEN: 1,
      bufferedAmount: 0,
      send: (data) => this.inbox.push(data.slice()),
      close: (code, reason) => {
        this.closedWith = code;
        this.closedReason = reason;
        this.drop();
      },
      ping: () => {},
      terminate: () => this.drop(),
    };
  }

  /** The connection is gone: whatever was in flight is lost. */
  drop(): void {
    this.conn = null;
    this.inbox.length = 0;
    this.outbox.length = 0;
  }

  /** Applies one server frame as a stock provider does, answering a sync step 1. */
  receive(frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return; // awareness: nothing to check here
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
    if (encoding.length(encoder) > 1 && this.conn) this.outbox.push(encoding.toUint8Array(encoder));
  }

  destroy(): void {
    this.doc.destroy();
  }
}

export interface BoardSim {
  clock: ManualClock;
  hub: MeetingHub;
  storage: AsyncStorage;
  core: BoardCore;
  protocol: ReturnType<typeof createBoardProtocol>;
  meetingId: string;
  leaderSeatId: string;
  memberSeatIds: string[];
  connect(client: SimClient): Promise<void>;
  disconnect(client: SimClient): void;
  /** Delivers the first frame of one queue: a client's inbox (to it) or outbox (to the server). */
  deliver(client: SimClient, direction: 'in' | 'out'): Promise<void>;
  /** Delivers everything until every queue is empty. */
  flush(clients: readonly SimClient[]): Promise<void>;
  close(): Promise<void>;
}

/** A running meeting in its speculation phase, with `members` participants joined. */
export async function startBoardSim(seed: number, members = 3): Promise<BoardSim> {
  const storage = openAsyncSqliteStorage({ file: ':memory:', synchronous: 'NORMAL' });
  const clock = new ManualClock();
  const hub = new MeetingHub({ storage, clock, logger: silentLogger, inactivityLimitMs: 24 * 3_600_000 });
  const template = findBuiltInTemplate('classic-90-one-case');
  if (!template) throw new Error('no template');
  const created = await hub.create({ title: 'sim', template });
  const meetingId = created.state.id;
  const leaderSeatId = created.state.seats[0]?.id as string;
  const memberSeatIds: string[] = [];
  for (let i = 0; i < members; i++) {
    const joined = await hub.join(created.joinCode, `Member ${i}`, 'participant');
    if (!joined.ok) throw new Error('join failed');
    memberSeatIds.push(joined.value.seatId);
  }
  const leader = { kind: 'seat' as const, seatId: leaderSeatId };
  const must = (r: { ok: boolean }) => {
    if (!r.ok) throw new Error('command failed');
  };
  must(await hub.run(meetingId, leader, { type: 'meeting:start' }));
  const speculation = created.state.phases.find((p) => p.kind === 'speculation');
  must(await hub.run(meetingId, leader, { type: 'phase:jump', phaseId: speculation?.id ?? '' }));

  const ids = seededRandom(seed + 1);
  const core = new BoardCore({
    hub,
    storage,
    clock,
    random: seededRandom(seed),
    logger: silentLogger,
    newNoteId: () => seededId(ids),
  });
  const protocol = createBoardProtocol(core, { leaderLimits: DEFAULT_LEADER_LIMITS });

  const sim: BoardSim = {
    clock,
    hub,
    storage,
    core,
    protocol,
    meetingId,
    leaderSeatId,
    memberSeatIds,
    async connect(client) {
      if (client.conn) return;
      const conn = await protocol.open(client.sink(), { meetingId, seatId: client.seatId, caseIndex: 0 });
      client.conn = conn;
      // A stock provider's first message is always its sync step 1.
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeSyncStep1(encoder, client.doc);
      client.outbox.push(encoding.toUint8Array(encoder));
    },
    disconnect(client) {
      if (client.conn) client.conn.room.leave(client.conn);
      client.drop();
    },
    async deliver(client, direction) {
      const queue = direction === 'in' ? client.inbox : client.outbox;
      const frame = queue.shift();
      if (!frame) return;
      if (direction === 'in') client.receive(frame);
      else if (client.conn) await protocol.receive(client.conn, frame, true);
    },
    async flush(clients) {
      for (;;) {
        const busy = clients.find((c) => c.inbox.length > 0 || c.outbox.length > 0);
        if (!busy) return;
        await sim.deliver(busy, busy.outbox.length > 0 ? 'out' : 'in');
      }
    },
    async close() {
      await core.close(1001, 'done');
      hub.stop();
      await storage.close();
    },
  };
  return sim;
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { boardAccess } from '../../shared/board/access';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { BOARD_PATH, BOARD_SUBPROTOCOL } from '../../shared/protocol';
import type { TimerHandle } from '../core/clock';
import { BOARDS_PER_SEAT } from '../limits/budgets';
import { newId } from '../security/tokens';
import type { OpenBoard } from '../socket/types';
import type { BoardSeatPeers, LocalBoardSeats } from './seatPeers';
import { seatKey, SeatConnections, type Limits } from '../limits/seatLimits';
import type { ClientAddress } from '../security/clientAddress';
import { originAllowed } from '../security/origin';
import type { BoardCore } from './core';
import { createBoardProtocol, type Admitted } from './protocol';
import type { BoardConnection } from './room';
import type { LeaderUpdateLimits } from './updateCheck';

export interface BoardSocketOptions {
  publicOrigin: string | null;
  /** How often every board connection hears from the server (a stock client gives up after 30 s). */
  keepAliveMs: number;
  /** The largest frame a client may send; `ws` closes bigger ones with 1009. */
  maxPayloadBytes: number;
  leaderLimits: LeaderUpdateLimits;
  limits: Limits;
  clientAddress: ClientAddress;
  /** Several processes (SCALE-22): the other processes' connections of a seat, for LIMIT-4. */
  peers?: (local: LocalBoardSeats) => BoardSeatPeers;
}

const CLOSE_GRACE_MS = 1_000;
/** Frames one connection may have waiting for their budget; past it the connection is closed. */
const MAX_QUEUED_FRAMES = 500;
const ROOM_PATH = new RegExp(`^${BOARD_PATH}/([A-Za-z0-9_-]{1,64})/(\\d{1,2})$`);

type Admission = { kind: 'refuse'; code: number; reason: string } | ({ kind: 'admit' } & Admitted);

const RATE_LIMITED: Admission = {
  kind: 'refuse',
  code: BOARD_CLOSE.RATE_LIMITED,
  reason: 'rate-limited: too many connections, try again later',
};

/**
 * The y-websocket endpoint: a small server on `ws` and y-protocols. Refusals accept the upgrade
 * and close at once with a 44xx code and a reason, which a stock client takes as final.
 */
export function createBoardSockets(core: BoardCore, opts: BoardSocketOptions) {
  const { hub, logger, clock } = core.deps;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayloadBytes,
    perMessageDeflate: false,
    // Only our subprotocol is ever echoed: never the token that follows it in the list.
    handleProtocols: (protocols) => (protocols.has(BOARD_SUBPROTOCOL) ? BOARD_SUBPROTOCOL : false),
  });
  const protocol = createBoardProtocol(core, { leaderLimits: opts.leaderLimits });
  let keepAlive: TimerHandle | null = null;
  let closing = false;
  let connections = 0;
  // Past the cap a seat's oldest connection to a board goes, never the new one (LIMIT-4).
  const open = new SeatConnections<BoardConnection>(BOARDS_PER_SEAT, (oldest) =>
    protocol.closeConn(
      oldest,
      BOARD_CLOSE.SUPERSEDED,
      `at most ${BOARDS_PER_SEAT} board connections per seat`,
    ),
  );
  const boardKey = (conn: BoardConnection) =>
    `${seatKey(conn.meetingId, conn.seatId)}/${conn.room.caseIndex}`;
  // Ids and open times of this process's connections, as the other processes are told them.
  const processTag = newId();
  const opened = new WeakMap<BoardConnection, OpenBoard>();
  const local: LocalBoardSeats = {
    list: (key) => open.of(key).flatMap((c) => opened.get(c) ?? []),
    close(key, ids) {
      for (const conn of [...open.of(key)]) {
        if (!ids.includes(opened.get(conn)?.id ?? '')) continue;
        protocol.closeConn(
          conn,
          BOARD_CLOSE.SUPERSEDED,
          `at most ${BOARDS_PER_SEAT} board connections per seat`,
        );
      }
    },
  };
  const peers = opts.peers?.(local) ?? null;

  /**
   * LIMIT-4 across processes (SCALE-22): the seat's connections to the board on every process;
   * past the cap the oldest are closed wherever they are. Every process that opens one decides
   * from the same list, so they agree on which go. Unanswered, only this process's cap holds.
   */
  async function capAcrossProcesses(key: string): Promise<void> {
    if (!peers) return;
    let theirs: OpenBoard[];
    try {
      theirs = await peers.list(key);
    } catch (error) {
      logger.warn('board.peers_unanswered', { error: error instanceof Error ? error.name : 'unknown' });
      return;
    }
    const mine = local.list(key);
    const all = [...mine, ...theirs].sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
    const oldest = all.slice(0, Math.max(0, all.length - BOARDS_PER_SEAT)).map((b) => b.id);
    if (oldest.length === 0) return;
    local.close(key, oldest);
    const elsewhere = oldest.filter((id) => !mine.some((m) => m.id === id));
    if (elsewhere.length > 0) peers.close(key, elsewhere);
  }
  opts.limits.onFlood((seat) => {
    const meetingId = seat.slice(0, seat.indexOf('/'));
    for (const room of core.loadedRooms(meetingId)) {
      for (const conn of [...room.conns]) {
        if (seatKey(conn.meetingId, conn.seatId) === seat) {
          protocol.closeConn(conn, BOARD_CLOSE.RATE_LIMITED, 'rate-limited: too many requests');
        }
      }
    }
  });

  async function admit(req: IncomingMessage, path: string): Promise<Admission> {
    if (!originAllowed(req.headers.origin, req.headers.host, opts.publicOrigin)) {
      return { kind: 'refuse', code: BOARD_CLOSE.FORBIDDEN, reason: 'origin not allowed' };
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const token = offered[0] === BOARD_SUBPROTOCOL ? offered[1] : undefined;
    const seat = token ? await hub.authenticate(token) : null;
    if (!seat)
      return { kind: 'refuse', code: BOARD_CLOSE.BAD_TOKEN, reason: 'unknown or missing seat token' };
    const match = ROOM_PATH.exec(path);
    if (!match) return { kind: 'refuse', code: BOARD_CLOSE.NOT_FOUND, reason: 'no such board' };
    const meetingId = match[1] as string;
    const caseIndex = Number(match[2]);
    if (meetingId !== seat.meetingId) {
      return { kind: 'refuse', code: BOARD_CLOSE.FORBIDDEN, reason: 'this token belongs to another meeting' };
    }
    const access = boardAccess(hub.state(meetingId), seat.seatId, caseIndex);
    if (access.kind === 'refuse') return access;
    return { kind: 'admit', meetingId, seatId: seat.seatId, caseIndex };
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== BOARD_PATH && !path.startsWith(`${BOARD_PATH}/`)) return false;
    if (closing) {
      socket.destroy();
      return true;
    }
    void admitWithinBudget(req, path).then((admission) => {
      if (closing || socket.destroyed) return void socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, admission));
    });
    return true;
  }

  /** The address's and the seat's budgets, then the seat's rights; never throws. */
  async function admitWithinBudget(req: IncomingMessage, path: string): Promise<Admission> {
    try {
      const byAddress = await opts.limits.connect(opts.clientAddress(req));
      if (!byAddress.ok) return RATE_LIMITED;
      const admission = await admit(req, path);
      if (admission.kind === 'refuse') return admission;
      const bySeat = await opts.limits.boardUpgrade(seatKey(admission.meetingId, admission.seatId));
      return bySeat.ok ? admission : RATE_LIMITED;
    } catch (error) {
      // An upgrade handler that throws would end the process (storage failing on the token look-up).
      logger.error('board.admit_failed', { error: error instanceof Error ? error.name : 'unknown' });
      return { kind: 'refuse', code: BOARD_CLOSE.SERVER_ERROR, reason: 'server error' };
    }
  }

  function accept(ws: WebSocket, admission: Admission): void {
    ws.on('error', () => {});
    if (admission.kind === 'refuse') {
      logger.info('board.refused', { code: admission.code });
      ws.close(admission.code, admission.reason);
      return;
    }
    const { meetingId } = admission;
    // The board loads (and the connection joins it) as one of the meeting's jobs (SCALE-5).
    const opening = hub.serialized(meetingId, () => protocol.open(ws, admission)).catch(() => null);
    const id = `board-${(connections += 1)}`;
    const seat = seatKey(meetingId, admission.seatId);
    // Frames wait for the opening, then for their budget, in arrival order (LIMIT-8); each is
    // handled as one of the meeting's jobs.
    let tail: Promise<unknown> = opening;
    let queued = 0;
    ws.on('message', (data, isBinary) => {
      if (queued >= MAX_QUEUED_FRAMES) {
        void opening.then(
          (conn) =>
            conn &&
            protocol.closeConn(conn, BOARD_CLOSE.RATE_LIMITED, 'rate-limited: too many frames waiting'),
        );
        return;
      }
      const bytes = toBytes(data);
      queued += 1;
      tail = tail
        .then(async () => {
          const conn = await opening;
          if (!conn || !conn.room.conns.has(conn)) return;
          const verdict = await opts.limits.frame(id, seat);
          if (!verdict.ok) {
            return protocol.closeConn(conn, BOARD_CLOSE.RATE_LIMITED, 'rate-limited: too many frames');
          }
          await hub.serialized(meetingId, () => protocol.receive(conn, bytes, isBinary));
        })
        // receive closes its own connection on a failure; a failed budget look-up drops the frame.
        .catch(() => {})
        .finally(() => (queued -= 1));
    });
    ws.on('pong', () => void opening.then((conn) => conn && protocol.heard(conn)));
    ws.on('close', () => {
      void opening.then((conn) => {
        if (!conn) return;
        conn.room.leave(conn);
        open.remove(boardKey(conn), conn);
      });
    });
    void opening.then((conn) => {
      // A socket closed while its board loaded is not counted against its seat.
      if (!conn || !conn.room.conns.has(conn)) return;
      opened.set(conn, { id: `${processTag}-${id}`, openedAt: clock.now() });
      open.add(boardKey(conn), conn);
      if (peers) void capAcrossProcesses(boardKey(conn));
    });
  }

  function arm(): void {
    keepAlive = closing
      ? null
      : clock.setTimer(clock.now() + opts.keepAliveMs, () => {
          // The round runs in slices; the next one is due an interval after this one started.
          void protocol.tick(opts.keepAliveMs).catch((error: unknown) => {
            logger.error('board.keepalive_failed', {
              error: error instanceof Error ? error.name : 'unknown',
            });
          });
          arm();
        });
  }
  arm();

  return {
    handleUpgrade,
    review: protocol.review,
    /** Stops the keep-alive; call after the rooms closed their connections (close frames sent). */
    async close(): Promise<void> {
      closing = true;
      keepAlive?.cancel();
      const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
      // A client that never answers the close handshake is cut after a short grace.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        closed,
        new Promise<void>((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS))),
      ]);
      clearTimeout(grace);
      for (const ws of wss.clients) ws.terminate();
    },
  };
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

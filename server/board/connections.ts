import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import * as Y from 'yjs';
import { boardAccess } from '../../shared/board/access';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { BOARD_PATH, BOARD_SUBPROTOCOL } from '../../shared/protocol';
import { originAllowed } from '../app';
import type { TimerHandle } from '../core/clock';
import type { BoardCore } from './core';
import { send, type BoardConnection } from './room';
import { checkLeaderUpdate, checkReadOnlyUpdate, type LeaderUpdateLimits } from './updateCheck';
import { KEEP_ALIVE_FRAME, parseBoardMessage, syncStep1Frame, syncStep2Frame } from './wire';

export interface BoardSocketOptions {
  publicOrigin: string | null;
  /** How often every board connection hears from the server (a stock client gives up after 30 s). */
  keepAliveMs: number;
  /** The largest frame a client may send; `ws` closes bigger ones with 1009. */
  maxPayloadBytes: number;
  leaderLimits: LeaderUpdateLimits;
}

/** Keep-alive rounds without a pong before a connection counts as dead (half-open TCP, lost phones). */
const MAX_MISSED_PONGS = 3;
const CLOSE_GRACE_MS = 1_000;
const ROOM_PATH = new RegExp(`^${BOARD_PATH}/([A-Za-z0-9_-]{1,64})/(\\d{1,2})$`);

type Admission =
  | { kind: 'refuse'; code: number; reason: string }
  | { kind: 'admit'; meetingId: string; seatId: string; caseIndex: number };

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
  let keepAlive: TimerHandle | null = null;
  let closing = false;

  function admit(req: IncomingMessage, path: string): Admission {
    if (!originAllowed(req.headers.origin, req.headers.host, opts.publicOrigin)) {
      return { kind: 'refuse', code: BOARD_CLOSE.FORBIDDEN, reason: 'origin not allowed' };
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const token = offered[0] === BOARD_SUBPROTOCOL ? offered[1] : undefined;
    const seat = token ? hub.authenticate(token) : null;
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
    const admission = admit(req, path);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {});
      if (admission.kind === 'refuse') {
        logger.info('board.refused', { code: admission.code });
        ws.close(admission.code, admission.reason);
        return;
      }
      open(ws, admission);
    });
    return true;
  }

  function open(ws: WebSocket, a: { meetingId: string; seatId: string; caseIndex: number }): void {
    let conn: BoardConnection;
    try {
      const room = core.room(a.meetingId, a.caseIndex);
      conn = { ws, meetingId: a.meetingId, seatId: a.seatId, room, awarenessIds: new Set(), missedPongs: 0 };
      room.join(conn);
    } catch {
      logger.error('board.load_failed', { meetingId: a.meetingId, caseIndex: a.caseIndex });
      ws.close(1011, 'server error');
      return;
    }
    ws.on('message', (data, isBinary) => onMessage(conn, data, isBinary));
    ws.on('pong', () => void (conn.missedPongs = 0));
    ws.on('close', () => conn.room.leave(conn));
    send(conn, syncStep1Frame(conn.room.doc));
    const awareness = conn.room.awarenessSnapshot();
    if (awareness) send(conn, awareness);
    logger.debug('board.connected', { meetingId: a.meetingId, caseIndex: a.caseIndex });
  }

  function onMessage(conn: BoardConnection, data: RawData, isBinary: boolean): void {
    if (!conn.room.conns.has(conn)) return;
    conn.missedPongs = 0;
    if (!isBinary) return closeConn(conn, BOARD_CLOSE.MALFORMED, 'binary frames only');
    const access = boardAccess(hub.state(conn.meetingId), conn.seatId, conn.room.caseIndex);
    if (access.kind === 'refuse') return closeConn(conn, access.code, access.reason);
    const parsed = parseBoardMessage(toBytes(data));
    if (!parsed.ok) return closeConn(conn, BOARD_CLOSE.MALFORMED, `malformed message: ${parsed.reason}`);
    const message = parsed.message;
    switch (message.type) {
      case 'sync-step-1':
        send(conn, syncStep2Frame(conn.room.doc, message.stateVector));
        return;
      case 'sync-step-2':
      case 'sync-update': {
        if (access.kind === 'write') return leaderUpdate(conn, message.update);
        const verdict = checkReadOnlyUpdate(conn.room.doc, message.update);
        if (verdict.kind === 'refused') {
          logger.info('board.write_refused', { meetingId: conn.meetingId, code: verdict.code });
          closeConn(conn, verdict.code, verdict.reason);
        }
        return;
      }
      case 'awareness':
        // Non-leaders' awareness would carry a client id and timing: it is dropped, never relayed.
        if (access.kind === 'write') conn.room.applyLeaderAwareness(conn, message.update);
        return;
      case 'query-awareness': {
        const frame = conn.room.awarenessSnapshot();
        if (frame) send(conn, frame);
        return;
      }
    }
  }

  function leaderUpdate(conn: BoardConnection, update: Uint8Array): void {
    const room = conn.room;
    const verdict = checkLeaderUpdate(room.doc, update, opts.leaderLimits);
    if (verdict.kind === 'nothing-new') return;
    if (verdict.kind === 'refused') {
      logger.warn('board.leader_update_refused', { meetingId: conn.meetingId, code: verdict.code });
      return closeConn(conn, verdict.code, verdict.reason);
    }
    try {
      core.commit(conn.meetingId, room.caseIndex, (doc) => Y.applyUpdate(doc, update, conn), undefined, conn);
    } catch {
      logger.error('board.store_failed', { meetingId: conn.meetingId, caseIndex: room.caseIndex });
    }
  }

  function closeConn(conn: BoardConnection, code: number, reason: string): void {
    conn.room.leave(conn);
    conn.ws.close(code, truncateReason(reason));
  }

  /** Closes the connections that may no longer hold their board (phase, case, role, seat). */
  function review(meetingId: string): void {
    const state = hub.state(meetingId);
    for (const room of core.loadedRooms(meetingId)) {
      for (const conn of [...room.conns]) {
        const access = boardAccess(state, conn.seatId, room.caseIndex);
        if (access.kind === 'refuse') closeConn(conn, access.code, access.reason);
      }
    }
  }

  function tick(): void {
    for (const room of core.loadedRooms()) {
      for (const conn of [...room.conns]) {
        if (conn.missedPongs >= MAX_MISSED_PONGS) {
          room.leave(conn);
          conn.ws.terminate();
          continue;
        }
        conn.missedPongs += 1;
        if (conn.ws.readyState === conn.ws.OPEN) conn.ws.ping();
        send(conn, KEEP_ALIVE_FRAME);
      }
    }
    arm();
  }

  function arm(): void {
    keepAlive = closing ? null : clock.setTimer(clock.now() + opts.keepAliveMs, tick);
  }

  core.onRoomDropped = (room, code, reason) => {
    for (const conn of [...room.conns]) closeConn(conn, code, reason);
  };
  arm();

  return {
    handleUpgrade,
    review,
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

/** A close reason is at most 123 bytes of UTF-8. */
function truncateReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > 120) r = r.slice(0, -1);
  return r;
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData } from 'ws';
import { boardAccess } from '../../shared/board/access';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { BOARD_PATH, BOARD_SUBPROTOCOL } from '../../shared/protocol';
import { originAllowed } from '../security/origin';
import type { TimerHandle } from '../core/clock';
import type { BoardCore } from './core';
import { createBoardProtocol, type Admitted } from './protocol';
import type { LeaderUpdateLimits } from './updateCheck';

export interface BoardSocketOptions {
  publicOrigin: string | null;
  /** How often every board connection hears from the server (a stock client gives up after 30 s). */
  keepAliveMs: number;
  /** The largest frame a client may send; `ws` closes bigger ones with 1009. */
  maxPayloadBytes: number;
  leaderLimits: LeaderUpdateLimits;
}

const CLOSE_GRACE_MS = 1_000;
const ROOM_PATH = new RegExp(`^${BOARD_PATH}/([A-Za-z0-9_-]{1,64})/(\\d{1,2})$`);

type Admission = { kind: 'refuse'; code: number; reason: string } | ({ kind: 'admit' } & Admitted);

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
    let admission: Admission;
    try {
      admission = admit(req, path);
    } catch (error) {
      // An upgrade handler that throws would end the process (storage failing on the token look-up).
      logger.error('board.admit_failed', { error: error instanceof Error ? error.name : 'unknown' });
      admission = { kind: 'refuse', code: BOARD_CLOSE.SERVER_ERROR, reason: 'server error' };
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {});
      if (admission.kind === 'refuse') {
        logger.info('board.refused', { code: admission.code });
        ws.close(admission.code, admission.reason);
        return;
      }
      const conn = protocol.open(ws, admission);
      if (!conn) return;
      ws.on('message', (data, isBinary) => protocol.receive(conn, toBytes(data), isBinary));
      ws.on('pong', () => protocol.heard(conn));
      ws.on('close', () => conn.room.leave(conn));
    });
    return true;
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

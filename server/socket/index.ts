import { ERROR_CODES as E } from '../../shared/errors';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import type { BoardService } from '../board/service';
import { answerSafely } from '../core/answer';
import type { Clock } from '../core/clock';
import type { MeetingHub } from '../core/hub';
import type { Logger } from '../core/logger';
import { SOCKETS_PER_SEAT } from '../limits/budgets';
import { seatKey, SeatConnections, type Limits } from '../limits/seatLimits';
import type { ClientAddress } from '../security/clientAddress';
import { meetingRoom, seatRoom } from './broadcaster';
import { createEventGuard } from './eventGuard';
import { handleMeetingCommand } from './handlers/meetingCommand';
import type { AppServer, AppSocket } from './types';

interface SocketDeps {
  hub: MeetingHub;
  clock: Clock;
  logger: Logger;
  board: BoardService | null;
  limits: Limits;
  clientAddress: ClientAddress;
  /** SCALE-20: other processes serve the same meetings (Redis), so the seat cap counts theirs. */
  acrossProcesses?: boolean;
}

class HandshakeError extends Error {
  data: { code: string; retryAfterMs?: number };
  constructor(code: string, message: string, retryAfterMs?: number) {
    super(message);
    this.data = retryAfterMs === undefined ? { code } : { code, retryAfterMs };
  }
}

export function attachSocketHandlers(io: AppServer, deps: SocketDeps): void {
  const { hub, clock, logger, limits } = deps;
  // Past the cap a seat's oldest connection goes, never the new one (LIMIT-4).
  const tookOver = {
    code: E.LIMIT_REACHED,
    message: `at most ${SOCKETS_PER_SEAT} connections per seat: a newer one took over`,
  };
  const open = new SeatConnections<AppSocket>(SOCKETS_PER_SEAT, (oldest) => {
    oldest.emit('connection:closed', tookOver);
    oldest.disconnect(true);
  });
  /**
   * LIMIT-4 across processes (SCALE-20): the seat's sockets on every process, through the
   * adapter; past the cap the oldest go, wherever they are.
   */
  async function capAcrossProcesses(meetingId: string, seatId: string): Promise<void> {
    const sockets = await io.in(seatRoom(meetingId, seatId)).fetchSockets();
    if (sockets.length <= SOCKETS_PER_SEAT) return;
    const oldest = [...sockets].sort((a, b) => a.handshake.issued - b.handshake.issued);
    for (const socket of oldest.slice(0, sockets.length - SOCKETS_PER_SEAT)) {
      socket.emit('connection:closed', tookOver);
      socket.disconnect(true);
    }
  }
  limits.onFlood((seat, retryAfterMs) => {
    for (const socket of [...open.of(seat)]) {
      socket.emit('connection:closed', { code: E.RATE_LIMITED, message: 'too many requests', retryAfterMs });
      socket.disconnect(true);
    }
  });

  io.use((socket, next) => {
    handshake(socket).then(next, (error: unknown) => {
      logger.error('socket.handshake_failed', { error: error instanceof Error ? error.name : 'unknown' });
      next(new HandshakeError(E.UNAVAILABLE, 'the server could not check this seat, try again'));
    });
  });

  async function handshake(socket: AppSocket): Promise<HandshakeError | undefined> {
    const auth = socket.handshake.auth as Partial<Record<string, unknown>>;
    if (auth.protocolVersion !== PROTOCOL_VERSION) {
      return new HandshakeError(E.PROTOCOL_MISMATCH, `server speaks protocol ${PROTOCOL_VERSION}`);
    }
    // Per address first, so that guessing tokens is limited too.
    const byAddress = await limits.connect(deps.clientAddress(socket.request));
    if (!byAddress.ok)
      return new HandshakeError(E.RATE_LIMITED, 'too many connections', byAddress.retryAfterMs);
    const seat = typeof auth.token === 'string' ? await hub.authenticate(auth.token) : null;
    if (!seat) return new HandshakeError(E.UNAUTHENTICATED, 'unknown or expired seat');
    const bySeat = await limits.handshake(seatKey(seat.meetingId, seat.seatId));
    if (!bySeat.ok) return new HandshakeError(E.RATE_LIMITED, 'too many connections', bySeat.retryAfterMs);
    socket.data.meetingId = seat.meetingId;
    socket.data.seatId = seat.seatId;
    return undefined;
  }

  io.on('connection', (socket: AppSocket) => {
    // A throw here would reach the event loop and end the process: the connection is closed instead.
    try {
      onConnection(socket);
    } catch (error) {
      logger.error('socket.connect_failed', {
        meetingId: socket.data.meetingId,
        error: error instanceof Error ? error.name : 'unknown',
      });
      socket.disconnect(true);
    }
  });

  function onConnection(socket: AppSocket): void {
    const { meetingId, seatId } = socket.data;
    // Socket.IO connects a tick after the handshake check: a purge in between must not leave a
    // connection (and the board's entry for it) behind for a meeting that no longer exists.
    if (!hub.state(meetingId)) {
      socket.emit('meeting:ended', { meetingId });
      socket.disconnect(true);
      return;
    }
    void socket.join([meetingRoom(meetingId), seatRoom(meetingId, seatId)]);
    hub.connected(meetingId, seatId, 1);
    const seat = seatKey(meetingId, seatId);
    // Registered before anything else can throw, so that presence is always counted down again.
    socket.on('disconnect', () => {
      hub.connected(meetingId, seatId, -1);
      open.remove(seat, socket);
    });
    const guard = createEventGuard(socket, limits, logger);
    // A command is acknowledged after it is stored; one without an ack is not applied (API-10).
    guard.on('meeting:command', {
      args: 1,
      handle: (payload) =>
        answerSafely(logger, 'meeting:command', () => handleMeetingCommand(hub, socket, payload)),
    });
    guard.on('time:ping', { args: 0, handle: () => clock.now() });
    const view = hub.view(meetingId, seatId);
    if (view) socket.emit('meeting:state', view);
    deps.board?.attachSocket(socket, guard);
    open.add(seat, socket);
    if (deps.acrossProcesses)
      capAcrossProcesses(meetingId, seatId).catch((error: unknown) =>
        logger.warn('socket.seat_cap_failed', { error: error instanceof Error ? error.name : 'unknown' }),
      );
    logger.debug('socket.connected', { meetingId, seatId });
  }
}

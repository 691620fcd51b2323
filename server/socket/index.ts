import { ERROR_CODES as E, type Result } from '../../shared/errors';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import type { BoardService } from '../board/service';
import { answerSafely } from '../core/answer';
import type { Clock } from '../core/clock';
import type { MeetingHub } from '../core/hub';
import type { Logger } from '../core/logger';
import { meetingRoom, seatRoom } from './broadcaster';
import { handleMeetingCommand } from './handlers/meetingCommand';
import type { AppServer, AppSocket } from './types';

interface SocketDeps {
  hub: MeetingHub;
  clock: Clock;
  logger: Logger;
  board: BoardService | null;
}

class HandshakeError extends Error {
  data: { code: string };
  constructor(code: string, message: string) {
    super(message);
    this.data = { code };
  }
}

/** An ack that is a function, or a no-op: a client that sends no callback gets no answer. */
export function ackOf<T>(ack: unknown): (r: T) => void {
  return typeof ack === 'function' ? (ack as (r: T) => void) : () => {};
}

export function attachSocketHandlers(io: AppServer, deps: SocketDeps): void {
  const { hub, clock, logger } = deps;

  io.use((socket, next) => {
    const auth = socket.handshake.auth as Partial<Record<string, unknown>>;
    if (auth.protocolVersion !== PROTOCOL_VERSION) {
      return next(new HandshakeError(E.PROTOCOL_MISMATCH, `server speaks protocol ${PROTOCOL_VERSION}`));
    }
    let seat: ReturnType<MeetingHub['authenticate']>;
    try {
      seat = typeof auth.token === 'string' ? hub.authenticate(auth.token) : null;
    } catch (error) {
      logger.error('socket.handshake_failed', { error: error instanceof Error ? error.name : 'unknown' });
      return next(new HandshakeError(E.UNAVAILABLE, 'the server could not check this seat, try again'));
    }
    if (!seat) return next(new HandshakeError(E.UNAUTHENTICATED, 'unknown or expired seat'));
    socket.data.meetingId = seat.meetingId;
    socket.data.seatId = seat.seatId;
    next();
  });

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
    // Registered before anything else can throw, so that presence is always counted down again.
    socket.on('disconnect', () => {
      hub.connected(meetingId, seatId, -1);
    });
    socket.on('meeting:command', (payload: unknown, ack: unknown) => {
      // A command is acknowledged after it is stored; one that cannot be acknowledged is not
      // applied, since its sender could never learn the outcome nor retry it safely.
      if (typeof ack !== 'function') {
        logger.debug('command.refused', { meetingId, code: E.BAD_REQUEST, reason: 'no-ack' });
        return;
      }
      ackOf<Result>(ack)(
        answerSafely(logger, 'meeting:command', () => handleMeetingCommand(hub, socket, payload)),
      );
    });
    socket.on('time:ping', (ack: unknown) => ackOf<number>(ack)(clock.now()));
    const view = hub.view(meetingId, seatId);
    if (view) socket.emit('meeting:state', view);
    deps.board?.attachSocket(socket);
    logger.debug('socket.connected', { meetingId, seatId });
  }
}

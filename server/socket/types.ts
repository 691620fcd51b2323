import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol';

/** What the server knows about one authenticated connection. */
export interface SocketData {
  meetingId: string;
  seatId: string;
}

/** One open board connection, as the processes tell each other (ids and times only, SCALE-22). */
export interface OpenBoard {
  id: string;
  openedAt: number;
}

/** What the server processes ask each other through the adapter (no content, ids only). */
export interface InterServerEvents {
  /** A seat's connections to one case board on the receiving process (`key`: meeting/seat/case). */
  'board:seat-list': (key: string, ack: (boards: OpenBoard[]) => void) => void;
  /** Close these of the seat's connections to that board (LIMIT-4 across processes). */
  'board:seat-close': (key: string, ids: string[]) => void;
}

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/**
 * LIMIT-4 for board connections across processes (SCALE-22): a seat's connections to one case
 * board on the other server processes, asked for and closed through the Socket.IO adapter. Only
 * the board's key (meeting, seat and case ids), connection ids and open times cross Redis.
 */
import type { AppServer, OpenBoard } from '../socket/types';

/** The other processes, as the board sockets see them. */
export interface BoardSeatPeers {
  /** The seat's connections to the board `key` on every other process. */
  list(key: string): Promise<OpenBoard[]>;
  /** Asks the other processes to close these connections (each closes those it holds). */
  close(key: string, ids: string[]): void;
}

/** What this process answers the others from (its own connections). */
export interface LocalBoardSeats {
  list(key: string): OpenBoard[];
  close(key: string, ids: readonly string[]): void;
}

const isOpenBoard = (b: unknown): b is OpenBoard =>
  typeof b === 'object' &&
  b !== null &&
  typeof (b as OpenBoard).id === 'string' &&
  typeof (b as OpenBoard).openedAt === 'number';

/** Wires this process's answers into `io` and returns the questions to the others. */
export function boardSeatPeers(io: AppServer, local: LocalBoardSeats): BoardSeatPeers {
  io.on('board:seat-list', (key, ack) => {
    if (typeof key !== 'string' || typeof ack !== 'function') return;
    ack(local.list(key));
  });
  io.on('board:seat-close', (key, ids) => {
    if (typeof key !== 'string' || !Array.isArray(ids)) return;
    local.close(
      key,
      ids.filter((id): id is string => typeof id === 'string'),
    );
  });
  return {
    async list(key) {
      // One answer per other process; the adapter rejects when one does not answer in time.
      const answers: unknown[] = await io.serverSideEmitWithAck('board:seat-list', key);
      return answers.flatMap((a) => (Array.isArray(a) ? a.filter(isOpenBoard) : []));
    },
    close(key, ids) {
      io.serverSideEmit('board:seat-close', key, ids);
    },
  };
}

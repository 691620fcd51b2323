import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LeaderNotesView } from '../../shared/board/commands';
import type { EventGuard } from '../socket/eventGuard';
import type { AppSocket } from '../socket/types';
import type { Bus } from '../scale/bus';

/**
 * The board as the rest of the server sees it. The composition root (server/app.ts) creates it
 * with the hub, storage, clock, random source and logger, and wires:
 * - HTTP upgrades on BOARD_PATH to `handleUpgrade`,
 * - every authenticated Socket.IO connection to `attachSocket` (note:* and board:release),
 * - hub effects (phase-left, case-changed, board-rules-changed, meeting purge) to the board itself
 *   through `hub.onEffects` / `hub.onPurge`, registered inside `createBoardService`.
 */
export interface BoardService {
  /** Returns false when the request is not for the board path (someone else handles it). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Registers the note commands of a connection through its event guard (budgets, ack rules). */
  attachSocket(socket: AppSocket, guard: EventGuard): void;
  /** Leaders' own view of notes not on the public board; null for anyone else. */
  leaderView(meetingId: string, seatId: string): Promise<LeaderNotesView | null>;
  /** After the hub loaded the stored meetings: re-arms the release delays a restart lost. */
  resumeReleases(): Promise<void>;
  /** SCALE-18: relays board updates to the other processes through the bus (with Redis). */
  relayThrough(bus: Bus, failed: (error: unknown) => void): void;
  /** Stops keep-alives, closes board connections, compacts and stores what is in memory. */
  close(): Promise<void>;
}

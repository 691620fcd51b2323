import * as Y from 'yjs';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import type { Result } from '../../shared/errors';
import { answerSafely } from '../core/answer';
import type { Clock } from '../core/clock';
import type { MeetingHub } from '../core/hub';
import type { Logger } from '../core/logger';
import type { RandomSource } from '../core/random';
import type { Limits } from '../limits/seatLimits';
import type { ClientAddress } from '../security/clientAddress';
import type { EventGuard } from '../socket/eventGuard';
import type { AppServer, AppSocket } from '../socket/types';
import { newId } from '../security/tokens';
import type { AsyncStorage } from '../storage/async/types';
import { createBoardSockets } from './connections';
import { BoardCore } from './core';
import { handleBoardExport } from './handlers/boardExport';
import { handleNoteAdd } from './handlers/noteAdd';
import { handleNoteDelete, handleNoteEdit } from './handlers/noteEdit';
import { handleNoteMine } from './handlers/noteMine';
import { handleBoardRelease, handleNoteModerate } from './handlers/noteModerate';
import { handleNoteResonate } from './handlers/noteResonate';
import { handleQuestionPass } from './handlers/questionPass';
import { NoteShares } from './noteShares';
import { boardSeatPeers, type LocalBoardSeats } from './seatPeers';
import type { BoardService } from './service';
import { DEFAULT_LEADER_LIMITS, type LeaderUpdateLimits } from './updateCheck';

export interface BoardServiceDeps {
  hub: MeetingHub;
  storage: AsyncStorage;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  /** The origin browsers use; null or absent means "the request's own host". */
  publicOrigin?: string | null;
  /** Keep-alive period of board connections; a stock client reconnects after 30 s of silence. */
  keepAliveMs?: number;
  /** The largest WebSocket frame a client may send. */
  maxPayloadBytes?: number;
  leaderLimits?: LeaderUpdateLimits;
  /** Random note ids; by default 96 random bits (tests pass a seeded source to repeat a run). */
  newNoteId?: () => string;
  /** Budgets of board frames and upgrades, shared with Socket.IO's (memory only, never stored). */
  limits: Limits;
  clientAddress: ClientAddress;
  /** With several processes (REDIS_URL): the Socket.IO server whose adapter reaches the others. */
  io?: AppServer;
  acrossProcesses?: boolean;
}

export const BOARD_KEEP_ALIVE_MS = 10_000;
export const BOARD_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** The board as tests and diagnostics may inspect it. */
export interface BoardServiceWithInternals extends BoardService {
  /** The server writer's client id of a case board (it changes when the board is loaded again). */
  writerClientId(meetingId: string, caseIndex: number): Promise<number>;
  /** The whole case board as one Yjs update. */
  encodeBoard(meetingId: string, caseIndex: number): Promise<Uint8Array>;
}

type Handler<T> = (core: BoardCore, socket: AppSocket, payload: unknown) => Promise<Result<T>>;

/**
 * The anonymous board: Yjs documents per case written only by the server (and by leaders' checked
 * updates), a y-websocket endpoint, and the note commands over Socket.IO.
 */
export function createBoardService(deps: BoardServiceDeps): BoardServiceWithInternals {
  const { hub, logger } = deps;
  const core = new BoardCore({ ...deps, newNoteId: deps.newNoteId ?? (() => newId()) });
  const sockets = createBoardSockets(core, {
    publicOrigin: deps.publicOrigin ?? null,
    keepAliveMs: deps.keepAliveMs ?? BOARD_KEEP_ALIVE_MS,
    maxPayloadBytes: deps.maxPayloadBytes ?? BOARD_MAX_PAYLOAD_BYTES,
    leaderLimits: deps.leaderLimits ?? DEFAULT_LEADER_LIMITS,
    limits: deps.limits,
    clientAddress: deps.clientAddress,
    ...(deps.io && deps.acrossProcesses
      ? { peers: (local: LocalBoardSeats) => boardSeatPeers(deps.io as AppServer, local) }
      : {}),
  });
  // How many notes each seat added per case: memory only, a count with no note id (LIMIT-5).
  const shares = new NoteShares(deps.limits);

  // Runs inside the command's job (SCALE-5): the hub awaits it before the command's broadcast.
  hub.onEffects(async (meetingId, effects) => {
    if (effects.length === 0) return;
    try {
      if (effects.some((e) => e.type === 'phase-left')) await core.releaseAll(meetingId, 'phase-end');
      // A switch of the release mode may turn queued notes into a batch.
      if (effects.some((e) => e.type === 'board-rules-changed')) await core.releaseAll(meetingId, 'change');
      for (const e of effects) {
        if (e.type === 'parking-lot-changed') await core.syncParking(meetingId, e.caseIndex);
        if (e.type === 'resonance-shown-changed') await core.syncResonance(meetingId, e.caseIndex);
      }
      sockets.review(meetingId);
      await core.notifyLeaders(meetingId);
    } catch (error) {
      logger.error('board.effects_failed', {
        meetingId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  });
  // SCALE-16: another process changed the meeting; this one's sockets get what depends on it.
  hub.onRefreshed(async (meetingId) => {
    sockets.review(meetingId);
    await core.notifyLocalLeaders(meetingId);
  });
  // SCALE-21: another process changed the notes; this one's leaders get their views of them.
  hub.onNotesElsewhere((meetingId) => core.notifyLocalLeaders(meetingId));
  hub.onPurge((meetingId) => {
    shares.forget(meetingId);
    core.purge(meetingId, BOARD_CLOSE.MEETING_ENDED, 'meeting ended');
  });

  function attachSocket(socket: AppSocket, guard: EventGuard): void {
    core.addSocket(socket);
    socket.on('disconnect', () => core.removeSocket(socket));
    // Like meeting commands (API-10): what cannot be acknowledged is not applied (the guard).
    // Each note operation is one of the meeting's jobs (SCALE-5): it never sees another's half.
    const { meetingId } = socket.data;
    const on = <T>(event: string, handler: Handler<T>) => {
      guard.on(event, {
        args: 1,
        handle: (payload) =>
          answerSafely(logger, event, () => hub.serialized(meetingId, () => handler(core, socket, payload))),
      });
    };
    on('note:add', (c, s, payload) => handleNoteAdd(c, s, payload, shares));
    on('note:edit', handleNoteEdit);
    on('note:delete', handleNoteDelete);
    on('note:mine', handleNoteMine);
    on('note:moderate', handleNoteModerate);
    on('note:resonate', handleNoteResonate);
    on('board:release', handleBoardRelease);
    on('question:pass', handleQuestionPass);
    on('board:export', handleBoardExport);
    // In the meeting's order, so that a view read before a change never arrives after it. A view
    // that cannot be read (storage failing) closes the connection, as a failed set-up does: the
    // client reconnects and gets it then.
    hub
      .serialized(meetingId, () => core.notifySocket(socket))
      .catch((error: unknown) => {
        logger.error('socket.connect_failed', {
          meetingId,
          error: error instanceof Error ? error.name : 'unknown',
        });
        socket.disconnect(true);
      });
  }

  return {
    handleUpgrade: sockets.handleUpgrade,
    attachSocket,
    leaderView: (meetingId, seatId) => core.leaderView(meetingId, seatId),
    resumeReleases: () => core.resumeReleases(),
    relayThrough: (bus, failed) => core.relayThrough(bus, failed),
    async close() {
      const closed = sockets.close();
      await core.close(BOARD_CLOSE.GOING_AWAY, 'server shutting down');
      await closed;
    },
    writerClientId: (meetingId, caseIndex) =>
      hub.serialized(meetingId, async () => (await core.room(meetingId, caseIndex)).doc.clientID),
    encodeBoard: (meetingId, caseIndex) =>
      hub.serialized(meetingId, async () =>
        Y.encodeStateAsUpdate((await core.room(meetingId, caseIndex)).doc),
      ),
  };
}

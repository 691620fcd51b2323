import * as Y from 'yjs';
import { boardAccess } from '../../shared/board/access';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { isAllowedLeaderState } from './awarenessCheck';
import type { BoardCore } from './core';
import { send, type BoardConnection, type BoardSink } from './room';
import type { TimerHandle } from '../core/clock';
import {
  checkLeaderUpdate,
  type UpdateVerdict,
  checkReadOnlyUpdate,
  HELD_UPDATE_MAX_BYTES,
  HELD_UPDATE_MAX_MS,
  type LeaderUpdateLimits,
} from './updateCheck';
import { KEEP_ALIVE_FRAME, parseBoardMessage, syncStep1Frame, syncStep2Frame } from './wire';

/** Keep-alive rounds without a pong before a connection counts as dead (half-open TCP, lost phones). */
const MAX_MISSED_PONGS = 3;
/** How long a closed connection may take to answer the close handshake. */
const CLOSE_GRACE_MS = 2_000;
/** Connections visited per macrotask in a keep-alive round. */
const KEEP_ALIVE_SLICE = 200;
/** WebSocket readyState CLOSED. */
const CLOSED = 3;

export interface Admitted {
  meetingId: string;
  seatId: string;
  caseIndex: number;
}

/**
 * The board's side of the y-websocket protocol, independent of the socket library: `open` a
 * connection, `receive` its frames, `review` rights after meeting changes, `tick` keep-alives.
 * Tests drive it with in-memory sinks; connections.ts drives it with `ws`.
 */
export function createBoardProtocol(core: BoardCore, opts: { leaderLimits: LeaderUpdateLimits }) {
  const { hub, logger } = core.deps;
  /** The deadline of each connection's held update (WIRE-3); kept off the connection record. */
  const heldTimers = new WeakMap<BoardConnection, TimerHandle>();

  /** Opens a connection on its board, loading it first: call it inside the meeting's job. */
  async function open(sink: BoardSink, a: Admitted): Promise<BoardConnection | null> {
    let conn: BoardConnection;
    try {
      const room = await core.room(a.meetingId, a.caseIndex);
      conn = {
        ws: sink,
        meetingId: a.meetingId,
        seatId: a.seatId,
        room,
        awarenessIds: new Set(),
        heldUpdate: null,
        missedPongs: 0,
      };
      room.join(conn);
    } catch {
      logger.error('board.load_failed', { meetingId: a.meetingId, caseIndex: a.caseIndex });
      sink.close(BOARD_CLOSE.SERVER_ERROR, 'server error');
      return null;
    }
    send(conn, syncStep1Frame(conn.room.doc));
    const awareness = conn.room.awarenessSnapshot();
    if (awareness) send(conn, awareness);
    logger.debug('board.connected', { meetingId: a.meetingId, caseIndex: a.caseIndex });
    return conn;
  }

  /**
   * One frame from a client, handled inside the meeting's job (SCALE-5): a sync answer never
   * shows a change whose transaction has not committed. A frame whose handling fails closes only
   * its own connection (1011, the client reconnects and resyncs): it must never reach the socket
   * library's event loop.
   */
  async function receive(conn: BoardConnection, data: Uint8Array, isBinary: boolean): Promise<void> {
    try {
      await handle(conn, data, isBinary);
    } catch (error) {
      logger.error('board.receive_failed', {
        meetingId: conn.meetingId,
        caseIndex: conn.room.caseIndex,
        error: error instanceof Error ? error.name : 'unknown',
      });
      if (conn.room.conns.has(conn)) closeConn(conn, BOARD_CLOSE.SERVER_ERROR, 'server error');
    }
  }

  async function handle(conn: BoardConnection, data: Uint8Array, isBinary: boolean): Promise<void> {
    if (!conn.room.conns.has(conn)) return;
    heard(conn);
    if (!isBinary) return closeConn(conn, BOARD_CLOSE.MALFORMED, 'binary frames only');
    const access = boardAccess(hub.state(conn.meetingId), conn.seatId, conn.room.caseIndex);
    if (access.kind === 'refuse') return closeConn(conn, access.code, access.reason);
    const parsed = parseBoardMessage(data);
    if (!parsed.ok) return closeConn(conn, BOARD_CLOSE.MALFORMED, `malformed message: ${parsed.reason}`);
    const message = parsed.message;
    switch (message.type) {
      case 'sync-step-1':
        send(conn, syncStep2Frame(conn.room.doc, message.stateVector));
        return;
      case 'sync-step-2':
      case 'sync-update': {
        if (access.kind === 'write') return leaderUpdate(conn, message.update);
        // Read-only: a reply that brings nothing new is normal (stock clients send their state).
        const verdict = checkReadOnlyUpdate(conn.room.doc, message.update);
        if (verdict.kind === 'refused') {
          logger.info('board.write_refused', { meetingId: conn.meetingId, code: verdict.code });
          closeConn(conn, verdict.code, verdict.reason);
        }
        return;
      }
      case 'awareness':
        // Non-leaders' awareness would carry a client id and timing: it is dropped, never relayed.
        if (access.kind !== 'write') return;
        if (!message.entries.every((e) => isAllowedLeaderState(e.state))) {
          return closeConn(conn, BOARD_CLOSE.MALFORMED, 'awareness state: only null or {}');
        }
        conn.room.applyLeaderAwareness(conn, message.update);
        return;
      case 'query-awareness': {
        const frame = conn.room.awarenessSnapshot();
        if (frame) send(conn, frame);
        return;
      }
    }
  }

  /**
   * Checked on a scratch copy, stored, then relayed; a refused update closes the connection. The
   * check runs in the update's transaction, against the board as stored (SCALE-18: the room took
   * every update another process stored first).
   */
  async function leaderUpdate(conn: BoardConnection, incoming: Uint8Array): Promise<void> {
    const room = conn.room;
    const update = conn.heldUpdate ? Y.mergeUpdates([conn.heldUpdate, incoming]) : incoming;
    // Nothing new here is nothing new as stored (this copy is part of it); with one process this
    // copy is the board as stored, and only an allowed update needs a transaction.
    let verdict: UpdateVerdict = checkLeaderUpdate(room.doc, update, opts.leaderLimits);
    const shared = core.deps.storage.dialect === 'postgres';
    const decide = verdict.kind === 'allowed' || (shared && verdict.kind !== 'nothing-new');
    try {
      if (decide)
        await core.commitDecided(
          conn.meetingId,
          room.caseIndex,
          async (_tx, current) => {
            verdict = checkLeaderUpdate(current.doc, update, opts.leaderLimits);
            return verdict.kind === 'allowed' ? { change: (doc) => Y.applyUpdate(doc, update, conn) } : null;
          },
          conn,
        );
    } catch {
      logger.error('board.store_failed', { meetingId: conn.meetingId, caseIndex: room.caseIndex });
      return;
    }
    const decided = verdict as UpdateVerdict;
    if (decided.kind === 'incomplete') return hold(conn, update);
    releaseHold(conn);
    if (decided.kind === 'nothing-new') return;
    if (decided.kind === 'refused') {
      logger.warn('board.leader_update_refused', { meetingId: conn.meetingId, code: decided.code });
      return closeConn(conn, decided.code, decided.reason);
    }
    try {
      // A leader arranging the board is activity: the inactivity limit counts from now.
      await hub.touch(conn.meetingId);
    } catch {
      logger.error('board.store_failed', { meetingId: conn.meetingId, caseIndex: room.caseIndex });
    }
  }

  /**
   * WIRE-3: an update waiting for its missing part is held for HELD_UPDATE_MAX_MS at most (from
   * when it was first held) and HELD_UPDATE_MAX_BYTES with everything merged into it meanwhile;
   * then the connection is closed, so that the client drops a copy the server cannot follow.
   */
  function hold(conn: BoardConnection, update: Uint8Array): void {
    if (update.length > HELD_UPDATE_MAX_BYTES) {
      return giveUpHeld(
        conn,
        `an update waiting for a missing part grew over ${HELD_UPDATE_MAX_BYTES} bytes`,
      );
    }
    conn.heldUpdate = update;
    if (heldTimers.has(conn)) return;
    const { clock } = core.deps;
    heldTimers.set(
      conn,
      clock.setTimer(clock.now() + HELD_UPDATE_MAX_MS, () => {
        heldTimers.delete(conn);
        if (conn.heldUpdate && conn.room.conns.has(conn)) {
          giveUpHeld(conn, `an update waited ${HELD_UPDATE_MAX_MS / 1000} s for a missing part`);
        }
      }),
    );
  }

  function giveUpHeld(conn: BoardConnection, reason: string): void {
    logger.warn('board.held_update_dropped', { meetingId: conn.meetingId, caseIndex: conn.room.caseIndex });
    closeConn(conn, BOARD_CLOSE.INCOMPLETE_UPDATE, reason);
  }

  function releaseHold(conn: BoardConnection): void {
    conn.heldUpdate = null;
    heldTimers.get(conn)?.cancel();
    heldTimers.delete(conn);
  }

  function closeConn(conn: BoardConnection, code: number, reason: string): void {
    releaseHold(conn);
    conn.room.leave(conn);
    conn.ws.close(code, truncateReason(reason));
    // A peer that never answers the close handshake would keep this connection, and through it
    // the board, in memory for the library's 30 s: cut it after a short grace (CONF-1).
    // The timer holds the socket weakly: a socket that closed properly is freed at once.
    const { clock } = core.deps;
    const ref = new WeakRef(conn.ws);
    clock.setTimer(clock.now() + CLOSE_GRACE_MS, () => {
      const ws = ref.deref();
      if (ws && ws.readyState !== CLOSED) ws.terminate();
    });
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

  /** The peer spoke (a frame or a pong): it is alive. */
  function heard(conn: BoardConnection): void {
    conn.missedPongs = 0;
    conn.lastHeardAt = core.deps.clock.now();
  }

  let round: Promise<void> | null = null;

  /**
   * One keep-alive round, for a round every `intervalMs`: dead connections dropped, and to each
   * of the others a ping (unless it was heard from within the last half interval) and a harmless
   * frame (unless it was sent something within the last half interval). So a connection hears
   * something at least every 1.5 intervals (15 s at 10 s), and one that answers nothing for
   * MAX_MISSED_PONGS pinged rounds is dropped. The round runs in slices of KEEP_ALIVE_SLICE
   * connections, one per macrotask, so that thousands of connections never hold the event loop;
   * a round still running when the next is due is not started twice. Resolves when it is done.
   */
  function tick(intervalMs: number): Promise<void> {
    round ??= runRound(intervalMs).finally(() => (round = null));
    return round;
  }

  async function runRound(intervalMs: number): Promise<void> {
    const conns: BoardConnection[] = [];
    for (const room of core.loadedRooms()) for (const conn of room.conns) conns.push(conn);
    const recent = intervalMs / 2;
    for (let start = 0; start < conns.length; start += KEEP_ALIVE_SLICE) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const now = core.deps.clock.now();
      for (const conn of conns.slice(start, start + KEEP_ALIVE_SLICE)) {
        try {
          keepAlive(conn, now, recent);
        } catch (error) {
          logger.error('board.keepalive_failed', { error: error instanceof Error ? error.name : 'unknown' });
        }
      }
    }
  }

  function keepAlive(conn: BoardConnection, now: number, recent: number): void {
    const room = conn.room;
    if (!room.conns.has(conn)) return; // closed meanwhile
    if (conn.missedPongs >= MAX_MISSED_PONGS) {
      room.leave(conn);
      conn.ws.terminate();
      return;
    }
    if (conn.lastHeardAt === undefined || now - conn.lastHeardAt >= recent) {
      conn.missedPongs += 1;
      if (conn.ws.readyState === conn.ws.OPEN) conn.ws.ping();
    }
    if (conn.lastSentAt === undefined || now - conn.lastSentAt >= recent) send(conn, KEEP_ALIVE_FRAME);
  }

  core.onRoomDropped = (room, code, reason) => {
    for (const conn of [...room.conns]) closeConn(conn, code, reason);
  };

  return { open, receive, review, tick, heard, closeConn };
}

/** A close reason is at most 123 bytes of UTF-8. */
function truncateReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > 120) r = r.slice(0, -1);
  return r;
}

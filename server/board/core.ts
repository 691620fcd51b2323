import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import type { LeaderNotesView } from '../../shared/board/commands';
import { insertNote, removeNote, setNoteText } from '../../shared/board/schema';
import { currentCaseIndex, effectiveRole, findSeat, isLeaderRole } from '../../shared/meeting/roles';
import type { MeetingState } from '../../shared/meeting/state';
import type { Clock } from '../core/clock';
import type { MeetingHub } from '../core/hub';
import type { Logger } from '../core/logger';
import type { RandomSource } from '../core/random';
import type { AppSocket } from '../socket/types';
import type { NoteRow, Storage } from '../storage/types';
import {
  orderBatch,
  pendingChanges,
  pendingCount,
  releaseTarget,
  shouldRelease,
  type ReleaseTrigger,
} from './release';
import { BoardRoom, type BoardConnection } from './room';

export interface CoreDeps {
  hub: MeetingHub;
  storage: Storage;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  /** Random note ids (not time-ordered); injected so that simulations can repeat a run. */
  newNoteId: () => string;
}

const roomKey = (meetingId: string, caseIndex: number) => `${meetingId}/${caseIndex}`;

/**
 * The board's state in this process: the case documents, the note rows behind them (in storage),
 * and the Socket.IO connections that get leaders' views. Note rows carry no seat and no time.
 */
export class BoardCore {
  private rooms = new Map<string, BoardRoom>();
  private sockets = new Map<string, Set<AppSocket>>();
  /** Called when a room is dropped, so its connections are closed. */
  onRoomDropped: (room: BoardRoom, code: number, reason: string) => void = () => {};

  constructor(readonly deps: CoreDeps) {}

  room(meetingId: string, caseIndex: number): BoardRoom {
    const key = roomKey(meetingId, caseIndex);
    let room = this.rooms.get(key);
    if (!room) {
      room = new BoardRoom(meetingId, caseIndex, this.deps.storage, () => this.deps.clock.now());
      room.onCompactFailed = () => this.deps.logger.warn('board.compact_failed', { meetingId, caseIndex });
      this.rooms.set(key, room);
    }
    return room;
  }

  loadedRooms(meetingId?: string): BoardRoom[] {
    return [...this.rooms.values()].filter((r) => meetingId === undefined || r.meetingId === meetingId);
  }

  /** Commits to a case board; if storing fails the room is dropped and reloads from storage. */
  commit(
    meetingId: string,
    caseIndex: number,
    change: (doc: BoardRoom['doc']) => void,
    alsoStore?: () => void,
    origin: BoardConnection | null = null,
  ): Uint8Array | null {
    const room = this.room(meetingId, caseIndex);
    try {
      return room.commit(change, alsoStore, origin);
    } catch (error) {
      this.dropRoom(room, BOARD_CLOSE.SERVER_ERROR, 'server error');
      throw error;
    }
  }

  dropRoom(room: BoardRoom, code: number, reason: string): void {
    const key = roomKey(room.meetingId, room.caseIndex);
    if (this.rooms.get(key) !== room) return;
    this.rooms.delete(key);
    this.onRoomDropped(room, code, reason);
    room.destroy();
  }

  /** Sends the waiting changes of a case out if the release rules say so; returns how many went. */
  release(meetingId: string, caseIndex: number, trigger: ReleaseTrigger): number {
    const state = this.deps.hub.state(meetingId);
    if (!state) return 0;
    // Only the case's unsettled notes: released ones without a pending change never wait.
    const notes = this.deps.storage.listUnsettledNotes(meetingId, caseIndex);
    const pending = pendingChanges(notes, caseIndex, state.settings);
    const count = pendingCount(pending);
    if (!shouldRelease(state.settings, count, trigger)) return 0;
    const batch = orderBatch(pending, this.deps.random);
    const target = releaseTarget(state.settings);
    const batchNo = this.nextBatch(meetingId, caseIndex);
    const rows: (() => void)[] = [];
    const { storage } = this.deps;

    this.commit(
      meetingId,
      caseIndex,
      (doc) => {
        for (const n of batch.insert) {
          const text = n.pendingText ?? n.text;
          if (target === 'released') insertNote(doc, this.newBoardNote(n, text, batchNo));
          const layout = target === 'released' ? null : (n.layout ?? null);
          rows.push(() =>
            storage.putNote({ ...n, text, pendingText: null, status: target, batch: batchNo, layout }),
          );
        }
        for (const n of batch.edit) {
          const text = n.pendingText as string;
          let status = n.status;
          let layout = n.layout ?? null;
          if (n.status === 'released' && target === 'released') setNoteText(doc, n.noteId, text);
          if (n.status === 'released' && target === 'screening') {
            // An edit of an approved note is screened again: it leaves the board until approved,
            // and its place is stored with it so that approving puts it back.
            layout = removeNote(doc, n.noteId);
            status = 'screening';
          }
          rows.push(() => storage.putNote({ ...n, text, pendingText: null, status, layout }));
        }
        for (const n of batch.remove) {
          if (n.status === 'released') removeNote(doc, n.noteId);
          rows.push(() => storage.deleteNote(meetingId, n.noteId));
        }
      },
      () => rows.forEach((write) => write()),
    );
    this.deps.logger.info('board.released', { meetingId, caseIndex, count, trigger });
    return count;
  }

  newBoardNote(n: NoteRow, text: string, batch: number) {
    return {
      id: n.noteId,
      text,
      kind: n.kind,
      batch,
      author: n.authorName ?? undefined,
      layout: n.layout ?? undefined,
    };
  }

  nextBatch(meetingId: string, caseIndex: number): number {
    return (this.deps.storage.maxNoteBatch(meetingId, caseIndex) ?? -1) + 1;
  }

  /** A phase ended: every case's waiting changes go out. */
  releaseAll(meetingId: string, trigger: ReleaseTrigger): number {
    const state = this.deps.hub.state(meetingId);
    if (!state) return 0;
    let released = 0;
    for (let c = 0; c < state.cases.length; c++) released += this.release(meetingId, c, trigger);
    return released;
  }

  // --- Leaders' views over Socket.IO -----------------------------------------------------------

  addSocket(socket: AppSocket): void {
    const { meetingId } = socket.data;
    let set = this.sockets.get(meetingId);
    if (!set) {
      set = new Set();
      this.sockets.set(meetingId, set);
    }
    set.add(socket);
  }

  removeSocket(socket: AppSocket): void {
    const set = this.sockets.get(socket.data.meetingId);
    set?.delete(socket);
    if (set?.size === 0) this.sockets.delete(socket.data.meetingId);
  }

  leaderView(meetingId: string, seatId: string): LeaderNotesView | null {
    const state = this.deps.hub.state(meetingId);
    if (!state || !isLeaderSeat(state, seatId)) return null;
    const caseIndex = currentCaseIndex(state);
    // Screening, hidden and waiting notes are all unsettled: the released ones are not read.
    const notes = this.deps.storage.listUnsettledNotes(meetingId, caseIndex);
    return {
      caseIndex,
      screening: notes
        .filter((n) => n.status === 'screening')
        .map(({ noteId, kind, text }) => ({ noteId, kind, text })),
      hidden: notes
        .filter((n) => n.status === 'hidden')
        .map(({ noteId, kind, text }) => ({ noteId, kind, text })),
      waitingCount: pendingCount(pendingChanges(notes, caseIndex, state.settings)),
    };
  }

  /** Sends every leader connection of the meeting its notes view. */
  notifyLeaders(meetingId: string): void {
    const sockets = this.sockets.get(meetingId);
    if (!sockets) return;
    const views = new Map<string, LeaderNotesView | null>();
    for (const socket of sockets) {
      const seatId = socket.data.seatId;
      if (!views.has(seatId)) views.set(seatId, this.leaderView(meetingId, seatId));
      const view = views.get(seatId);
      if (view) socket.emit('board:leader', view);
    }
  }

  /** The meeting was purged: keep nothing of it. */
  purge(meetingId: string, code: number, reason: string): void {
    for (const room of this.loadedRooms(meetingId)) this.dropRoom(room, code, reason);
    this.sockets.delete(meetingId);
  }

  /** Drain: compact what is stored, close connections, free every document. */
  close(code: number, reason: string): void {
    for (const room of [...this.rooms.values()]) {
      try {
        room.compact();
      } catch {
        this.deps.logger.warn('board.compact_failed', {
          meetingId: room.meetingId,
          caseIndex: room.caseIndex,
        });
      }
      this.dropRoom(room, code, reason);
    }
    this.sockets.clear();
  }
}

export function isLeaderSeat(state: MeetingState, seatId: string): boolean {
  const seat = findSeat(state, seatId);
  return !!seat && seat.admitted && isLeaderRole(effectiveRole(state, seat));
}

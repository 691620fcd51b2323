import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import type { LeaderNotesView, PresenterMarksView, QuestionsView } from '../../shared/board/commands';
import {
  insertNote,
  parkingMap,
  putParked,
  removeNote,
  removeParked,
  setNoteResonance,
  setNoteText,
  setParkedText,
} from '../../shared/board/schema';
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
  shouldArmDelay,
  shouldRelease,
  type ReleaseTrigger,
} from './release';
import { ReleaseTimers } from './releaseTimer';
import { BoardRoom, type BoardConnection } from './room';
import { upgradeParkedField } from './upgradeBoard';
import { WaitingSignal } from './waitingSignal';

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
  /** The random release delay of each case whose batch is due (REL-1). */
  readonly releaseTimers: ReleaseTimers;
  /** Leaders' coarse "notes are waiting" flag (REL-5). */
  readonly waiting: WaitingSignal;
  /** The last leaders' view each socket got: an unchanged view is not sent (REL-5). */
  private lastLeaderView = new WeakMap<AppSocket, string>();
  /** The last questions view each presenter or projector socket got (BOARD-11). */
  private lastQuestions = new WeakMap<AppSocket, string>();

  constructor(readonly deps: CoreDeps) {
    this.releaseTimers = new ReleaseTimers(deps, (meetingId, caseIndex) => {
      this.release(meetingId, caseIndex, 'timer');
      this.notifyLeaders(meetingId);
    });
    this.waiting = new WaitingSignal(
      deps.clock,
      (meetingId, caseIndex) => this.pendingOf(meetingId, caseIndex) > 0,
      (meetingId) => this.notifyLeaders(meetingId),
    );
  }

  room(meetingId: string, caseIndex: number): BoardRoom {
    const key = roomKey(meetingId, caseIndex);
    let room = this.rooms.get(key);
    if (!room) {
      room = new BoardRoom(meetingId, caseIndex, this.deps.storage, () => this.deps.clock.now());
      room.onCompactFailed = () => this.deps.logger.warn('board.compact_failed', { meetingId, caseIndex });
      upgradeParkedField(room, this.deps.storage);
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

  /** How many changes of a case wait for the next release. */
  pendingOf(meetingId: string, caseIndex: number): number {
    const state = this.deps.hub.state(meetingId);
    if (!state) return 0;
    const notes = this.deps.storage.listUnsettledNotes(meetingId, caseIndex);
    return pendingCount(pendingChanges(notes, caseIndex, state.settings));
  }

  /**
   * Sends the waiting changes of a case out if the release rules say so; returns how many went.
   * A change that does not go out arms the case's random delay once MIN_BATCH wait (REL-1).
   */
  release(meetingId: string, caseIndex: number, trigger: ReleaseTrigger): number {
    const state = this.deps.hub.state(meetingId);
    if (!state) return 0;
    // Only the case's unsettled notes: released ones without a pending change never wait.
    const notes = this.deps.storage.listUnsettledNotes(meetingId, caseIndex);
    const pending = pendingChanges(notes, caseIndex, state.settings);
    const count = pendingCount(pending);
    if (!shouldRelease(state.settings, count, trigger)) {
      if (shouldArmDelay(state.settings, count)) this.releaseTimers.arm(meetingId, caseIndex);
      this.waiting.changed(meetingId, caseIndex);
      return 0;
    }
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
          // BOARD-11: a question is never on the board; its batch goes to the leaders only.
          const status = n.kind === 'question' ? 'question' : target;
          if (status === 'released') insertNote(doc, this.newBoardNote(n, text, batchNo));
          const layout = status === 'released' ? null : (n.layout ?? null);
          rows.push(() => storage.putNote({ ...n, text, pendingText: null, status, batch: batchNo, layout }));
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
          if (n.status === 'parked' && target === 'screening') {
            // Parked notes are screened again too (the room may see the parking lot).
            removeParked(doc, n.noteId);
            status = 'screening';
          } else if (n.status === 'parked' && parkingShown(state, caseIndex)) {
            setParkedText(doc, n.noteId, text);
          }
          rows.push(() => storage.putNote({ ...n, text, pendingText: null, status, layout }));
        }
        for (const n of batch.remove) {
          if (n.status === 'released') removeNote(doc, n.noteId);
          if (n.status === 'parked') removeParked(doc, n.noteId);
          rows.push(() => storage.deleteNote(meetingId, n.noteId));
        }
      },
      () => rows.forEach((write) => write()),
    );
    // Everything that waited went out: whatever comes next waits for a fresh delay.
    this.releaseTimers.cancel(meetingId, caseIndex);
    this.waiting.released(meetingId, caseIndex);
    this.deps.logger.info('board.released', { meetingId, caseIndex, count, trigger });
    return count;
  }

  newBoardNote(n: NoteRow, text: string, batch: number) {
    const state = this.deps.hub.state(n.meetingId);
    // The mark goes on the public board only while the presenter shows it (BOARD-10).
    const resonance = state && resonanceShown(state, n.caseIndex) ? (n.resonance ?? 0) : 0;
    return {
      id: n.noteId,
      text,
      kind: n.kind,
      batch,
      author: n.authorName ?? undefined,
      layout: { ...(n.layout ?? { theme: null, highlight: false, x: null, y: null }), resonance },
    };
  }

  /**
   * BOARD-10: the public board's marks of a case follow the presenter's choice: the stored marks
   * while shown, none otherwise. Called when the choice changes.
   */
  syncResonance(meetingId: string, caseIndex: number): void {
    const state = this.deps.hub.state(meetingId);
    if (!state || !state.cases[caseIndex]) return;
    const shown = resonanceShown(state, caseIndex);
    const marked = this.deps.storage
      .listNotes(meetingId)
      .filter((n) => n.caseIndex === caseIndex && n.status === 'released' && (n.resonance ?? 0) > 0);
    this.commit(meetingId, caseIndex, (doc) => {
      for (const n of marked) setNoteResonance(doc, n.noteId, shown ? (n.resonance ?? 0) : 0);
    });
  }

  /** The presenter's own marks in the current case, or null when the seat is not its presenter. */
  presenterView(meetingId: string, seatId: string): PresenterMarksView | null {
    const state = this.deps.hub.state(meetingId);
    if (!state) return null;
    const caseIndex = currentCaseIndex(state);
    if (state.cases[caseIndex]?.presenterSeatId !== seatId) return null;
    return { caseIndex, marked: this.markedNotes(meetingId, caseIndex) };
  }

  /**
   * BOARD-11: the questions a leader passed on, for the presenter and the projector, and only in
   * the current case's questions phase; null for everyone else. From push-back on the list is
   * empty: the data is not sent, not merely folded.
   */
  questionsView(meetingId: string, seatId: string): QuestionsView | null {
    const state = this.deps.hub.state(meetingId);
    if (!state) return null;
    const seat = findSeat(state, seatId);
    if (!seat || !seat.admitted) return null;
    const role = effectiveRole(state, seat);
    if (role !== 'presenter' && role !== 'projector') return null;
    const caseIndex = currentCaseIndex(state);
    const phase = state.current ? state.phases[state.current.index] : undefined;
    const asking = state.status === 'running' && phase?.kind === 'questions';
    const questions = asking
      ? this.deps.storage
          .listUnsettledNotes(meetingId, caseIndex)
          .filter((n) => n.status === 'passed' && !n.pendingDelete)
          .map(({ noteId, text }) => ({ noteId, text }))
      : [];
    return { caseIndex, questions };
  }

  private markedNotes(meetingId: string, caseIndex: number): string[] {
    return this.deps.storage
      .listNotes(meetingId)
      .filter((n) => n.caseIndex === caseIndex && (n.resonance ?? 0) > 0 && n.status !== 'removed')
      .map((n) => n.noteId);
  }

  nextBatch(meetingId: string, caseIndex: number): number {
    return (this.deps.storage.maxNoteBatch(meetingId, caseIndex) ?? -1) + 1;
  }

  /**
   * BOARD-9: the room's parking lot of a case matches its setting: every parked note while a
   * leader shows it, none otherwise. Called when the setting changes (and harmless when it did not).
   */
  syncParking(meetingId: string, caseIndex: number): void {
    const state = this.deps.hub.state(meetingId);
    if (!state || !state.cases[caseIndex]) return;
    const parked = this.deps.storage
      .listUnsettledNotes(meetingId, caseIndex)
      .filter((n) => n.status === 'parked');
    const shown = parkingShown(state, caseIndex);
    this.commit(meetingId, caseIndex, (doc) => {
      const lot = parkingMap(doc);
      for (const id of [...lot.keys()]) if (!shown || !parked.some((n) => n.noteId === id)) lot.delete(id);
      if (!shown) return;
      for (const n of parked) {
        if (!lot.has(n.noteId)) putParked(doc, this.newBoardNote(n, n.text, n.batch ?? 0));
      }
    });
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
      parked: notes
        .filter((n) => n.status === 'parked')
        .map(({ noteId, kind, text, layout }) => ({
          noteId,
          kind,
          text,
          highlight: layout?.highlight ?? false,
        })),
      questions: notes
        .filter((n) => n.status === 'question' || n.status === 'passed')
        .map(({ noteId, text, status }) => ({ noteId, text, passed: status === 'passed' })),
      resonance: this.markedNotes(meetingId, caseIndex),
      waiting: this.waiting.get(meetingId, caseIndex),
    };
  }

  /** Arms what a restart lost (REL-3): a fresh delay for every case whose batch is due. */
  resumeReleases(): void {
    for (const meetingId of this.deps.hub.meetingIds()) {
      const state = this.deps.hub.state(meetingId);
      if (!state) continue;
      for (let c = 0; c < state.cases.length; c++) {
        const count = this.pendingOf(meetingId, c);
        this.waiting.prime(meetingId, c, count > 0);
        if (shouldArmDelay(state.settings, count)) this.releaseTimers.arm(meetingId, c);
      }
    }
  }

  /**
   * Sends one leader connection its view, unless it already has this very view; the current
   * case's presenter gets their own marks instead (BOARD-10).
   */
  notifySocket(socket: AppSocket, view = this.leaderView(socket.data.meetingId, socket.data.seatId)): void {
    if (!view) {
      const questions = this.questionsView(socket.data.meetingId, socket.data.seatId);
      const questionsJson = questions ? JSON.stringify(questions) : null;
      if (questions && this.lastQuestions.get(socket) !== questionsJson) {
        this.lastQuestions.set(socket, questionsJson as string);
        socket.emit('board:questions', questions);
      }
      const marks = this.presenterView(socket.data.meetingId, socket.data.seatId);
      if (!marks) return;
      const json = JSON.stringify(marks);
      if (this.lastLeaderView.get(socket) === json) return;
      this.lastLeaderView.set(socket, json);
      socket.emit('board:presenter', marks);
      return;
    }
    const json = JSON.stringify(view);
    // The same view again after a note would still tell a leader "someone just wrote".
    if (this.lastLeaderView.get(socket) === json) return;
    this.lastLeaderView.set(socket, json);
    socket.emit('board:leader', view);
  }

  /** Sends every leader connection of the meeting its notes view. */
  notifyLeaders(meetingId: string): void {
    const sockets = this.sockets.get(meetingId);
    if (!sockets) return;
    const views = new Map<string, LeaderNotesView | null>();
    for (const socket of sockets) {
      const seatId = socket.data.seatId;
      if (!views.has(seatId)) views.set(seatId, this.leaderView(meetingId, seatId));
      this.notifySocket(socket, views.get(seatId));
    }
  }

  /** The meeting was purged: keep nothing of it. */
  purge(meetingId: string, code: number, reason: string): void {
    for (const room of this.loadedRooms(meetingId)) this.dropRoom(room, code, reason);
    this.sockets.delete(meetingId);
    this.releaseTimers.purge(meetingId);
    this.waiting.purge(meetingId);
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
    this.releaseTimers.purge();
    this.waiting.purge();
  }
}

/** Whether the presenter shows their resonance marks to everyone in this case (BOARD-10). */
export function resonanceShown(state: MeetingState, caseIndex: number): boolean {
  return state.cases[caseIndex]?.resonanceShown === true;
}

/** Whether a leader shows this case's parking lot to the room (BOARD-9). */
export function parkingShown(state: MeetingState, caseIndex: number): boolean {
  return state.cases[caseIndex]?.parkingLot === 'room';
}

export function isLeaderSeat(state: MeetingState, seatId: string): boolean {
  const seat = findSeat(state, seatId);
  return !!seat && seat.admitted && isLeaderRole(effectiveRole(state, seat));
}

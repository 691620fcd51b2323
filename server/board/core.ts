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
import type { Bus } from '../scale/bus';
import type { AppSocket } from '../socket/types';
import { releaseDueKind } from '../storage/async/dueTimes';
import type { AsyncStorage } from '../storage/async/types';
import type { NoteRow } from '../storage/types';
import {
  orderBatch,
  pendingChanges,
  pendingCount,
  releaseTarget,
  releasedStatus,
  shouldArmDelay,
  shouldRelease,
  type ReleaseTrigger,
} from './release';
import { ReleaseTimers } from './releaseTimer';
import {
  BoardRoom,
  type AlsoStore,
  type BoardConnection,
  type CommitOptions,
  type DecidedChange,
} from './room';
import type { MeetingTransaction } from '../storage/async/types';
import { upgradeParkedField } from './upgradeBoard';
import { WaitingSignal } from './waitingSignal';

/**
 * An author's change, written in a release's transaction: `write` runs before the notes are read
 * (an edit, a deletion); `adding` is a new note, decided with the others and written once.
 */
export interface AuthorChange {
  write?: AlsoStore;
  adding?: NoteRow;
}

/** `notes` (in note id order) with `note` in its place. */
function withNote(notes: readonly NoteRow[], note: NoteRow): NoteRow[] {
  const at = notes.findIndex((n) => n.noteId > note.noteId);
  return at < 0 ? [...notes, note] : [...notes.slice(0, at), note, ...notes.slice(at)];
}

/** The storage reads of the notes views, per case (`noteReads`). */
interface NoteReads {
  unsettled(caseIndex: number): Promise<NoteRow[]>;
  marked(caseIndex: number): Promise<string[]>;
}

export interface CoreDeps {
  hub: MeetingHub;
  storage: AsyncStorage;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  /** Random note ids (not time-ordered); injected so that simulations can repeat a run. */
  newNoteId: () => string;
}

const roomKey = (meetingId: string, caseIndex: number) => `${meetingId}/${caseIndex}`;
/** The bus topic of a meeting's board updates, and the sealing channel of their payloads. */
const relayTopic = (meetingId: string) => `board:${meetingId}`;
const RELAY_CHANNEL = 'board';

/** A relayed update: the case's index (4 bytes), then the Yjs update. */
function relayPayload(caseIndex: number, update: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(caseIndex);
  return Buffer.concat([head, update]);
}

/**
 * The board's state in this process: the case documents, the note rows behind them (in storage),
 * and the Socket.IO connections that get leaders' views. Note rows carry no seat and no time.
 */
export class BoardCore {
  private rooms = new Map<string, BoardRoom>();
  /** Rooms being loaded: two jobs asking for the same board get the same room. */
  private loading = new Map<string, Promise<BoardRoom>>();
  private sockets = new Map<string, Set<AppSocket>>();
  /** Called when a room is dropped, so its connections are closed. */
  onRoomDropped: (room: BoardRoom, code: number, reason: string) => void = () => {};
  /** The relay between processes (SCALE-18), with Redis only. */
  private relayBus: { bus: Bus; failed: (error: unknown) => void } | null = null;
  /** The meetings whose relayed updates this process hears, until their purge. */
  private followed = new Map<string, Promise<() => void>>();
  /** The random release delay of each case whose batch is due (REL-1). */
  readonly releaseTimers: ReleaseTimers;
  /** Leaders' coarse "notes are waiting" flag (REL-5). */
  readonly waiting: WaitingSignal;
  /** The last leaders' view each socket got: an unchanged view is not sent (REL-5). */
  private lastLeaderView = new WeakMap<AppSocket, string>();
  /** The last questions view each presenter or projector socket got (BOARD-11). */
  private lastQuestions = new WeakMap<AppSocket, string>();

  /** On PostgreSQL a case's release delay is a stored due time too (SCALE-60). */
  private readonly storesDue: boolean;

  constructor(readonly deps: CoreDeps) {
    this.storesDue = deps.storage.dialect === 'postgres';
    // Timers run their work as the meeting's jobs (SCALE-5), like every other board change.
    this.releaseTimers = new ReleaseTimers(deps, (meetingId, caseIndex) =>
      deps.hub.serialized(meetingId, () => this.releaseDue(meetingId, caseIndex)),
    );
    // SCALE-60: a stored delay this process claimed (its arming process may be gone), in the job.
    deps.hub.onReleaseDue((meetingId, caseIndex) => this.releaseDue(meetingId, caseIndex));
    this.waiting = new WaitingSignal(
      deps.clock,
      deps.logger,
      (meetingId, job) => deps.hub.serialized(meetingId, job),
      async (meetingId, caseIndex) => (await this.pendingOf(meetingId, caseIndex)) > 0,
      (meetingId) => this.notifyLeaders(meetingId),
    );
  }

  /** A case board, loaded from storage the first time (inside the meeting's job). */
  async room(meetingId: string, caseIndex: number): Promise<BoardRoom> {
    const key = roomKey(meetingId, caseIndex);
    const loaded = this.rooms.get(key);
    if (loaded) return loaded;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.loadRoom(meetingId, caseIndex).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  /**
   * SCALE-18: board updates cross to the other processes through `bus`, sealed under the
   * meeting's key; after a gap in the bus every loaded board reads what it missed from storage.
   */
  relayThrough(bus: Bus, failed: (error: unknown) => void): void {
    this.relayBus = { bus, failed };
    bus.onGap(() => {
      for (const room of this.rooms.values()) {
        this.deps.hub
          .serialized(room.meetingId, async () => {
            if (!room.destroyed) await room.catchUp();
          })
          .catch(failed);
      }
    });
  }

  /** Hears the meeting's relayed updates (in place before its board is read from storage). */
  private async follow(meetingId: string): Promise<void> {
    const relay = this.relayBus;
    if (!relay || this.followed.has(meetingId)) return this.followed.get(meetingId)?.then(() => {});
    const { hub, storage } = this.deps;
    const subscribed = relay.bus.subscribe(relayTopic(meetingId), ({ payload, fromSelf }) => {
      if (fromSelf) return;
      const opened = storage.relay.open(meetingId, RELAY_CHANNEL, payload);
      if (!opened || opened.length <= 4) return;
      const caseIndex = Buffer.from(opened.buffer, opened.byteOffset, 4).readUInt32BE();
      const update = opened.subarray(4);
      const room = this.rooms.get(roomKey(meetingId, caseIndex));
      if (!room) return;
      hub
        .serialized(meetingId, async () => {
          if (!room.destroyed) room.applyFromElsewhere(update);
        })
        .catch(relay.failed);
    });
    this.followed.set(meetingId, subscribed);
    await subscribed;
  }

  private relay(meetingId: string, caseIndex: number, update: Uint8Array): void {
    const relay = this.relayBus;
    if (!relay) return;
    const sealed = this.deps.storage.relay.seal(meetingId, RELAY_CHANNEL, relayPayload(caseIndex, update));
    if (sealed) relay.bus.publish(relayTopic(meetingId), sealed).catch(relay.failed);
  }

  private async loadRoom(meetingId: string, caseIndex: number): Promise<BoardRoom> {
    const { hub, storage, clock, logger } = this.deps;
    await this.follow(meetingId);
    const room = await BoardRoom.load(meetingId, caseIndex, {
      storage,
      now: () => clock.now(),
      serialized: (id, job) => hub.serialized(id, job),
      relay: this.relayBus ? (id, index, update) => this.relay(id, index, update) : undefined,
    });
    room.onCompactFailed = () => logger.warn('board.compact_failed', { meetingId, caseIndex });
    try {
      await upgradeParkedField(room, storage);
    } catch (error) {
      room.destroy();
      throw error;
    }
    // A purge that came while the room loaded leaves nothing to keep.
    if (!hub.state(meetingId)) {
      room.destroy();
      throw new Error('the meeting ended while its board loaded');
    }
    this.rooms.set(roomKey(meetingId, caseIndex), room);
    return room;
  }

  /** The room if it is loaded: for what must not load a board (tests, diagnostics). */
  loadedRoom(meetingId: string, caseIndex: number): BoardRoom | undefined {
    return this.rooms.get(roomKey(meetingId, caseIndex));
  }

  loadedRooms(meetingId?: string): BoardRoom[] {
    return [...this.rooms.values()].filter((r) => meetingId === undefined || r.meetingId === meetingId);
  }

  /** Commits to a case board; if storing fails the room is dropped and reloads from storage. */
  async commit(
    meetingId: string,
    caseIndex: number,
    change: (doc: BoardRoom['doc']) => void,
    alsoStore?: AlsoStore,
    origin: BoardConnection | null = null,
  ): Promise<Uint8Array | null> {
    return this.commitDecided(meetingId, caseIndex, async () => ({ change, alsoStore }), origin);
  }

  /** `commit` with the change decided in its transaction (room.ts, `commitDecided`). */
  async commitDecided(
    meetingId: string,
    caseIndex: number,
    decide: (tx: MeetingTransaction, room: BoardRoom) => Promise<DecidedChange | null>,
    origin: BoardConnection | null = null,
    opts: CommitOptions = {},
  ): Promise<Uint8Array | null> {
    const room = await this.room(meetingId, caseIndex);
    try {
      return await room.commitDecided((tx) => decide(tx, room), origin, opts);
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
  async pendingOf(meetingId: string, caseIndex: number): Promise<number> {
    const state = this.deps.hub.state(meetingId);
    if (!state) return 0;
    const notes = await this.deps.storage.listUnsettledNotes(meetingId, caseIndex);
    return pendingCount(pendingChanges(notes, caseIndex, state.settings));
  }

  /**
   * Sends the waiting changes of a case out if the release rules say so; returns how many went.
   * A change that does not go out arms the case's random delay once MIN_BATCH wait (REL-1).
   * `with` adds an author's change to the same transaction (see `writeAndRelease`).
   */
  async release(
    meetingId: string,
    caseIndex: number,
    trigger: ReleaseTrigger,
    with_: AuthorChange & { touchAt?: number } = {},
  ): Promise<number> {
    const state = this.deps.hub.state(meetingId);
    if (!state) return 0;
    let count = 0;
    let released = false;
    let storedAt: number | undefined;
    // SCALE-18: the batch is decided in the transaction that reads the waiting notes (under the
    // meeting's row lock on PostgreSQL: two processes never release the same notes), and it is
    // written under a Yjs client id of its own.
    const { write, adding, touchAt } = with_;
    const decide = async (tx: MeetingTransaction): Promise<DecidedChange | null> => {
      await write?.(tx);
      // Only the case's unsettled notes: released ones without a pending change never wait.
      const read = await tx.listUnsettledNotesAndLastBatch(meetingId, caseIndex);
      // A new note counts as stored (in the id order of the read) and is written once, as it ends up.
      const notes = adding ? withNote(read.notes, adding) : read.notes;
      const pending = pendingChanges(notes, caseIndex, state.settings);
      count = pendingCount(pending);
      if (!shouldRelease(state.settings, count, trigger)) {
        if (adding) await tx.putNote(adding);
        const arm = shouldArmDelay(state.settings, count);
        if (this.storesDue) storedAt = await this.storeDelay(tx, meetingId, caseIndex, arm, trigger);
        return null;
      }
      released = true;
      // SCALE-60: the batch goes out in this transaction, and its stored delay with it (a named
      // meeting never has one: its notes go out at once, with no statement more).
      if (this.storesDue && state.settings.anonymity !== 'named')
        await tx.setDue(meetingId, releaseDueKind(caseIndex), null);
      const batch = orderBatch(pending, this.deps.random);
      const target = releaseTarget(state.settings);
      const batchNo = (read.lastBatch ?? -1) + 1;
      return this.releaseChange(meetingId, caseIndex, state, batch, target, batchNo);
    };
    await this.commitDecided(meetingId, caseIndex, decide, null, touchAt === undefined ? {} : { touchAt });
    if (!released) {
      if (shouldArmDelay(state.settings, count)) this.releaseTimers.arm(meetingId, caseIndex, storedAt);
      this.waiting.changed(meetingId, caseIndex);
      return 0;
    }
    // Everything that waited went out: whatever comes next waits for a fresh delay.
    this.releaseTimers.cancel(meetingId, caseIndex);
    this.waiting.released(meetingId, caseIndex);
    this.deps.logger.info('board.released', { meetingId, caseIndex, count, trigger });
    return count;
  }

  /**
   * An author's change of the case's notes (a new note, an edit, a deletion), the release
   * it may complete and the meeting's activity stamp, in one transaction. Returns what `release`
   * does: a batch takes every waiting change, so a batch that went out took this one.
   */
  async writeAndRelease(meetingId: string, caseIndex: number, change: AuthorChange): Promise<number> {
    const { hub } = this.deps;
    const touchAt = hub.activityNow(meetingId);
    const released = await this.release(meetingId, caseIndex, 'change', {
      ...change,
      ...(touchAt === null ? {} : { touchAt }),
    });
    if (touchAt !== null) hub.touched(meetingId, touchAt);
    return released;
  }

  /**
   * SCALE-60, PostgreSQL: the case's delay as a stored due time, in the transaction that decided
   * not to release. Once MIN_BATCH changes wait it is stored unless another change (on any
   * process) stored it already; that time holds, and is returned for the local timer. A delay
   * that passed with fewer waiting is gone, as its timer is (REL-1).
   */
  private async storeDelay(
    tx: Pick<MeetingTransaction, 'keepDue' | 'setDue'>,
    meetingId: string,
    caseIndex: number,
    arm: boolean,
    trigger: ReleaseTrigger,
  ): Promise<number | undefined> {
    const kind = releaseDueKind(caseIndex);
    if (arm) return tx.keepDue(meetingId, kind, this.releaseTimers.proposedAt(meetingId, caseIndex));
    if (trigger === 'timer') await tx.setDue(meetingId, kind, null);
    return undefined;
  }

  /** A case's delay passed (its timer here, or its stored due time on any process): in the job. */
  private async releaseDue(meetingId: string, caseIndex: number): Promise<void> {
    await this.release(meetingId, caseIndex, 'timer');
    await this.notifyLeaders(meetingId);
  }

  /** A release batch's change of the document and its rows, written in one transaction. */
  private releaseChange(
    meetingId: string,
    caseIndex: number,
    state: MeetingState,
    batch: ReturnType<typeof orderBatch>,
    target: ReturnType<typeof releaseTarget>,
    batchNo: number,
  ): DecidedChange {
    // The rows are decided with the document's change and written in its transaction.
    const rows: ((tx: Parameters<AlsoStore>[0]) => Promise<void>)[] = [];
    // A batch of notes never seen before touches nothing the board holds.
    const onlyNew = batch.edit.length === 0 && batch.remove.length === 0;
    return {
      ownWriter: onlyNew ? 'new notes only' : true,
      change: (doc) => {
        for (const n of batch.insert) {
          const text = n.pendingText ?? n.text;
          // BOARD-11: a question is never on the board; its batch goes to the leaders only.
          const status = releasedStatus(n.kind, state.settings);
          if (status === 'released') insertNote(doc, this.newBoardNote(n, text, batchNo));
          const layout = status === 'released' ? null : (n.layout ?? null);
          rows.push((tx) => tx.putNote({ ...n, text, pendingText: null, status, batch: batchNo, layout }));
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
          rows.push((tx) => tx.putNote({ ...n, text, pendingText: null, status, layout }));
        }
        for (const n of batch.remove) {
          if (n.status === 'released') removeNote(doc, n.noteId);
          if (n.status === 'parked') removeParked(doc, n.noteId);
          rows.push((tx) => tx.deleteNote(meetingId, n.noteId));
        }
      },
      alsoStore: async (tx) => {
        for (const write of rows) await write(tx);
      },
    };
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
  async syncResonance(meetingId: string, caseIndex: number): Promise<void> {
    const state = this.deps.hub.state(meetingId);
    if (!state || !state.cases[caseIndex]) return;
    const shown = resonanceShown(state, caseIndex);
    const marked = (await this.deps.storage.listNotes(meetingId)).filter(
      (n) => n.caseIndex === caseIndex && n.status === 'released' && (n.resonance ?? 0) > 0,
    );
    await this.commit(meetingId, caseIndex, (doc) => {
      for (const n of marked) setNoteResonance(doc, n.noteId, shown ? (n.resonance ?? 0) : 0);
    });
  }

  /** The presenter's own marks in the current case, or null when the seat is not its presenter. */
  async presenterView(
    meetingId: string,
    seatId: string,
    reads = this.noteReads(meetingId),
  ): Promise<PresenterMarksView | null> {
    const state = this.deps.hub.state(meetingId);
    if (!state) return null;
    const caseIndex = currentCaseIndex(state);
    if (state.cases[caseIndex]?.presenterSeatId !== seatId) return null;
    return { caseIndex, marked: await reads.marked(caseIndex) };
  }

  /**
   * BOARD-11: the questions a leader passed on, for the presenter and the projector, and only in
   * the current case's questions phase; null for everyone else. From push-back on the list is
   * empty: the data is not sent, not merely folded.
   */
  async questionsView(
    meetingId: string,
    seatId: string,
    reads = this.noteReads(meetingId),
  ): Promise<QuestionsView | null> {
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
      ? (await reads.unsettled(caseIndex))
          .filter((n) => n.status === 'passed' && !n.pendingDelete)
          .map(({ noteId, text }) => ({ noteId, text }))
      : [];
    return { caseIndex, questions };
  }

  /**
   * The reads the notes views are built from, each made once however many views use it: one
   * notice to several leaders and the presenter reads the case's notes once.
   */
  private noteReads(meetingId: string): NoteReads {
    const { storage } = this.deps;
    const unsettled = new Map<number, Promise<NoteRow[]>>();
    const marked = new Map<number, Promise<string[]>>();
    const once = <T>(memo: Map<number, Promise<T>>, caseIndex: number, read: () => Promise<T>) => {
      let p = memo.get(caseIndex);
      if (!p) memo.set(caseIndex, (p = read()));
      return p;
    };
    return {
      unsettled: (c) => once(unsettled, c, () => storage.listUnsettledNotes(meetingId, c)),
      marked: (c) => once(marked, c, () => storage.listMarkedNoteIds(meetingId, c)),
    };
  }

  async nextBatch(meetingId: string, caseIndex: number): Promise<number> {
    return ((await this.deps.storage.maxNoteBatch(meetingId, caseIndex)) ?? -1) + 1;
  }

  /**
   * BOARD-9: the room's parking lot of a case matches its setting: every parked note while a
   * leader shows it, none otherwise. Called when the setting changes (and harmless when it did not).
   */
  async syncParking(meetingId: string, caseIndex: number): Promise<void> {
    const state = this.deps.hub.state(meetingId);
    if (!state || !state.cases[caseIndex]) return;
    const parked = (await this.deps.storage.listUnsettledNotes(meetingId, caseIndex)).filter(
      (n) => n.status === 'parked',
    );
    const shown = parkingShown(state, caseIndex);
    await this.commit(meetingId, caseIndex, (doc) => {
      const lot = parkingMap(doc);
      for (const id of [...lot.keys()]) if (!shown || !parked.some((n) => n.noteId === id)) lot.delete(id);
      if (!shown) return;
      for (const n of parked) {
        if (!lot.has(n.noteId)) putParked(doc, this.newBoardNote(n, n.text, n.batch ?? 0));
      }
    });
  }

  /** A phase ended: every case's waiting changes go out. */
  async releaseAll(meetingId: string, trigger: ReleaseTrigger): Promise<number> {
    const state = this.deps.hub.state(meetingId);
    if (!state) return 0;
    let released = 0;
    for (let c = 0; c < state.cases.length; c++) {
      // A case with nothing waiting as stored takes no transaction (a phase change usually finds
      // none). A change another process stores after this read runs its own release: the same as
      // when it commits just after the release's transaction.
      if ((await this.pendingOf(meetingId, c)) === 0) {
        this.waiting.changed(meetingId, c);
        continue;
      }
      released += await this.release(meetingId, c, trigger);
    }
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

  async leaderView(
    meetingId: string,
    seatId: string,
    reads = this.noteReads(meetingId),
  ): Promise<LeaderNotesView | null> {
    const state = this.deps.hub.state(meetingId);
    if (!state || !isLeaderSeat(state, seatId)) return null;
    const caseIndex = currentCaseIndex(state);
    // Screening, hidden and waiting notes are all unsettled: the released ones are not read.
    const notes = await reads.unsettled(caseIndex);
    const resonance = await reads.marked(caseIndex);
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
      resonance,
      waiting: this.waiting.get(meetingId, caseIndex),
    };
  }

  /**
   * Arms what a restart lost (REL-3): a fresh delay for every case whose batch is due. On
   * PostgreSQL (SCALE-60) a stored delay holds instead, and one is stored where none is.
   */
  async resumeReleases(): Promise<void> {
    for (const meetingId of this.deps.hub.meetingIds()) {
      const state = this.deps.hub.state(meetingId);
      if (!state) continue;
      for (let c = 0; c < state.cases.length; c++) {
        const count = await this.pendingOf(meetingId, c);
        this.waiting.prime(meetingId, c, count > 0);
        if (!shouldArmDelay(state.settings, count)) continue;
        const storedAt = this.storesDue
          ? await this.deps.storage.transaction((tx) => this.storeDelay(tx, meetingId, c, true, 'change'))
          : undefined;
        this.releaseTimers.arm(meetingId, c, storedAt);
      }
    }
  }

  /**
   * Sends one leader connection its view, unless it already has this very view; the current
   * case's presenter gets their own marks instead (BOARD-10).
   */
  async notifySocket(socket: AppSocket, reads = this.noteReads(socket.data.meetingId)): Promise<void> {
    const view = await this.leaderView(socket.data.meetingId, socket.data.seatId, reads);
    if (!view) {
      const questions = await this.questionsView(socket.data.meetingId, socket.data.seatId, reads);
      const questionsJson = questions ? JSON.stringify(questions) : null;
      if (questions && this.lastQuestions.get(socket) !== questionsJson) {
        this.lastQuestions.set(socket, questionsJson as string);
        socket.emit('board:questions', questions);
      }
      const marks = await this.presenterView(socket.data.meetingId, socket.data.seatId, reads);
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

  /** After a change of the meeting's notes: this process's sockets, then the others (SCALE-21). */
  async notifyLeaders(meetingId: string): Promise<void> {
    await this.notifyLocalLeaders(meetingId);
    this.deps.hub.notesChanged(meetingId);
  }

  /** The views that depend on notes, to this process's sockets of the meeting. */
  async notifyLocalLeaders(meetingId: string): Promise<void> {
    const sockets = this.sockets.get(meetingId);
    if (!sockets) return;
    const reads = this.noteReads(meetingId);
    for (const socket of [...sockets]) await this.notifySocket(socket, reads);
  }

  /** The meeting was purged: keep nothing of it. */
  purge(meetingId: string, code: number, reason: string): void {
    for (const room of this.loadedRooms(meetingId)) this.dropRoom(room, code, reason);
    const followed = this.followed.get(meetingId);
    this.followed.delete(meetingId);
    followed?.then((unsubscribe) => unsubscribe(), this.relayBus?.failed ?? (() => {}));
    this.sockets.delete(meetingId);
    this.releaseTimers.purge(meetingId);
    this.waiting.purge(meetingId);
  }

  /** Drain: compact what is stored, close connections, free every document. */
  async close(code: number, reason: string): Promise<void> {
    for (const room of [...this.rooms.values()]) {
      try {
        // In the meeting's order: a job still running finishes its transaction first.
        await this.deps.hub.serialized(room.meetingId, () => room.compact());
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

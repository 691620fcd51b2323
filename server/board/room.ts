import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { notesMap, parkingMap, themesMap } from '../../shared/board/schema';
import type { StoredBoardUpdate } from '../storage/types';
import type { AsyncStorage, MeetingTransaction, StorageOperations } from '../storage/async/types';
import { awarenessFrame, updateFrame } from './wire';

/** What the board needs of a WebSocket (`ws` has it; tests pass in-memory sinks). */
export interface BoardSink {
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
  ping(): void;
  terminate(): void;
}

/** One open board WebSocket. Its rights are looked up on every message, never cached. */
export interface BoardConnection {
  ws: BoardSink;
  meetingId: string;
  seatId: string;
  room: BoardRoom;
  /** Awareness client ids this (leader) connection speaks for; removed when it closes. */
  awarenessIds: Set<number>;
  /**
   * A leader update that depends on the client's own earlier update still in flight (sent before
   * a reconnect, resent in its sync step 2): held, not applied, until the rest arrives.
   */
  heldUpdate: Uint8Array | null;
  /** Keep-alive rounds without a pong; the connection is dropped after a few. */
  missedPongs: number;
  /** When the server last sent this connection a frame (its room's clock); unset: never. */
  lastSentAt?: number;
  /** When this connection was last heard from (a frame or a pong); unset: never. */
  lastHeardAt?: number;
}

/** Past this many stored updates a board's rows are merged into one. */
export const COMPACT_AFTER_UPDATES = 100;
/**
 * An update that deleted something (a note, the old text of an edit, a theme's old name) leaves
 * the deleted content in the stored update log until a compaction: it runs this soon after, at
 * most once per period however many deletions come (a leader dragging cards deletes too). With
 * the WAL truncation that follows (walScrub.ts) the text is off the disk within 10 s.
 */
export const COMPACT_AFTER_DELETE_MS = 2_000;
/** More writes of a board change's transaction (the note rows behind it). */
export type AlsoStore = (tx: MeetingTransaction) => Promise<void>;

/** A change decided inside its transaction (from rows read there); null: nothing to change. */
export interface DecidedChange {
  change: (doc: Y.Doc) => void;
  alsoStore?: AlsoStore;
  /**
   * SCALE-18: written under a Yjs client id of its own, used for this change only (a release
   * batch): nothing in the board tells which process wrote it. `'new notes only'`: the change
   * only adds notes the board never held, so it is written on an empty copy (no copy of the
   * whole board per batch).
   */
  ownWriter?: boolean | 'new notes only';
}

/** How a change is committed besides its decision. */
export interface CommitOptions {
  /** The meeting's activity stamp, stored in the change's transaction (with the row lock). */
  touchAt?: number;
}

/** The origin of updates another process stored (applied here, relayed to every connection). */
export const FROM_ELSEWHERE = Symbol('another process');

/** What a room needs besides its document: storage, the meeting's queue (SCALE-5), the clock. */
export interface RoomDeps {
  storage: AsyncStorage;
  /** Runs a job in the meeting's queue: the background compaction must not cut into a command. */
  serialized: <T>(meetingId: string, job: () => Promise<T>) => Promise<T>;
  /** The injected clock's time, for the keep-alive's bookkeeping. */
  now: () => number;
  /** Tells the other processes of an update this one stored (SCALE-18); absent for one process. */
  relay?: (meetingId: string, caseIndex: number, update: Uint8Array) => void;
}

/** A connection this far behind is dropped (it reconnects and resyncs). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * One case board: its Yjs document (loaded from storage, the server's writer being this copy),
 * the connections holding it and, while any are open, an awareness relay for leaders.
 */
export class BoardRoom {
  /** Replaced by an empty document on destroy (see there). */
  doc = new Y.Doc();
  readonly conns = new Set<BoardConnection>();
  private awareness: awarenessProtocol.Awareness | null = null;
  private storedUpdates = 0;
  /** The last stored update this copy holds (SCALE-18): a newer one is another process's. */
  private lastSeq = 0;
  /** On PostgreSQL other processes write to the same board: their updates are read first. */
  private readonly shared: boolean;
  private compactTimer: NodeJS.Timeout | null = null;

  readonly now: () => number;
  private readonly storage: AsyncStorage;

  private constructor(
    readonly meetingId: string,
    readonly caseIndex: number,
    private readonly deps: RoomDeps,
    updates: StoredBoardUpdate[],
  ) {
    this.storage = deps.storage;
    this.shared = deps.storage.dialect === 'postgres';
    this.now = deps.now;
    if (updates.length > 0) Y.applyUpdate(this.doc, Y.mergeUpdates(updates.map((u) => u.update)));
    this.storedUpdates = updates.length;
    this.lastSeq = updates.at(-1)?.seq ?? 0;
    // The roots exist from the start, so their types are maps on every copy.
    notesMap(this.doc);
    themesMap(this.doc);
    parkingMap(this.doc);
  }

  /** Loads a case board from its stored updates (inside the meeting's job), compacting them. */
  static async load(meetingId: string, caseIndex: number, deps: RoomDeps): Promise<BoardRoom> {
    const updates = await deps.storage.loadBoardUpdatesAfter(meetingId, caseIndex, 0);
    const room = new BoardRoom(meetingId, caseIndex, deps, updates);
    if (room.storedUpdates > 1) await room.compact();
    return room;
  }

  /**
   * Applies `change` with the server's writer (or a checked leader update), stores the resulting
   * update together with `alsoStore` (run after `change`) in one transaction, and only once it
   * committed relays it. Runs inside the meeting's job (SCALE-5), so no other reader sees the
   * document between the change and its commit. Returns the update, or null when nothing
   * changed. If storing fails, the in-memory document may be ahead of storage: the caller must
   * drop this room.
   */
  commit(
    change: (doc: Y.Doc) => void,
    alsoStore?: AlsoStore,
    origin: BoardConnection | null = null,
  ): Promise<Uint8Array | null> {
    return this.commitDecided(async () => ({ change, alsoStore }), origin);
  }

  /**
   * `commit` with the change decided inside the transaction, after the meeting's row lock and
   * after this copy took every update another process stored (SCALE-18): what `decide` reads and
   * checks is the board and the rows as stored.
   */
  async commitDecided(
    decide: (tx: MeetingTransaction) => Promise<DecidedChange | null>,
    origin: BoardConnection | null = null,
    opts: CommitOptions = {},
  ): Promise<Uint8Array | null> {
    const captured: Uint8Array[] = [];
    const capture = (update: Uint8Array) => captured.push(update);
    await this.storage.transaction(async (tx) => {
      // Several processes (SCALE-16): the board changes in the meeting's order there too.
      if (this.shared) {
        await tx.lockMeeting(this.meetingId, opts.touchAt);
        await this.catchUp(tx);
      } else if (opts.touchAt !== undefined) {
        await tx.touchMeeting(this.meetingId, opts.touchAt);
      }
      const decided = await decide(tx);
      if (!decided) return;
      this.doc.on('update', capture);
      try {
        if (decided.ownWriter) {
          const fromEmpty = decided.ownWriter === 'new notes only';
          Y.applyUpdate(this.doc, writtenApart(this.doc, decided.change, fromEmpty), origin);
        } else this.doc.transact(() => decided.change(this.doc), origin);
      } finally {
        this.doc.off('update', capture);
      }
      await decided.alsoStore?.(tx);
      for (const update of captured) {
        this.lastSeq = await tx.appendBoardUpdate(this.meetingId, this.caseIndex, update);
      }
    });
    this.storedUpdates += captured.length;
    for (const update of captured) {
      this.broadcast(updateFrame(update), origin);
      this.deps.relay?.(this.meetingId, this.caseIndex, update);
    }
    if (this.storedUpdates >= COMPACT_AFTER_UPDATES) await this.compact();
    else if (captured.some(deletesSomething)) this.compactSoon();
    return captured.length > 0
      ? captured.length === 1
        ? (captured[0] as Uint8Array)
        : Y.mergeUpdates(captured)
      : null;
  }

  /**
   * Merges the stored updates into one, then drops the content of deleted items (a garbage-
   * collected encoding of the same structs): every item keeps its id, so connected copies see no
   * change, and the text of deleted notes leaves the file. Never a rebuilt document.
   */
  async compact(): Promise<void> {
    if (this.compactTimer) clearTimeout(this.compactTimer);
    this.compactTimer = null;
    // Under the meeting's row lock on PostgreSQL: another process's update stored between the
    // read and the replace would be lost. This copy takes what it lacks first (SCALE-18).
    await this.storage.transaction(async (tx) => {
      if (this.shared) await tx.lockMeeting(this.meetingId);
      const stored = await tx.loadBoardUpdatesAfter(this.meetingId, this.caseIndex, 0);
      if (this.shared) this.takeStored(stored.filter((u) => u.seq > this.lastSeq));
      if (stored.length <= 1) {
        this.storedUpdates = stored.length;
        return;
      }
      const gc = new Y.Doc();
      Y.applyUpdate(gc, Y.mergeUpdates(stored.map((u) => u.update)));
      const merged = Y.encodeStateAsUpdate(gc);
      gc.destroy();
      this.lastSeq = await tx.replaceBoardUpdates(this.meetingId, this.caseIndex, merged);
      this.storedUpdates = 1;
    });
  }

  /** Takes the updates other processes stored since this copy's last (inside a transaction). */
  async catchUp(db: Pick<StorageOperations, 'loadBoardUpdatesAfter'> = this.storage): Promise<void> {
    this.takeStored(await db.loadBoardUpdatesAfter(this.meetingId, this.caseIndex, this.lastSeq));
  }

  private takeStored(updates: readonly StoredBoardUpdate[]): void {
    for (const u of updates) {
      this.applyFromElsewhere(u.update);
      this.lastSeq = Math.max(this.lastSeq, u.seq);
    }
    this.storedUpdates += updates.length;
  }

  /**
   * An update another process stored (read from storage, or relayed through Redis): applied, and
   * sent to this copy's connections only when it brought something new (a relayed update read
   * again from storage later brings nothing).
   */
  applyFromElsewhere(update: Uint8Array): void {
    const fresh: Uint8Array[] = [];
    const capture = (u: Uint8Array) => fresh.push(u);
    this.doc.on('update', capture);
    try {
      Y.applyUpdate(this.doc, update, FROM_ELSEWHERE);
    } finally {
      this.doc.off('update', capture);
    }
    for (const u of fresh) this.broadcast(updateFrame(u));
  }

  /** Compacts within COMPACT_AFTER_DELETE_MS; a failure is retried by the next deletion or drain. */
  private compactSoon(): void {
    if (this.compactTimer) return;
    this.compactTimer = setTimeout(() => {
      this.compactTimer = null;
      this.deps
        .serialized(this.meetingId, async () => {
          // A room dropped meanwhile (a purge) has nothing left to compact.
          if (this.destroyed) return;
          await this.compact();
        })
        // Storage refused (a lock, a full disk): the update log stays as it was, still complete.
        .catch(() => this.onCompactFailed());
    }, COMPACT_AFTER_DELETE_MS);
    this.compactTimer.unref();
  }

  /** Set by the core to log a failed background compaction (no content in the log). */
  onCompactFailed: () => void = () => {};

  join(conn: BoardConnection): void {
    this.conns.add(conn);
    this.awareness ??= this.openAwareness();
  }

  leave(conn: BoardConnection): void {
    if (!this.conns.delete(conn)) return;
    if (this.awareness && conn.awarenessIds.size > 0) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null);
    }
    if (this.conns.size === 0) this.closeAwareness();
  }

  /** Leaders' awareness (cursors, selection) is relayed; nobody else's reaches this. */
  applyLeaderAwareness(conn: BoardConnection, update: Uint8Array): void {
    if (!this.awareness) return;
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, conn);
  }

  /** The awareness states to answer a query with: leaders' only. */
  awarenessSnapshot(): Uint8Array | null {
    if (!this.awareness) return null;
    const ids = [...this.awareness.getStates().keys()];
    return ids.length > 0
      ? awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids))
      : null;
  }

  broadcast(frame: Uint8Array, except: BoardConnection | null = null): void {
    for (const conn of this.conns) if (conn !== except) send(conn, frame);
  }

  /** Set once the room is dropped: a job queued before that finds it gone. */
  destroyed = false;

  destroy(): void {
    this.destroyed = true;
    if (this.compactTimer) clearTimeout(this.compactTimer);
    this.compactTimer = null;
    this.closeAwareness();
    this.conns.clear();
    this.doc.destroy();
    // A connection still closing (its peer slow to answer the close, CONF-1) holds this room until
    // it is cut: it must not hold the purged text with it. `destroy` keeps a document's content.
    this.doc = new Y.Doc();
  }

  private openAwareness(): awarenessProtocol.Awareness {
    const awareness = new awarenessProtocol.Awareness(this.doc);
    // The server has no presence of its own.
    awareness.setLocalState(null);
    awareness.on(
      'update',
      (
        { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
        origin: unknown,
      ) => {
        const conn = [...this.conns].find((c) => c === origin);
        if (conn) {
          for (const id of added) conn.awarenessIds.add(id);
          for (const id of removed) conn.awarenessIds.delete(id);
        }
        const changed = [...added, ...updated, ...removed];
        this.broadcast(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(awareness, changed)));
      },
    );
    return awareness;
  }

  private closeAwareness(): void {
    // Every Awareness runs an interval: destroy it, or the process never exits.
    this.awareness?.destroy();
    this.awareness = null;
  }
}

/**
 * `change` made on a scratch copy of `doc` whose client id is new (Yjs draws one per document),
 * returned as the update that brings `doc` there: the change's items carry that id only.
 * `fromEmpty`: the change only sets new keys of root maps, which need nothing of `doc` (a key's
 * item names its root by name and has no left neighbour when the key is new).
 */
function writtenApart(doc: Y.Doc, change: (doc: Y.Doc) => void, fromEmpty: boolean): Uint8Array {
  const scratch = new Y.Doc({ gc: doc.gc });
  try {
    if (!fromEmpty) Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
    scratch.transact(() => change(scratch));
    return Y.encodeStateAsUpdate(scratch, Y.encodeStateVector(doc));
  } finally {
    scratch.destroy();
  }
}

/** Whether a Yjs update deletes an item (its delete set names a client). */
function deletesSomething(update: Uint8Array): boolean {
  return Y.decodeUpdate(update).ds.clients.size > 0;
}

/** Sends one frame; a connection that is not open or too far behind is dropped. */
export function send(conn: BoardConnection, frame: Uint8Array): void {
  const ws = conn.ws;
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    ws.close(1013, 'too far behind');
    return;
  }
  ws.send(frame);
  conn.lastSentAt = conn.room.now();
}

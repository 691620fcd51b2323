/**
 * One meeting held open by the load generator: every seat with its meeting connection and (when
 * the server has a board) its board provider. Measures, per note, the time until the note is in
 * every other seat's document, and per phase change the time until every seat has the new
 * snapshot.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SPECULATION_KINDS } from '../../shared/meeting/phases';
import type { MeetingCommand } from '../../shared/meeting/commands';
import type { MeetingView } from '../../shared/meeting/view';
import {
  ACK_TIMEOUT_MS,
  connectSeat,
  containsMarker,
  newSecret,
  noteText,
  openMeetingBoard,
  sendCommand,
  withTimeout,
  type BoardClient,
  type ClientSocket,
} from './clients';
import type { PreparedMeeting } from './types';

interface Seat {
  socket: ClientSocket;
  board: BoardClient | null;
  view: MeetingView;
  /** The process this seat is connected to. */
  url: string;
}

/** A seat that lost its process and came back on another (wall-clock ms, comparable across processes). */
export interface Recovery {
  seat: number;
  from: string;
  lostAt: number;
  backAt: number;
}

interface ConnectOptions {
  withBoard: boolean;
  localAddress?: string;
  onError: ErrorSink;
  /**
   * Process URLs to fail over to: a seat whose connection drops reconnects to the next of them
   * (after Socket.IO's default randomised delay), as a browser behind a balancer would be sent to
   * another process; without it a drop is an error.
   */
  failover?: string[];
}

/** Socket.IO's client defaults: reconnectionDelay 1 s, at most 5 s, randomisation ±50%. */
const RECONNECT_DELAY_MS = 1_000;
const RECONNECT_DELAY_MAX_MS = 5_000;
const RECONNECT_ATTEMPTS = 10;
const reconnectDelay = (attempt: number) =>
  Math.min(RECONNECT_DELAY_MS * 2 ** attempt, RECONNECT_DELAY_MAX_MS) * (0.5 + Math.random());

/** Someone is waiting for `waiting` seats to see something sent at `t0`. */
interface Pending {
  t0: number;
  waiting: Set<number>;
  done: (ms: number) => void;
}

export type ErrorSink = (what: string) => void;

export class HeldMeeting {
  private pendingNotes = new Map<Buffer, Pending>();
  private pendingPhase: { pending: Pending; isNew: (view: MeetingView, seat: number) => boolean } | null =
    null;
  private closing = false;
  private recoveringSeats = new Set<number>();
  /** Every seat that failed over, in the order they came back. */
  readonly recoveries: Recovery[] = [];
  /** Size of the last Yjs update that brought a note to a seat. */
  lastNoteUpdateBytes = 0;

  private constructor(
    readonly prepared: PreparedMeeting,
    /** The process every seat connected to first (a sticky balancer keeps a meeting on one). */
    readonly baseUrl: string,
    private seats: Seat[],
    private opts: ConnectOptions,
  ) {
    seats.forEach((seat, index) => this.watch(seat, index));
  }

  static async connect(
    baseUrl: string,
    prepared: PreparedMeeting,
    opts: ConnectOptions,
  ): Promise<HeldMeeting> {
    const seats = await Promise.allSettled(
      prepared.seats.map((creds) => openSeat(baseUrl, prepared, creds.token, opts)),
    );
    const failed = seats.find((s) => s.status === 'rejected');
    if (failed) {
      for (const s of seats) if (s.status === 'fulfilled') closeSeat(s.value);
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    return new HeldMeeting(
      prepared,
      baseUrl,
      seats.map((s) => (s as PromiseFulfilledResult<Seat>).value),
      opts,
    );
  }

  get size(): number {
    return this.seats.length;
  }

  /** Some seat is reconnecting to another process: the load leaves this meeting alone meanwhile. */
  get recovering(): boolean {
    return this.recoveringSeats.size > 0;
  }

  private onError(what: string): void {
    this.opts.onError(what);
  }

  /** The seat's connection dropped: with failover, reconnect it elsewhere, else count an error. */
  private lost(index: number, what: string): void {
    if (this.closing) return;
    if (this.opts.failover) void this.recover(index);
    else this.onError(what);
  }

  /**
   * Reconnects seat `index` on the next process of the failover list (the one it was on comes
   * last), both connections afresh: back means a new Socket.IO connection with its first
   * snapshot and a board synced again.
   */
  private async recover(index: number): Promise<void> {
    const seat = this.seats[index];
    const creds = this.prepared.seats[index];
    const urls = this.opts.failover ?? [];
    if (!seat || !creds || this.recoveringSeats.has(index) || urls.length === 0) return;
    this.recoveringSeats.add(index);
    const lostAt = Date.now();
    seat.socket.off();
    closeSeat(seat);
    const start = urls.indexOf(seat.url) + 1;
    const order = [...urls.slice(start), ...urls.slice(0, start)];
    let lastError = 'none made';
    for (let attempt = 0; attempt < RECONNECT_ATTEMPTS && !this.closing; attempt++) {
      await sleep(reconnectDelay(attempt));
      if (this.closing) break;
      const url = order[attempt % order.length] ?? seat.url;
      try {
        const fresh = await openSeat(url, this.prepared, creds.token, this.opts);
        if (this.closing) {
          closeSeat(fresh);
          break;
        }
        this.seats[index] = fresh;
        this.watch(fresh, index);
        this.recoveries.push({ seat: index, from: seat.url, lostAt, backAt: Date.now() });
        this.recoveringSeats.delete(index);
        return;
      } catch (error) {
        // The next attempt tries the next process, after a longer delay.
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    this.recoveringSeats.delete(index);
    if (!this.closing)
      this.onError(`a seat did not come back within ${RECONNECT_ATTEMPTS} attempts (the last: ${lastError})`);
  }

  private watch(seat: Seat, index: number): void {
    seat.socket.on('meeting:state', (view) => {
      seat.view = view;
      const p = this.pendingPhase;
      if (p?.pending.waiting.has(index) && p.isNew(view, index)) this.arrived(p.pending, index);
    });
    seat.socket.on('disconnect', (reason) => {
      if (this.seats[index] === seat) this.lost(index, `socket disconnected: ${reason}`);
    });
    if (!seat.board) return;
    seat.board.doc.on('update', (update: Uint8Array) => {
      for (const [marker, pending] of this.pendingNotes) {
        if (pending.waiting.has(index) && containsMarker(update, marker)) {
          this.lastNoteUpdateBytes = update.byteLength;
          this.arrived(pending, index);
        }
      }
    });
    seat.board.provider.on('connection-close', (event: { code: number } | null) => {
      if (this.seats[index] === seat) this.lost(index, `board closed: ${event?.code ?? 'locally'}`);
    });
  }

  private arrived(pending: Pending, index: number): void {
    pending.waiting.delete(index);
    if (pending.waiting.size === 0) pending.done(performance.now() - pending.t0);
  }

  /** Waits for `pending` to complete; rejects after `timeoutMs`, naming how many seats missed it. */
  private settle(pending: Pending, timeoutMs: number, what: string, cleanup: () => void): Promise<number> {
    return withTimeout(
      new Promise<number>((resolve) => {
        pending.done = resolve;
      }),
      timeoutMs,
      `${what} (${pending.waiting.size} seats still waiting)`,
    ).finally(cleanup);
  }

  /**
   * A participant adds a note; resolves with the ms until every other seat's document has it.
   * `marker` must be unique in the run. With `edit`, the author then rewrites it once (the old
   * text is deleted content: the server compacts the case and truncates the WAL, DISK-3).
   */
  async addNote(
    senderIndex: number,
    marker: string,
    deliveryTimeoutMs: number,
    edit = false,
  ): Promise<number> {
    const sender = this.seats[senderIndex];
    if (!sender?.board) throw new Error('no board connection to measure with');
    const key = Buffer.from(marker, 'utf8');
    const others = new Set(this.seats.map((_, i) => i).filter((i) => i !== senderIndex));
    const pending: Pending = { t0: performance.now(), waiting: others, done: () => {} };
    this.pendingNotes.set(key, pending);
    const delivered = this.settle(pending, deliveryTimeoutMs, 'note fan-out', () =>
      this.pendingNotes.delete(key),
    );
    const kind = SPECULATION_KINDS[marker.length % SPECULATION_KINDS.length] ?? 'association';
    const secret = newSecret();
    const acked = withTimeout(
      new Promise<string>((resolve, reject) =>
        sender.socket.emit('note:add', { secret, kind, text: noteText(marker) }, (result) =>
          result.ok
            ? resolve(result.value.noteId)
            : reject(new Error(`note:add refused: ${result.error.code}`)),
        ),
      ),
      ACK_TIMEOUT_MS,
      'note:add ack',
    );
    const [ms, noteId] = await Promise.all([delivered, acked]);
    if (edit) {
      await withTimeout(
        new Promise<void>((resolve, reject) =>
          sender.socket.emit(
            'note:edit',
            { noteId, secret, text: `${noteText(marker)} (edited)` },
            (result) =>
              result.ok ? resolve() : reject(new Error(`note:edit refused: ${result.error.code}`)),
          ),
        ),
        ACK_TIMEOUT_MS,
        'note:edit ack',
      );
    }
    return ms;
  }

  /** The leader sends `command`; resolves with the ms until every seat has a snapshot that `isNew`. */
  async changePhase(
    command: MeetingCommand,
    isNew: (view: MeetingView, seat: number) => boolean,
    deliveryTimeoutMs: number,
  ): Promise<number> {
    const leader = this.seats[0];
    if (!leader) throw new Error('no leader');
    if (this.pendingPhase) throw new Error('a phase change is still in flight');
    const pending: Pending = {
      t0: performance.now(),
      waiting: new Set(this.seats.map((_, i) => i)),
      done: () => {},
    };
    this.pendingPhase = { pending, isNew };
    const delivered = this.settle(pending, deliveryTimeoutMs, 'phase change', () => {
      this.pendingPhase = null;
    });
    const acked = sendCommand(leader.socket, command).then((result) => {
      if (!result.ok) throw new Error(`${command.type} refused: ${result.error.code}`);
    });
    const [ms] = await Promise.all([delivered, acked]);
    return ms;
  }

  views(): MeetingView[] {
    return this.seats.map((s) => s.view);
  }

  close(): void {
    this.closing = true;
    for (const seat of this.seats) closeSeat(seat);
  }
}

async function openSeat(
  url: string,
  prepared: PreparedMeeting,
  token: string,
  opts: ConnectOptions,
): Promise<Seat> {
  const { socket, view } = await connectSeat(url, token, opts.localAddress);
  try {
    const board = opts.withBoard
      ? await openMeetingBoard(url, prepared.meetingId, prepared.caseIndex, token, opts.localAddress)
      : null;
    return { socket, board, view, url };
  } catch (error) {
    socket.close();
    throw error;
  }
}

function closeSeat(seat: Seat): void {
  seat.socket.close();
  seat.board?.destroy();
}

/**
 * One meeting held open by the load generator: every seat with its meeting connection and (when
 * the server has a board) its board provider. Measures, per note, the time until the note is in
 * every other seat's document, and per phase change the time until every seat has the new
 * snapshot.
 */
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
}

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
  /** Size of the last Yjs update that brought a note to a seat. */
  lastNoteUpdateBytes = 0;

  private constructor(
    readonly prepared: PreparedMeeting,
    private seats: Seat[],
    private onError: ErrorSink,
  ) {
    seats.forEach((seat, index) => this.watch(seat, index));
  }

  static async connect(
    baseUrl: string,
    prepared: PreparedMeeting,
    opts: { withBoard: boolean; localAddress?: string; onError: ErrorSink },
  ): Promise<HeldMeeting> {
    const seats = await Promise.allSettled(
      prepared.seats.map(async (creds): Promise<Seat> => {
        const { socket, view } = await connectSeat(baseUrl, creds.token, opts.localAddress);
        try {
          const board = opts.withBoard
            ? await openMeetingBoard(
                baseUrl,
                prepared.meetingId,
                prepared.caseIndex,
                creds.token,
                opts.localAddress,
              )
            : null;
          return { socket, board, view };
        } catch (error) {
          socket.close();
          throw error;
        }
      }),
    );
    const failed = seats.find((s) => s.status === 'rejected');
    if (failed) {
      for (const s of seats) if (s.status === 'fulfilled') closeSeat(s.value);
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    return new HeldMeeting(
      prepared,
      seats.map((s) => (s as PromiseFulfilledResult<Seat>).value),
      opts.onError,
    );
  }

  get size(): number {
    return this.seats.length;
  }

  private watch(seat: Seat, index: number): void {
    seat.socket.on('meeting:state', (view) => {
      seat.view = view;
      const p = this.pendingPhase;
      if (p?.pending.waiting.has(index) && p.isNew(view, index)) this.arrived(p.pending, index);
    });
    seat.socket.on('disconnect', (reason) => {
      if (!this.closing) this.onError(`socket disconnected: ${reason}`);
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
      if (!this.closing) this.onError(`board closed: ${event?.code ?? 'locally'}`);
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

function closeSeat(seat: Seat): void {
  seat.socket.close();
  seat.board?.destroy();
}

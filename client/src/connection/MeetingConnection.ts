import { io, type Socket } from 'socket.io-client';
import { ERROR_CODES, type CommandError, type Result } from '../../../shared/errors';
import type { LeaderNotesView, PresenterMarksView, QuestionsView } from '../../../shared/board/commands';
import type { MeetingCommand } from '../../../shared/meeting/commands';
import type { MeetingView } from '../../../shared/meeting/view';
import {
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../../../shared/protocol';
import { ClockOffsetEstimator } from '../../../shared/time/clockOffset';
import { newCommandId } from './randomId';
import {
  isTemporary,
  retryDelayMs,
  RETRY_WINDOW_MS,
  systemRetryClock,
  type RetryClock,
  type RetryTimer,
} from './retry';
import { createStore } from './store';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Where the connection stands. `offline` means "trying again by itself"; the last four are
 * final: the page must reload, join again, or say goodbye.
 */
export type ConnectionStatus =
  'connecting' | 'online' | 'offline' | 'outdated' | 'unauthenticated' | 'removed' | 'ended';

const FINAL: ReadonlySet<ConnectionStatus> = new Set(['outdated', 'unauthenticated', 'removed', 'ended']);

export interface ClockState {
  /** Server clock minus this device's clock, ms. */
  offsetMs: number;
  /** Whether the offset comes from ping samples (true) or from a snapshot's stamp (rough). */
  measured: boolean;
}

/** Events acknowledged with a `Result`: the ones a retry can safely repeat. */
export type RequestEvent = Exclude<keyof ClientToServerEvents, 'time:ping'>;
export type RequestPayload<E extends RequestEvent> = Parameters<ClientToServerEvents[E]>[0];
export type RequestValue<E extends RequestEvent> =
  Parameters<Parameters<ClientToServerEvents[E]>[1]>[0] extends Result<infer T> ? T : never;

interface Pending {
  event: RequestEvent;
  payload: unknown;
  resolve(result: Result<unknown>): void;
  /** Temporary refusals so far, and when the first came (the retry window starts there). */
  refusals: number;
  refusedSince: number | null;
  retry: RetryTimer | null;
}

export interface RequestOptions {
  /**
   * Stop waiting after this long and answer UNAVAILABLE: for reads a person waits for (an
   * export), not for commands, which are kept until the server has them.
   */
  giveUpMs?: number;
}

export const ACK_TIMEOUT_MS = 8_000;
export const CLOCK_SAMPLES_PER_CONNECT = 5;
export const CLOCK_RESAMPLE_MS = 5 * 60_000;
const PING_TIMEOUT_MS = 4_000;
const HANDSHAKE_RETRY_MIN_MS = 1_000;
const HANDSHAKE_RETRY_MAX_MS = 15_000;

export interface ConnectionOptions {
  /** Where Socket.IO lives; the page's own origin when omitted. */
  url?: string;
  /** Timers for resending after temporary refusals; real time when omitted. */
  retryClock?: RetryClock;
  /** A float in [0, 1) for the retries' jitter; Math.random when omitted. */
  random?: () => number;
}

/**
 * The one typed connection to the server for one seat in one meeting. Components never touch
 * the socket: they read the stores through hooks and call `command` / `request`.
 */
export class MeetingConnection {
  readonly view = createStore<MeetingView | null>(null);
  readonly status = createStore<ConnectionStatus>('connecting');
  readonly clock = createStore<ClockState>({ offsetMs: 0, measured: false });
  readonly leaderNotes = createStore<LeaderNotesView | null>(null);
  /** The presenter's own resonance marks (BOARD-10); null for everyone else. */
  readonly presenterMarks = createStore<PresenterMarksView | null>(null);
  /** The questions a leader passed on, for the presenter and the projector (BOARD-11). */
  readonly questions = createStore<QuestionsView | null>(null);

  private socket: ClientSocket | null = null;
  private readonly pending = new Map<string, Pending>();
  private readonly estimator = new ClockOffsetEstimator();
  private resampleTimer: ReturnType<typeof setInterval> | null = null;
  private handshakeRetry: RetryTimer | null = null;
  /** Why the server last closed this connection (`connection:closed`), read at the disconnect. */
  private closedBy: { code: string; retryAfterMs?: number } | null = null;
  private handshakeFailures = 0;
  private readonly connectListeners = new Set<() => void>();
  private readonly endListeners = new Set<(status: ConnectionStatus) => void>();

  constructor(
    readonly meetingId: string,
    readonly token: string,
    private readonly options: ConnectionOptions = {},
  ) {}

  /** Opens the socket; safe to call again after `stop()` (React StrictMode does). */
  start(): void {
    if (this.socket || FINAL.has(this.status.get())) return;
    const opts = {
      auth: { token: this.token, protocolVersion: PROTOCOL_VERSION },
      // WebSocket first (fast on a room's LAN); long-polling where a network blocks WebSockets.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      // Jitter: after a server restart, a room of phones must not come back in one burst.
      randomizationFactor: 0.5,
    };
    const socket: ClientSocket = this.options.url ? io(this.options.url, opts) : io(opts);
    this.socket = socket;

    socket.on('connect', () => {
      this.handshakeFailures = 0;
      this.status.set('online');
      void this.sampleClock(socket);
      for (const [id, p] of this.pending) this.transmit(id, p);
      for (const l of this.connectListeners) l();
    });
    socket.on('connection:closed', (info) => {
      this.closedBy = info;
    });
    socket.on('disconnect', (reason) => {
      const closedBy = this.closedBy;
      this.closedBy = null;
      if (FINAL.has(this.status.get())) return;
      this.status.set('offline');
      // A close by the server stops Socket.IO's own reconnection. A seat blocked for a flood
      // comes back once the block is over (LIMIT-6); a connection a newer one of the same seat
      // replaced (LIMIT-4) stays closed, or the two would push each other out in turn.
      if (reason === 'io server disconnect' && closedBy?.code === ERROR_CODES.RATE_LIMITED) {
        this.retryHandshake(socket, closedBy.retryAfterMs);
      }
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string; retryAfterMs?: number } }) => {
      const code = err.data?.code;
      if (code === ERROR_CODES.PROTOCOL_MISMATCH) return this.finish('outdated');
      if (code === ERROR_CODES.UNAUTHENTICATED) return this.finish('unauthenticated');
      this.status.set('offline');
      // A refusal by the server's middleware stops Socket.IO's own reconnection: retry ourselves.
      if (!socket.active) this.retryHandshake(socket, err.data?.retryAfterMs);
    });
    socket.on('meeting:state', (view) => {
      // A server updated under an open page: reload rather than misread its snapshots.
      if (view.protocolVersion !== PROTOCOL_VERSION) return this.finish('outdated');
      if (!this.estimator.sampleCount) {
        // Until pings answer, the snapshot's stamp gives a rough offset (biased by one-way delay).
        this.clock.set({ offsetMs: view.serverNow - Date.now(), measured: false });
      }
      this.view.set(view);
    });
    socket.on('board:leader', (notes) => this.leaderNotes.set(notes));
    socket.on('board:presenter', (marks) => this.presenterMarks.set(marks));
    socket.on('board:questions', (questions) => this.questions.set(questions));
    socket.on('meeting:ended', () => this.finish('ended'));
    socket.on('seat:removed', () => this.finish('removed'));

    this.resampleTimer = setInterval(() => {
      if (socket.connected) void this.sampleClock(socket);
    }, CLOCK_RESAMPLE_MS);
  }

  stop(): void {
    if (this.resampleTimer) clearInterval(this.resampleTimer);
    this.handshakeRetry?.cancel();
    this.resampleTimer = null;
    this.handshakeRetry = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.disconnect();
    }
  }

  /** A leader's meeting command, with a fresh commandId kept across retries. */
  command(command: MeetingCommand): Promise<Result<undefined>> {
    return this.request('meeting:command', { commandId: newCommandId(), command });
  }

  /**
   * Sends an acknowledged event and resolves with the server's answer. Until then it is sent
   * again after every reconnect, with the very same payload (and so the same id or secret),
   * which the server applies once.
   */
  request<E extends RequestEvent>(
    event: E,
    payload: RequestPayload<E>,
    options: RequestOptions = {},
  ): Promise<Result<RequestValue<E>>> {
    const status = this.status.get();
    if (FINAL.has(status)) return Promise.resolve(finalError(status));
    return new Promise((resolve) => {
      const id = newCommandId();
      const entry: Pending = {
        event,
        payload,
        resolve: resolve as (r: Result<unknown>) => void,
        refusals: 0,
        refusedSince: null,
        retry: null,
      };
      this.pending.set(id, entry);
      if (this.socket?.connected) this.transmit(id, entry);
      if (options.giveUpMs !== undefined) {
        setTimeout(() => {
          if (this.pending.get(id) !== entry) return;
          this.pending.delete(id);
          entry.retry?.cancel();
          resolve({ ok: false, error: { code: ERROR_CODES.UNAVAILABLE, message: `${event}: no answer` } });
        }, options.giveUpMs);
      }
    });
  }

  /** Called after each (re)connect; used to refresh what the page holds (e.g. own notes). */
  onConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  /** Called once when the connection ends for good (meeting ended, seat removed, …). */
  onEnd(listener: (status: ConnectionStatus) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private transmit(id: string, entry: Pending): void {
    const socket = this.socket;
    if (!socket?.connected) return; // The 'connect' handler sends it.
    // A reconnect sends at once whatever waited for its retry time.
    entry.retry?.cancel();
    entry.retry = null;
    // One cast, here only: the event name is generic, the payload was typed by `request`.
    const emit = socket.timeout(ACK_TIMEOUT_MS).emit as unknown as (
      event: string,
      payload: unknown,
      ack: (err: Error | null, result: Result<unknown>) => void,
    ) => void;
    emit.call(socket, entry.event, entry.payload, (err, result) => {
      if (this.pending.get(id) !== entry) return; // Already answered by an earlier attempt.
      if (err) {
        // Timed out or disconnected: try again while connected, else after the reconnect.
        if (socket.connected && this.socket === socket) this.transmit(id, entry);
        return;
      }
      if (!result.ok && isTemporary(result.error) && this.scheduleRetry(id, entry, result.error)) return;
      this.pending.delete(id);
      entry.resolve(result);
    });
  }

  /**
   * After a temporary refusal: the same payload (so the same command id or note secret, applied
   * once) goes again after `retryAfterMs` or an exponential backoff with jitter, whichever is
   * later, so a room of phones refused together does not come back together. False once the
   * window has passed: the caller then shows the error.
   */
  private scheduleRetry(id: string, entry: Pending, error: CommandError): boolean {
    const clock = this.options.retryClock ?? systemRetryClock;
    const random = this.options.random ?? Math.random;
    const now = clock.now();
    entry.refusedSince ??= now;
    const deadline = entry.refusedSince + RETRY_WINDOW_MS;
    if (now >= deadline) return false;
    // The last try falls on the window's end rather than past it.
    const delay = Math.min(retryDelayMs(entry.refusals, error, random), deadline - now);
    entry.refusals += 1;
    entry.retry = clock.setTimer(now + delay, () => {
      entry.retry = null;
      if (this.pending.get(id) === entry) this.transmit(id, entry);
    });
    return true;
  }

  private async sampleClock(socket: ClientSocket): Promise<void> {
    for (let i = 0; i < CLOCK_SAMPLES_PER_CONNECT && socket.connected; i++) {
      const t0 = Date.now();
      const serverNow = await new Promise<number | null>((resolve) => {
        // A refusal (rate-limited: a Result, not a time) is no sample.
        socket.timeout(PING_TIMEOUT_MS).emit('time:ping', (err: Error | null, now: unknown) => {
          resolve(err || typeof now !== 'number' ? null : now);
        });
      });
      if (serverNow === null) continue;
      if (this.estimator.addSample(t0, serverNow, Date.now())) {
        this.clock.set({ offsetMs: this.estimator.offsetMs, measured: true });
      }
    }
  }

  /** Connects again after a refusal or a close by the server: backoff, and never before `notBeforeMs`. */
  private retryHandshake(socket: ClientSocket, notBeforeMs?: number): void {
    if (this.handshakeRetry) return;
    this.handshakeFailures += 1;
    const clock = this.options.retryClock ?? systemRetryClock;
    const random = this.options.random ?? Math.random;
    const base = Math.min(HANDSHAKE_RETRY_MAX_MS, HANDSHAKE_RETRY_MIN_MS * 2 ** this.handshakeFailures);
    const delay = Math.max(base * (0.5 + random() * 0.5), notBeforeMs ?? 0);
    this.handshakeRetry = clock.setTimer(clock.now() + delay, () => {
      this.handshakeRetry = null;
      if (this.socket === socket && !FINAL.has(this.status.get())) socket.connect();
    });
  }

  private finish(status: ConnectionStatus): void {
    if (FINAL.has(this.status.get())) return;
    this.status.set(status);
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.retry?.cancel();
      p.resolve(finalError(status));
    }
    this.stop();
    for (const l of this.endListeners) l(status);
  }
}

function finalError(status: ConnectionStatus): { ok: false; error: CommandError } {
  const code =
    status === 'outdated'
      ? ERROR_CODES.PROTOCOL_MISMATCH
      : status === 'ended'
        ? ERROR_CODES.WRONG_STATUS
        : ERROR_CODES.UNAUTHENTICATED;
  return { ok: false, error: { code, message: `connection ${status}` } };
}

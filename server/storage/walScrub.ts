import { channel } from 'node:diagnostics_channel';
import type Database from 'better-sqlite3';
import type { Logger } from '../core/logger';
import type { WalCopier } from './walCopier';

/** While a reader blocks the truncation, it is tried again this often (finishes soon after). */
export const SCRUB_RETRY_MS = 250;
/** A blocked truncation is logged at most this often. */
export const BLOCKED_LOG_EVERY_MS = 30_000;
/** Deletions during a meeting wait at most this long for the next truncation (one per period). */
export const SCRUB_BATCH_MS = 5_000;

/**
 * Every truncation attempt's time on the event loop, `{ ms, busy }`, for the benchmark's probe
 * (DISK-3: shown to stay under 5 ms at capacity). Without a subscriber nothing is published.
 */
export const CHECKPOINT_CHANNEL = 'balint-room:wal-checkpoint';
const checkpoints = channel(CHECKPOINT_CHANNEL);

/**
 * Keeps the WAL free of deleted content: old copies of pages (with deleted rows in them) stay in
 * the `-wal` file until a `wal_checkpoint(TRUNCATE)` has copied the zeroed pages back and cut the
 * file to 0 bytes. A truncation that a reader blocks is retried until it has really happened;
 * whoever waits for it (the purge's `meeting.purged`) is told only then. A truncation runs on the
 * main connection, so it covers every write committed before it.
 *
 * It runs on the main connection with a busy timeout of a few milliseconds (see sqlite.ts): a
 * truncation that cannot happen at once returns busy instead of waiting on the event loop. With
 * a copier (walCopier.ts), a worker thread first copies the frames into the database file, so that
 * the truncation on the event loop only cuts the file: for the truncations deletions ask for while
 * meetings run (`soon`, the frequent ones) and for retries. Start-up and a meeting's end (`now`)
 * truncate at once: their content must leave the file before the server listens or logs
 * `meeting.purged`.
 */
export class WalScrubber {
  private waiting: (() => void)[] = [];
  private requested = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private lastRunAt = -Infinity;
  private blockedSince: number | null = null;
  private lastBlockedLogAt = -Infinity;
  private closed = false;
  private inFlight = false;

  /** Whether the whole truncation runs on the copier's worker (see `truncateOnWorker`). */
  private onWorker: boolean;

  /**
   * `truncateOnWorker`: for a connection whose writers wait for locks off the event loop (the
   * asynchronous storage, async/sqliteDriver.ts), every truncation after start-up runs on the
   * worker, write lock and all, and the event loop only posts a message. A connection that waits
   * in SQLite's busy handler (3 ms, then fails) must not meet the worker's lock: it keeps the
   * copy-then-cut on its own connection.
   */
  constructor(
    private db: Database.Database,
    private logger: Logger,
    private copier: WalCopier | null = null,
    opts: { truncateOnWorker?: boolean } = {},
  ) {
    this.onWorker = Boolean(opts.truncateOnWorker && copier?.truncate);
  }

  /**
   * At start-up, before the server listens: a crash may have left deleted content in the WAL
   * (between a purge's commit and its truncation, or while a reader blocked it). On this
   * connection at once; if a reader blocks it, retried like any other.
   */
  startup(): void {
    this.requested = true;
    this.truncateHere();
  }

  /**
   * A meeting's end, or a purge at start-up: its content must leave the file before the server
   * listens or logs `meeting.purged`, so this truncates at once; only while the worker copies (it
   * holds the checkpoint lock) does the truncation follow its copy. `done` runs once it happened.
   */
  now(done?: () => void): void {
    this.requested = true;
    if (done) this.waiting.push(done);
    if (this.onWorker || this.copier?.busy) this.attempt();
    else this.truncateHere();
  }

  /** Deleted text during a meeting: truncate within SCRUB_BATCH_MS, once for all that wait. */
  soon(): void {
    this.requested = true;
    this.schedule(Math.max(0, this.lastRunAt + SCRUB_BATCH_MS - Date.now()));
  }

  /** Whether a truncation is still owed (a reader blocks it, or the batch period runs). */
  get pending(): boolean {
    return this.requested;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.attempt();
    }, delayMs);
    // A pending truncation never keeps a finished process alive: the next start-up truncates.
    this.timer.unref();
  }

  /** Deletions during a meeting: the worker copies first, then this connection only cuts. */
  private attempt(): void {
    if (this.closed || !this.pending || this.inFlight) return;
    const copier = this.copier;
    if (!copier) return this.truncateHere();
    if (this.onWorker) return this.truncateOnWorker(copier);
    this.inFlight = true;
    void copier.copy().then(() => {
      this.inFlight = false;
      this.truncateHere();
    });
  }

  private truncateHere(): void {
    if (this.closed || !this.pending) return;
    this.lastRunAt = Date.now();
    let busy = true;
    const t0 = performance.now();
    try {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      busy = !!result?.busy;
    } catch (error) {
      // SQLITE_BUSY from the busy handler: another connection holds a lock. Try again.
      if (!(error instanceof Error && /busy|locked/i.test(error.message))) throw error;
    }
    this.settle(busy, performance.now() - t0);
  }

  /**
   * The truncation on the worker's connection. Only those who asked before it was posted are told
   * when it succeeds (a purge committed after it began may not be covered): whoever asks while it
   * runs waits for the next one, which starts at once for a meeting's end.
   */
  private truncateOnWorker(copier: WalCopier): void {
    this.inFlight = true;
    const asked = this.waiting;
    this.waiting = [];
    this.requested = false;
    this.lastRunAt = Date.now();
    void copier.truncate!().then((answer) => {
      this.inFlight = false;
      if (this.closed) return;
      const askedSince = this.waiting;
      const owedSince = this.requested;
      this.waiting = [...asked, ...askedSince];
      this.requested = true;
      // No worker (it failed to start or died): the truncation happens here, as without one.
      if (answer === null) return this.truncateHere();
      // The event loop only posted a message; the worker held the lock for `answer.ms`.
      if (!this.report(answer.busy, 0, answer.ms)) return;
      this.waiting = askedSince;
      this.requested = owedSince;
      for (const done of asked) done();
      if (!owedSince) return;
      if (askedSince.length > 0) this.attempt();
      else this.schedule(Math.max(0, this.lastRunAt + SCRUB_BATCH_MS - Date.now()));
    });
  }

  /** `ms`: the truncation's time on the event loop. */
  private settle(busy: boolean, ms: number): void {
    if (!this.report(busy, ms)) return;
    this.requested = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done();
  }

  /**
   * Publishes one attempt (`ms` on the event loop, `workerMs` on the worker) and, while a lock
   * blocks the truncation, logs it and tries again later. Returns whether it happened.
   */
  private report(busy: boolean, ms: number, workerMs?: number): boolean {
    if (checkpoints.hasSubscribers) checkpoints.publish({ ms, busy, workerMs });
    const now = Date.now();
    if (busy) {
      this.blockedSince ??= now;
      if (now - this.lastBlockedLogAt >= BLOCKED_LOG_EVERY_MS) {
        this.lastBlockedLogAt = now;
        this.logger.warn('storage.checkpoint_blocked', { blockedMs: now - this.blockedSince });
      }
      this.schedule(SCRUB_RETRY_MS);
      return false;
    }
    if (this.blockedSince !== null)
      this.logger.info('storage.checkpoint_unblocked', { blockedMs: now - this.blockedSince });
    this.blockedSince = null;
    this.lastBlockedLogAt = -Infinity;
    this.logger.debug('storage.wal_truncated', { ms: Math.round((workerMs ?? ms) * 100) / 100 });
    return true;
  }
}

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
 * (DISK-12: shown to stay under 5 ms at capacity). Without a subscriber nothing is published.
 */
export const CHECKPOINT_CHANNEL = 'balint-room:wal-checkpoint';
const checkpoints = channel(CHECKPOINT_CHANNEL);

/**
 * Keeps the WAL free of deleted content: old copies of pages (with deleted rows in them) stay in
 * the `-wal` file until a `wal_checkpoint(TRUNCATE)` has copied the zeroed pages back and cut the
 * file to 0 bytes. A truncation that a reader blocks is retried until it has really happened;
 * whoever waits for it (the purge's `meeting.purged`) is told only then.
 *
 * It runs on the main connection with a busy timeout of a few milliseconds (see sqlite.ts): a
 * truncation that cannot happen at once returns busy instead of waiting on the event loop. With
 * a copier (walCopier.ts), a worker thread first copies the frames into the database file, so the
 * truncation on the event loop only cuts the file: for the truncations deletions ask for while
 * meetings run (`soon`, the frequent ones) and for retries. Start-up and a meeting's end (`now`)
 * truncate at once, their content must leave the file before the server listens or logs
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
  private copying = false;

  constructor(
    private db: Database.Database,
    private logger: Logger,
    private copier: WalCopier | null = null,
  ) {}

  /** Truncate as soon as possible (the end of a meeting, start-up); `done` runs once it happened. */
  now(done?: () => void): void {
    this.requested = true;
    if (done) this.waiting.push(done);
    // At once on this connection: start-up and a meeting's end must not wait for the copier.
    this.attempt(false);
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
      this.attempt(true);
    }, delayMs);
    // A pending truncation never keeps a finished process alive: the next start-up truncates.
    this.timer.unref();
  }

  /** `viaCopier`: deletions during a meeting, where the copy may take its time off the loop. */
  private attempt(viaCopier: boolean): void {
    if (this.closed || !this.requested || this.copying) return;
    if (!this.copier || !viaCopier) return this.truncate();
    this.copying = true;
    void this.copier.copy().then(() => {
      this.copying = false;
      this.truncate();
    });
  }

  private truncate(): void {
    if (this.closed || !this.requested) return;
    const started = Date.now();
    this.lastRunAt = started;
    let busy = true;
    const t0 = performance.now();
    try {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      busy = !!result?.busy;
    } catch (error) {
      // SQLITE_BUSY from the busy handler: another connection holds a lock. Try again.
      if (!(error instanceof Error && /busy|locked/i.test(error.message))) throw error;
    } finally {
      if (checkpoints.hasSubscribers) checkpoints.publish({ ms: performance.now() - t0, busy });
    }
    if (busy) {
      this.blockedSince ??= started;
      if (started - this.lastBlockedLogAt >= BLOCKED_LOG_EVERY_MS) {
        this.lastBlockedLogAt = started;
        this.logger.warn('storage.checkpoint_blocked', { blockedMs: started - this.blockedSince });
      }
      this.schedule(SCRUB_RETRY_MS);
      return;
    }
    if (this.blockedSince !== null)
      this.logger.info('storage.checkpoint_unblocked', { blockedMs: started - this.blockedSince });
    this.blockedSince = null;
    this.lastBlockedLogAt = -Infinity;
    this.requested = false;
    this.logger.debug('storage.wal_truncated', { ms: Date.now() - started });
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done();
  }
}

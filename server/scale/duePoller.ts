/**
 * The due-time poller (SCALE-15): besides its own timers, every process asks the storage for due
 * rows every `DUE_POLL_MS`, so that a due time is applied within about a second by exactly one of
 * the processes that run, whichever armed it. Each row is claimed and acted on in one transaction
 * (storage/async/dueTimes.ts); a failure rolls it back, is logged without content, and the row is
 * left for the next poll (of this process or another), not retried in a loop within this one.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { DueRow } from '../storage/async/dueTimes';
import type { AsyncStorage, MeetingTransaction } from '../storage/async/types';

export const DUE_POLL_MS = 1_000;
/** Rows acted on per poll at most; the rest wait for the next poll (a backlog after an outage). */
export const DUE_PER_POLL = 200;

export interface DuePollerOptions {
  storage: Pick<AsyncStorage, 'claimDue'>;
  clock: Clock;
  logger: Logger;
  /** Acts on one due row inside its claiming transaction (the hub's tick, end or release). */
  act(tx: MeetingTransaction, due: DueRow): Promise<void>;
  /** After the claiming transaction committed: what only memory needs (views, timers). */
  afterCommit?(due: DueRow): void;
  everyMs?: number;
}

export class DuePoller {
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<number> | null = null;
  private stopped = false;

  constructor(private opts: DuePollerOptions) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.poll(), this.opts.everyMs ?? DUE_POLL_MS);
    // The poller never keeps a finished process alive.
    this.timer.unref();
  }

  /** Stops polling and waits for a poll in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  /** One poll (at most one at a time): resolves with how many rows it acted on. */
  poll(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    this.polling ??= this.drain().finally(() => (this.polling = null));
    return this.polling;
  }

  private async drain(): Promise<number> {
    const { storage, clock, logger, act, afterCommit } = this.opts;
    const failed: DueRow[] = [];
    let acted = 0;
    while (!this.stopped && acted + failed.length < DUE_PER_POLL) {
      let claimed: DueRow | null = null;
      try {
        claimed = await storage.claimDue(clock.now(), failed, async (tx, due) => {
          claimed = due;
          await act(tx, due);
        });
      } catch (error) {
        const code = error instanceof Error ? ((error as { code?: string }).code ?? error.name) : 'unknown';
        if (claimed === null) {
          // The claim itself failed (the database is away): the next poll tries again.
          logger.warn('due.poll_failed', { code });
          break;
        }
        const due: DueRow = claimed;
        logger.error('due.act_failed', { meetingId: due.meetingId, kind: due.kind, code });
        failed.push(due);
        continue;
      }
      if (!claimed) break;
      acted += 1;
      afterCommit?.(claimed);
    }
    return acted;
  }
}

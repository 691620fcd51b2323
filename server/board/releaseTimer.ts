import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';
import type { RandomSource } from '../core/random';
import { releaseDelayMs } from './release';

const caseKey = (meetingId: string, caseIndex: number) => `${meetingId}/${caseIndex}`;

/**
 * One armed release delay per case (REL-1, REL-2). On SQLite memory only: a restart re-arms a
 * fresh delay for every case whose batch is due (REL-3). On PostgreSQL the board also stores the
 * delay as a due time (SCALE-60) and arms the timer at the stored time; the timer is the fast
 * path, the stored row the one that survives this process. Runs on the injected clock, so tests
 * move time instead of waiting for it.
 */
export class ReleaseTimers {
  private timers = new Map<string, { meetingId: string; at: number; handle: TimerHandle }>();

  constructor(
    private readonly deps: { clock: Clock; random: RandomSource; logger: Logger },
    /** Sends the case's waiting changes if the rules still say so (trigger 'timer'). */
    private readonly fire: (meetingId: string, caseIndex: number) => Promise<void>,
  ) {}

  /** When the case's armed delay ends, else when a fresh one would (a new draw). */
  proposedAt(meetingId: string, caseIndex: number): number {
    const { clock, random } = this.deps;
    return this.timers.get(caseKey(meetingId, caseIndex))?.at ?? clock.now() + releaseDelayMs(random);
  }

  /**
   * Arms a fresh delay for the case unless one is armed: later changes join the same batch.
   * With `at` (the stored due time, SCALE-60) the timer ends then, re-armed if it was armed for another time.
   */
  arm(meetingId: string, caseIndex: number, at?: number): void {
    const key = caseKey(meetingId, caseIndex);
    const armed = this.timers.get(key);
    if (armed && (at === undefined || armed.at === at)) return;
    armed?.handle.cancel();
    const { clock, random, logger } = this.deps;
    const endsAt = at ?? clock.now() + releaseDelayMs(random);
    const handle = clock.setTimer(endsAt, () => {
      if (this.timers.get(key)?.handle !== handle) return;
      this.timers.delete(key);
      this.fire(meetingId, caseIndex).catch((error: unknown) => {
        // Storage refused the batch: it stays waiting and tries again after a fresh delay.
        logger.error('board.release_failed', {
          meetingId,
          caseIndex,
          error: error instanceof Error ? error.name : 'unknown',
        });
        this.arm(meetingId, caseIndex);
      });
    });
    this.timers.set(key, { meetingId, at: endsAt, handle });
  }

  isArmed(meetingId: string, caseIndex: number): boolean {
    return this.timers.has(caseKey(meetingId, caseIndex));
  }

  cancel(meetingId: string, caseIndex: number): void {
    const key = caseKey(meetingId, caseIndex);
    this.timers.get(key)?.handle.cancel();
    this.timers.delete(key);
  }

  /** The meeting was purged (or the server drains): no timer may touch it again. */
  purge(meetingId?: string): void {
    for (const [key, t] of this.timers) {
      if (meetingId !== undefined && t.meetingId !== meetingId) continue;
      t.handle.cancel();
      this.timers.delete(key);
    }
  }
}

import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';
import { WAITING_SIGNAL_PERIOD_MS } from './release';

const caseKey = (meetingId: string, caseIndex: number) => `${meetingId}/${caseIndex}`;

/**
 * Leaders' coarse "notes are waiting" flag (REL-5). A count, or a flag that followed every note,
 * would tell a leader watching the room when someone wrote: the flag is sampled only on a fixed
 * grid of WAITING_SIGNAL_PERIOD_MS (of the injected clock), so it changes at most that often and
 * never at the moment of a note. A batch leaving clears it at once: that moment is public anyway.
 */
export class WaitingSignal {
  private shown = new Map<string, boolean>();
  private timers = new Map<string, { meetingId: string; handle: TimerHandle }>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Runs the sample as one of the meeting's jobs (SCALE-5), after the note that changed it. */
    private readonly serialized: (meetingId: string, job: () => Promise<void>) => Promise<void>,
    /** Whether any change of the case waits right now. */
    private readonly sample: (meetingId: string, caseIndex: number) => Promise<boolean>,
    /** The flag a leader sees changed: send them their view. */
    private readonly onChange: (meetingId: string) => Promise<void>,
  ) {}

  get(meetingId: string, caseIndex: number): boolean {
    return this.shown.get(caseKey(meetingId, caseIndex)) ?? false;
  }

  /** Sets the flag without a delay: at start-up, whose moment tells nothing of a note. */
  prime(meetingId: string, caseIndex: number, waiting: boolean): void {
    this.shown.set(caseKey(meetingId, caseIndex), waiting);
  }

  /** Something of the case may have changed: the flag follows at the next grid point. */
  changed(meetingId: string, caseIndex: number): void {
    const key = caseKey(meetingId, caseIndex);
    if (this.timers.has(key)) return;
    const now = this.clock.now();
    const at = (Math.floor(now / WAITING_SIGNAL_PERIOD_MS) + 1) * WAITING_SIGNAL_PERIOD_MS;
    const handle = this.clock.setTimer(at, () => {
      if (this.timers.get(key)?.handle !== handle) return;
      this.timers.delete(key);
      this.serialized(meetingId, async () => {
        const waiting = await this.sample(meetingId, caseIndex);
        if (waiting === this.get(meetingId, caseIndex)) return;
        this.shown.set(key, waiting);
        await this.onChange(meetingId);
      }).catch((error: unknown) => {
        // Storage could not answer: the flag stays as it was until the next change of the case.
        this.logger.error('board.waiting_signal_failed', {
          meetingId,
          error: error instanceof Error ? error.name : 'unknown',
        });
      });
    });
    this.timers.set(key, { meetingId, handle });
  }

  /** A batch left: nothing waits, and everyone can see that moment on the board. */
  released(meetingId: string, caseIndex: number): void {
    const key = caseKey(meetingId, caseIndex);
    this.timers.get(key)?.handle.cancel();
    this.timers.delete(key);
    this.shown.set(key, false);
  }

  purge(meetingId?: string): void {
    for (const [key, t] of this.timers) {
      if (meetingId !== undefined && t.meetingId !== meetingId) continue;
      t.handle.cancel();
      this.timers.delete(key);
    }
    for (const key of this.shown.keys())
      if (meetingId === undefined || key.startsWith(`${meetingId}/`)) this.shown.delete(key);
  }
}

/** Time and timers, injected so that tests advance time instead of sleeping. */
export interface Clock {
  now(): number;
  setTimer(at: number, fn: () => void): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

/** Node's timers cap a delay at about 24.8 days; longer waits re-arm. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    let handle: NodeJS.Timeout;
    // Node may run a timer a millisecond before Date.now() reaches `at` (its loop clock lags);
    // a phase tick that came early would find nothing due and never be armed again. Re-arm.
    const arm = () => {
      const delay = at - Date.now();
      handle = setTimeout(() => (Date.now() < at ? arm() : fn()), Math.max(0, Math.min(delay, MAX_DELAY_MS)));
      handle.unref();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** A clock that moves only when a test says so; due timers fire in deadline order. */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  constructor(private current = Date.UTC(2026, 10, 26, 9, 0, 0)) {}

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const timer = { at, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }
}

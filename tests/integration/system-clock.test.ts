/**
 * The real clock the server runs on. Node may run a timer a millisecond before `Date.now()`
 * reaches the time it was set for; a phase timer that fired early would find its deadline not yet
 * due, change nothing, and never be armed again (auto-advance would stall). TIME-6 needs
 * `systemClock.setTimer(at, fn)` to call `fn` at `at` or later, never before.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../server/core/clock';

describe('systemClock (TIME-6)', () => {
  it('never calls a timer before its time, also one set from inside a timer', async () => {
    // Like the hub: each phase's timer is set from the previous one's callback.
    const CHAINS = 8;
    const LINKS = 40;
    const chain = (seed: number) =>
      new Promise<number[]>((resolve) => {
        const early: number[] = [];
        const link = (n: number) => {
          const at = Date.now() + 1 + ((seed + n * 7) % 9);
          systemClock.setTimer(at, () => {
            if (Date.now() < at) early.push(at - Date.now());
            if (n < LINKS) link(n + 1);
            else resolve(early);
          });
        };
        link(0);
      });
    const early = (await Promise.all(Array.from({ length: CHAINS }, (_, i) => chain(i)))).flat();
    expect(early).toEqual([]);
  });

  it('a cancelled timer is not called', async () => {
    let called = false;
    const timer = systemClock.setTimer(Date.now() + 5, () => (called = true));
    timer.cancel();
    await new Promise<void>((resolve) => systemClock.setTimer(Date.now() + 20, resolve));
    expect(called).toBe(false);
  });
});

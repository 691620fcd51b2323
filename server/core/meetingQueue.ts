/**
 * One promise queue per meeting (SPEC.md SCALE-5). Synchronous SQLite gave a meeting's work its
 * order for free: a command ran to its end before the next began. With asynchronous storage a
 * command waits for its transaction, and another command of the same meeting could otherwise read
 * the state it is about to replace. Everything that reads or changes a meeting (commands, ticks,
 * note operations, board updates, the purge) runs through `run`, one job at a time per meeting,
 * in the order the jobs were queued. Meetings do not wait for one another.
 *
 * A job must not queue another job of its own meeting and wait for it: that one would wait for
 * the first to end, which never happens. Code that already runs inside a meeting's job calls the
 * "locked" variants (the hub's `apply`, the board's own methods) instead.
 */
export class MeetingQueue {
  private tails = new Map<string, Promise<unknown>>();

  /** Runs `job` after every job queued before it for the same meeting; resolves with its result. */
  run<T>(meetingId: string, job: () => Promise<T> | T): Promise<T> {
    const before = this.tails.get(meetingId) ?? Promise.resolve();
    // A failed job does not stop the ones after it: each caller gets its own job's outcome.
    const result = before.then(() => job());
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(meetingId, tail);
    void tail.then(() => {
      // The last job of a meeting leaves no entry behind (a purged meeting keeps nothing here).
      if (this.tails.get(meetingId) === tail) this.tails.delete(meetingId);
    });
    return result;
  }

  /** How many meetings have a job queued or running (tests, diagnostics). */
  get busyMeetings(): number {
    return this.tails.size;
  }

  /** Resolves once every job queued so far, of every meeting, has ended (the drain). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

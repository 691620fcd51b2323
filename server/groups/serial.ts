import type { Logger } from '../core/logger';

/**
 * Work that must not overlap, queued per key: each task starts once the key's earlier tasks have
 * settled. The group store is asynchronous while the hub reports a meeting's events in order
 * without waiting (a seat connected, a phase entered, the meeting ending, its purge): queued by
 * meeting, the attendance proposal still reads the presence slots before the purge deletes them,
 * as the synchronous store did by running each listener to its end.
 */
export class Serial {
  private tails = new Map<string, Promise<unknown>>();

  constructor(private logger: Logger) {}

  /** Runs `task` after the key's earlier tasks; its result or rejection is the caller's. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.tails.set(key, tail);
    // The map holds only keys with work outstanding.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /**
   * For a listener of the hub: queued as `run`, and a failure is logged (by name, never a value)
   * instead of becoming an unhandled rejection. Resolves once the task settled, never rejects: the
   * hub awaits its ending and purge listeners inside the meeting's job, so that the meeting's end
   * is told only after the group stored what it keeps of it (the attendance proposal).
   */
  listen(key: string, listener: string, task: () => Promise<void>): Promise<void> {
    return this.run(key, task).catch((error: unknown) =>
      this.logger.error('group.listener_failed', {
        listener,
        error: error instanceof Error ? error.name : 'unknown',
      }),
    );
  }

  /** Resolves once every task queued so far, under every key, has settled. */
  async settled(): Promise<void> {
    await Promise.all(this.tails.values());
  }

  /** Resolves once every task queued for the key so far has settled. */
  idle(key: string): Promise<void> {
    return (this.tails.get(key) ?? Promise.resolve()).then(() => {});
  }
}

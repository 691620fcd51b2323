/**
 * The per-meeting queue (SPEC.md SCALE-5): a meeting's jobs run one at a time, in the order they
 * were queued, whatever their own awaits; other meetings do not wait; a failed job stops nothing.
 * Driven by deferreds the test resolves, so the order is the test's, never the scheduler's.
 */
import { describe, expect, it } from 'vitest';
import { MeetingQueue } from '../../server/core/meetingQueue';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every job that can run now run, until nothing moves (a bounded number of turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('the per-meeting queue (SCALE-5)', () => {
  it('SCALE-5: a meeting’s second job starts only after the first ended, even when the first waits', async () => {
    const queue = new MeetingQueue();
    const log: string[] = [];
    const firstStore = deferred();
    const first = queue.run('m1', async () => {
      log.push('first:start');
      await firstStore.promise;
      log.push('first:end');
      return 1;
    });
    const second = queue.run('m1', () => {
      log.push('second');
      return 2;
    });
    await settle();
    expect(log).toEqual(['first:start']);
    firstStore.resolve();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['first:start', 'first:end', 'second']);
  });

  it('SCALE-5: answers come back in arrival order for one meeting, while another meeting is not held up', async () => {
    const queue = new MeetingQueue();
    const blocked = deferred();
    const done: string[] = [];
    const jobs = [
      queue.run('m1', async () => {
        await blocked.promise;
        done.push('m1-a');
      }),
      queue.run('m1', () => void done.push('m1-b')),
      queue.run('m2', () => void done.push('m2-a')),
    ];
    await jobs[2];
    await settle();
    expect(done).toEqual(['m2-a']);
    // Only the held meeting still has jobs: the other one's entry went with its last job.
    expect(queue.busyMeetings).toBe(1);
    blocked.resolve();
    await Promise.all(jobs);
    expect(done).toEqual(['m2-a', 'm1-a', 'm1-b']);
  });

  it('SCALE-5: a failing job rejects its own caller only; the next job runs, and no entry is left', async () => {
    const queue = new MeetingQueue();
    const failing = queue.run('m1', () => Promise.reject(new Error('storage unavailable')));
    const throwing = queue.run('m1', () => {
      throw new Error('bad state');
    });
    const next = queue.run('m1', () => 'ran');
    await expect(failing).rejects.toThrow('storage unavailable');
    await expect(throwing).rejects.toThrow('bad state');
    expect(await next).toBe('ran');
    await queue.idle();
    expect(queue.busyMeetings).toBe(0);
  });

  it('SCALE-5: idle resolves only once every queued job, also one queued meanwhile, has ended', async () => {
    const queue = new MeetingQueue();
    const gate = deferred();
    let ended = 0;
    void queue.run('m1', async () => {
      await gate.promise;
      // A job that queues a follow-up for later (as a timer would): idle waits for it too.
      void queue.run('m1', () => void (ended += 1));
      ended += 1;
    });
    let idle = false;
    const waiting = queue.idle().then(() => (idle = true));
    await settle();
    expect(idle).toBe(false);
    gate.resolve();
    await waiting;
    expect(ended).toBe(2);
  });
});

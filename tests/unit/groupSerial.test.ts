/**
 * The groups' per-meeting queue (server/groups/serial.ts): the hub reports a meeting's events
 * without waiting, and the asynchronous group store must still see them in that order (ATT-2: the
 * ending's proposal reads the presence before the purge deletes it).
 */
import { describe, expect, it } from 'vitest';
import { Serial } from '../../server/groups/serial';
import { captureLog } from '../helpers/confidential';

/** A promise the test settles by hand, so that it decides when a task's store answers. */
function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('the groups’ queue per meeting', () => {
  it('ATT-2: a key’s tasks run one after another in the order queued, other keys meanwhile', async () => {
    const serial = new Serial(captureLog().logger);
    const events: string[] = [];
    const ending = deferred();
    serial.listen('m1', 'ending', async () => {
      events.push('ending starts');
      await ending.promise;
      events.push('ending stored');
    });
    serial.listen('m1', 'purge', async () => {
      events.push('purge');
      await Promise.resolve();
    });
    const other = serial.run('m2', async () => {
      events.push('other meeting');
      return 42;
    });
    expect(await other).toBe(42);
    expect(events).toEqual(['ending starts', 'other meeting']);
    ending.resolve();
    await serial.idle('m1');
    expect(events).toEqual(['ending starts', 'other meeting', 'ending stored', 'purge']);
  });

  it('a failing listener is logged by name, the key’s next task still runs, and nothing is left unhandled', async () => {
    const log = captureLog();
    const serial = new Serial(log.logger);
    serial.listen('m1', 'seat-connected', () => Promise.reject(new TypeError('Member Alma Zyborski')));
    const next = serial.run('m1', () => Promise.resolve('ran'));
    expect(await next).toBe('ran');
    await serial.settled();
    expect(log.text()).toContain('group.listener_failed');
    expect(log.text()).toContain('TypeError');
    expect(log.text()).not.toContain('Alma');
    // run() hands its rejection to the caller, and the queue goes on.
    await expect(serial.run('m1', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await serial.run('m1', () => Promise.resolve(1))).toBe(1);
  });

  it('settled waits for every key’s work queued so far', async () => {
    const serial = new Serial(captureLog().logger);
    const slow = deferred();
    let done = false;
    serial.listen('m1', 'ending', async () => {
      await slow.promise;
      done = true;
    });
    const settled = serial.settled();
    slow.resolve();
    await settled;
    expect(done).toBe(true);
  });
});

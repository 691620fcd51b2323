/**
 * SCALE-19: a due time is applied by a process that does not hold the meeting in memory, when
 * the one that armed it is gone. Two servers in this test process on one real PostgreSQL, each on
 * its own manual clock: A creates and runs the meeting and stops; B, started before the meeting
 * existed, never held it, and finds its deadline and its inactivity limit through the stored due
 * times (its poller, every second of real time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp, type App } from '../../server/app';
import { ManualClock } from '../../server/core/clock';
import { silentLogger } from '../../server/core/logger';
import { seededRandom } from '../../server/core/random';
import { openPostgresStorage } from '../../server/storage/async/open';
import type { AsyncStorage } from '../../server/storage/async/types';
import { HOUR } from '../helpers/board-fixture';
import { pollUntilAsync } from '../helpers/poll';
import { Api, connectClient } from '../helpers/server-fixture';
import { startPostgres } from '../helpers/services';

const START = Date.UTC(2031, 2, 3, 9, 0, 0);
/** The poller asks every second: a few polls on a loaded machine. */
const POLL_WAIT_MS = 20_000;

async function serverOn(url: string, keyFolder: string, clock: ManualClock) {
  const storage = await openPostgresStorage({ url, poolSize: 4, keyFolder });
  const app: App = createApp({
    storage,
    clock,
    random: seededRandom(2),
    logger: silentLogger,
    publicOrigin: null,
    createKey: null,
    inactivityLimitMs: 24 * HOUR,
    trustProxy: { kind: 'none' },
    clientDir: null,
    createBoard: null,
  });
  const port = await app.listen(0, '127.0.0.1');
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  onTestFinished(close);
  return { app, storage, url: `http://127.0.0.1:${port}`, close };
}

const storedIndex = async (storage: AsyncStorage, meetingId: string) =>
  (await storage.loadMeeting(meetingId))?.state.current?.index ?? null;

describe('stored due times across processes (PostgreSQL)', () => {
  it('SCALE-19: a deadline and the inactivity limit armed by a process that stopped are applied by one that never held the meeting', async () => {
    const pgServer = await startPostgres();
    const url = await pgServer.createDatabase('due_times');
    const keyFolder = mkdtempSync(path.join(tmpdir(), 'balint-due-keys-'));
    onTestFinished(() => rmSync(keyFolder, { recursive: true, force: true }));
    const clockA = new ManualClock(START);
    const clockB = new ManualClock(START);
    const b = await serverOn(url, keyFolder, clockB);
    const a = await serverOn(url, keyFolder, clockA);

    const m = await new Api(a.url).createMeeting({
      title: 'Due',
      templateId: 'step-back-30',
      autoAdvance: true,
    });
    const leader = await connectClient(a.url, m.leaderToken, 'leader on A');
    onTestFinished(() => leader.close());
    expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    const running = await leader.waitFor((v) => v.currentIndex === 0 && v.timer?.state === 'running');
    const endsAt = running.timer?.endsAt as number;
    expect(endsAt).toBeGreaterThan(START);
    leader.close();
    await a.close();
    expect(b.app.hub.meetingIds()).not.toContain(m.meetingId);
    expect(await storedIndex(b.storage, m.meetingId)).toBe(0);

    // Past the deadline on B's clock: B's poller claims it, loads the meeting, and the phase ends.
    clockB.advance(endsAt + 1 - clockB.now());
    await pollUntilAsync(
      async () => (await storedIndex(b.storage, m.meetingId)) === 1,
      POLL_WAIT_MS,
      'the deadline applied by B',
    );
    expect(b.app.hub.meetingIds()).toContain(m.meetingId);

    // A day later with no activity: B ends and purges it, its rows and due times with it.
    clockB.advance(25 * HOUR);
    await pollUntilAsync(
      async () =>
        (await b.storage.loadMeeting(m.meetingId)) === null && !b.app.hub.meetingIds().includes(m.meetingId),
      POLL_WAIT_MS,
      'the inactivity limit applied by B',
    );
    expect(await b.storage.listDue(m.meetingId)).toEqual([]);
  }, 120_000);
});

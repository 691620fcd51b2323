/**
 * DISK-3 on the asynchronous storage: every truncation after start-up runs whole on the worker's
 * connection, and the event loop only posts a message. With a real worker and file, a deleted note
 * leaves every file while notes keep being stored; with a worker the test answers by hand, a
 * meeting's end asked while a truncation runs is told only after one that began after it.
 */
import { createHash } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { silentLogger } from '../../server/core/logger';
import { openAsyncSqliteStorage } from '../../server/storage/async/open';
import type { NoteRow } from '../../server/storage/types';
import type { WalCopier, WorkerTruncation } from '../../server/storage/walCopier';
import { CHECKPOINT_CHANNEL, WalScrubber } from '../../server/storage/walScrub';
import { canary, scanFolder, tempFolder } from '../helpers/confidential';
import { pollUntil } from '../helpers/poll';

interface Checkpoint {
  ms: number;
  busy: boolean;
  workerMs?: number;
}

function watchCheckpoints(): Checkpoint[] {
  const seen: Checkpoint[] = [];
  const listener = (m: unknown) => seen.push(m as Checkpoint);
  subscribe(CHECKPOINT_CHANNEL, listener);
  onTestFinished(() => {
    unsubscribe(CHECKPOINT_CHANNEL, listener);
  });
  return seen;
}

function note(noteId: string, text: string): NoteRow {
  return {
    meetingId: 'm1',
    noteId,
    caseIndex: 0,
    kind: 'association',
    text,
    secretHash: createHash('sha256').update(noteId).digest('hex'),
    status: 'waiting',
    pendingText: null,
    pendingDelete: false,
    batch: null,
    authorName: null,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('truncations on the worker, for the asynchronous storage (DISK-2, DISK-3)', () => {
  it('DISK-3: a deleted note leaves every file while writes go on; the event loop spends 0 ms on each truncation', async () => {
    const dir = tempFolder();
    const file = path.join(dir, 'balint-room.sqlite');
    const storage = openAsyncSqliteStorage({ file, synchronous: 'NORMAL' });
    onTestFinished(() => storage.close());
    const seen = watchCheckpoints();
    await storage.insertMeeting(
      { state: { id: 'm1' } as never, joinCode: 'ABCDEF', lastActivityAt: 0 },
      { leaderToken: 'a'.repeat(43), projectorKey: 'b'.repeat(43) },
    );
    const text = canary('worker-truncated');
    await storage.putNote(note('gone', text));
    expect(scanFolder(dir, [text]).length).toBeGreaterThan(0);
    await storage.deleteNote('m1', 'gone');

    // Writes keep coming while the worker truncates: each waits for its lock, none fails.
    const writes: Promise<void>[] = [];
    let walAfter = Infinity;
    await pollUntil(
      () => {
        const n = writes.length;
        writes.push(storage.putNote(note(`kept${n}`, `kept ${n}`)));
        const done = seen.some((c) => !c.busy) && scanFolder(dir, [text]).length === 0;
        // Read when the truncation is seen: the writes queued after it (many on a loaded machine)
        // grow the WAL again, which says nothing about the truncation.
        if (done) walAfter = statSync(`${file}-wal`).size;
        return done;
      },
      15_000,
      'a truncation on the worker that takes the deleted note off the disk',
    );
    await Promise.all(writes);
    expect(walAfter).toBeLessThan(64 * 1024);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((c) => c.ms === 0 && typeof c.workerMs === 'number')).toBe(true);
    expect((await storage.noteAddChecks('m1', 0, 'no such hash')).unhidden).toBe(writes.length);
  });

  it("DISK-1: a meeting's end asked while a truncation runs is told only after the next one, which starts at once", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'] });
    const db = new Database(path.join(tempFolder(), 'scrub.sqlite'));
    onTestFinished(() => {
      db.close();
    });
    db.pragma('journal_mode = WAL');
    const answers: ((a: WorkerTruncation | null) => void)[] = [];
    const copier: WalCopier = {
      copy: () => Promise.resolve(),
      truncate: () => new Promise((resolve) => answers.push(resolve)),
      get busy() {
        return answers.length > 0;
      },
      close: () => Promise.resolve(),
    };
    const scrubber = new WalScrubber(db, silentLogger, copier, { truncateOnWorker: true });
    onTestFinished(() => scrubber.close());
    const seen = watchCheckpoints();
    const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

    let firstTold = false;
    scrubber.now(() => (firstTold = true));
    expect(answers).toHaveLength(1);
    let endTold = false;
    scrubber.now(() => (endTold = true));
    // One truncation at a time: the second waits for the first to come back.
    expect(answers).toHaveLength(1);

    answers.shift()!({ busy: false, ms: 7 });
    await flush();
    // The first covered only what was committed before it was posted: the end is not told yet,
    // and its own truncation was posted at once.
    expect({ firstTold, endTold, posted: answers.length }).toEqual({
      firstTold: true,
      endTold: false,
      posted: 1,
    });

    // A lock keeps the second from happening: retried, and told only once it happened.
    answers.shift()!({ busy: true, ms: 200 });
    await flush();
    expect(endTold).toBe(false);
    vi.advanceTimersByTime(250);
    expect(answers).toHaveLength(1);
    answers.shift()!({ busy: false, ms: 3 });
    await flush();
    expect({ endTold, pending: scrubber.pending }).toEqual({ endTold: true, pending: false });
    expect(seen).toEqual([
      { ms: 0, busy: false, workerMs: 7 },
      { ms: 0, busy: true, workerMs: 200 },
      { ms: 0, busy: false, workerMs: 3 },
    ]);
  });
});

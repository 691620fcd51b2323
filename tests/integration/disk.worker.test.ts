/**
 * DISK-3's truncations off the event loop: the deletions a running meeting asks for are cut from
 * the WAL on the worker thread (walCopier.ts), with a real worker and file; and the scrubber's
 * bookkeeping around a truncation in flight, with a copier the test answers by hand.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../server/core/logger';
import { openSqliteStorage } from '../../server/storage/sqlite';
import type { WalCopier } from '../../server/storage/walCopier';
import { CHECKPOINT_CHANNEL, COPY_EVERY_MS, WalScrubber } from '../../server/storage/walScrub';
import { canary, scanFolder, tempFolder } from '../helpers/confidential';
import { pollUntil } from '../helpers/poll';

interface Checkpoint {
  ms: number;
  busy: boolean;
  thread: 'main' | 'worker';
}

afterEach(() => {
  vi.useRealTimers();
});

describe('truncations on the WAL worker (DISK-3)', () => {
  it('DISK-3: a deleted note leaves the WAL by a truncation on the worker, none on the event loop', async () => {
    const dir = tempFolder();
    const file = path.join(dir, 'worker.sqlite');
    const storage = openSqliteStorage({ file, synchronous: 'NORMAL' });
    const seen: Checkpoint[] = [];
    const listener = (m: unknown) => seen.push(m as Checkpoint);
    subscribe(CHECKPOINT_CHANNEL, listener);
    try {
      const text = canary('worker-deleted');
      storage.insertMeeting(
        { state: { id: 'm1' } as never, joinCode: 'ABCDEF', lastActivityAt: 0 },
        'a'.repeat(64),
        'b'.repeat(64),
      );
      storage.putNote({
        meetingId: 'm1',
        noteId: 'n1',
        caseIndex: 0,
        kind: 'association',
        text,
        secretHash: 'c'.repeat(64),
        status: 'waiting',
        pendingText: null,
        pendingDelete: false,
        batch: null,
        authorName: null,
      });
      expect(scanFolder(dir, [text]).length).toBeGreaterThan(0);
      storage.deleteNote('m1', 'n1');

      await pollUntil(
        () => seen.some((c) => c.thread === 'worker' && !c.busy) && scanFolder(dir, [text]).length === 0,
        10_000,
        'a truncation on the worker that takes the deleted note off the disk',
      );
      expect(seen.filter((c) => c.thread === 'main')).toEqual([]);
      expect(statSync(`${file}-wal`).size).toBe(0);
    } finally {
      unsubscribe(CHECKPOINT_CHANNEL, listener);
      storage.close();
    }
  });
});

/** A copier whose truncations the test answers one by one. */
function manualCopier() {
  const answers: ((a: { busy: boolean; holdMs: number; failed: boolean }) => void)[] = [];
  let copies = 0;
  const copier: WalCopier = {
    copy() {
      copies += 1;
      return Promise.resolve();
    },
    truncate: () => new Promise((resolve) => answers.push(resolve)),
    get busy() {
      return answers.length > 0;
    },
    close: () => Promise.resolve(),
  };
  return {
    copier,
    copies: () => copies,
    truncations: () => answers.length,
    answer(a: { busy?: boolean; failed?: boolean } = {}) {
      answers.shift()?.({ busy: a.busy ?? false, holdMs: 1, failed: a.failed ?? false });
    },
  };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the scrubber around a truncation in flight (DISK-1, DISK-3)', () => {
  const openDb = () => {
    const db = new Database(path.join(tempFolder(), 'scrub.sqlite'));
    db.pragma('journal_mode = WAL');
    return db;
  };

  it('DISK-1: an end asked for while the worker truncates is told only after a truncation that began after it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'] });
    const db = openDb();
    const m = manualCopier();
    const scrubber = new WalScrubber(db, silentLogger, m.copier);
    scrubber.soon();
    vi.advanceTimersByTime(0);
    expect(m.truncations()).toBe(1);

    // Committed after the worker's truncation may have run: that truncation cannot vouch for it.
    let told = false;
    scrubber.now(() => (told = true));
    m.answer();
    await flush();
    expect({ told, pending: scrubber.pending, truncations: m.truncations() }).toEqual({
      told: false,
      pending: true,
      truncations: 1,
    });
    m.answer();
    await flush();
    expect({ told, pending: scrubber.pending }).toEqual({ told: true, pending: false });
    scrubber.close();
    db.close();
  });

  it('DISK-3: the worker copies every COPY_EVERY_MS while no truncation is in flight', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'] });
    const db = openDb();
    const m = manualCopier();
    const scrubber = new WalScrubber(db, silentLogger, m.copier);
    vi.advanceTimersByTime(3 * COPY_EVERY_MS);
    expect(m.copies()).toBe(3);
    scrubber.soon();
    vi.advanceTimersByTime(0);
    vi.advanceTimersByTime(2 * COPY_EVERY_MS);
    expect(m.copies()).toBe(3);
    scrubber.close();
    db.close();
  });

  it('DISK-3: a worker that cannot run leaves the truncation to the main connection', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'] });
    const db = openDb();
    const m = manualCopier();
    const seen: Checkpoint[] = [];
    const listener = (c: unknown) => seen.push(c as Checkpoint);
    subscribe(CHECKPOINT_CHANNEL, listener);
    const scrubber = new WalScrubber(db, silentLogger, m.copier);
    try {
      scrubber.soon();
      vi.advanceTimersByTime(0);
      m.answer({ failed: true });
      await flush();
      expect(seen.map((c) => [c.thread, c.busy])).toEqual([['main', false]]);
      expect(scrubber.pending).toBe(false);
    } finally {
      unsubscribe(CHECKPOINT_CHANNEL, listener);
      scrubber.close();
      db.close();
    }
  });
});

/**
 * DISK-3's copier: with a real worker and file, a deleted note leaves the WAL; with a copier the
 * test answers by hand, a meeting's end that meets a copy.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../server/core/logger';
import { openAsyncSqliteStorage } from '../../server/storage/async/open';
import type { WalCopier } from '../../server/storage/walCopier';
import { CHECKPOINT_CHANNEL, WalScrubber } from '../../server/storage/walScrub';
import { canary, scanFolder, tempFolder } from '../helpers/confidential';
import { pollUntil } from '../helpers/poll';

interface Checkpoint {
  ms: number;
  busy: boolean;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the WAL copier with a real worker (DISK-3)', () => {
  it('DISK-3: a deleted note leaves every file, and the WAL is cut to 0 bytes', async () => {
    const dir = tempFolder();
    const file = path.join(dir, 'worker.sqlite');
    const storage = openAsyncSqliteStorage({ file, synchronous: 'NORMAL' });
    const seen: Checkpoint[] = [];
    const listener = (m: unknown) => seen.push(m as Checkpoint);
    subscribe(CHECKPOINT_CHANNEL, listener);
    try {
      const text = canary('worker-deleted');
      await storage.insertMeeting(
        { state: { id: 'm1' } as never, joinCode: 'ABCDEF', lastActivityAt: 0 },
        { leaderToken: 'a'.repeat(43), projectorKey: 'b'.repeat(43) },
      );
      await storage.putNote({
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
      await storage.deleteNote('m1', 'n1');

      await pollUntil(
        () => seen.some((c) => !c.busy) && scanFolder(dir, [text]).length === 0,
        10_000,
        'a truncation that takes the deleted note off the disk',
      );
      expect(statSync(`${file}-wal`).size).toBe(0);
    } finally {
      unsubscribe(CHECKPOINT_CHANNEL, listener);
      await storage.close();
    }
  });
});

/** A copier whose copies the test answers one by one. */
function manualCopier() {
  const answers: (() => void)[] = [];
  const copier: WalCopier = {
    copy: () => new Promise<void>((resolve) => answers.push(resolve)),
    get busy() {
      return answers.length > 0;
    },
    close: () => Promise.resolve(),
  };
  let copies = 0;
  return {
    copier,
    copies: () => copies,
    answer() {
      const next = answers.shift();
      if (next) {
        copies += 1;
        next();
      }
    },
    inFlight: () => answers.length,
  };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const fakeTimers = () =>
  vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'] });

describe('the scrubber and its copier (DISK-1, DISK-3)', () => {
  const openDb = () => {
    const db = new Database(path.join(tempFolder(), 'scrub.sqlite'));
    db.pragma('journal_mode = WAL');
    return db;
  };

  it("DISK-1: a meeting's end that meets a copy is truncated right after it, and told only then", async () => {
    fakeTimers();
    const db = openDb();
    const m = manualCopier();
    const seen: Checkpoint[] = [];
    const listener = (c: unknown) => seen.push(c as Checkpoint);
    subscribe(CHECKPOINT_CHANNEL, listener);
    const scrubber = new WalScrubber(db, silentLogger, m.copier);
    try {
      // A deletion's truncation: the worker's copy is in flight.
      scrubber.soon();
      vi.advanceTimersByTime(0);
      expect(m.inFlight()).toBe(1);
      let told = false;
      scrubber.now(() => (told = true));
      expect({ told, truncations: seen.length }).toEqual({ told: false, truncations: 0 });
      // The end waits for that copy (the worker holds the checkpoint lock), then one cut for both.
      expect(m.inFlight()).toBe(1);
      m.answer();
      await flush();
      expect({ told, truncations: seen.map((c) => c.busy), pending: scrubber.pending }).toEqual({
        told: true,
        truncations: [false],
        pending: false,
      });
    } finally {
      unsubscribe(CHECKPOINT_CHANNEL, listener);
      scrubber.close();
      db.close();
    }
  });
});

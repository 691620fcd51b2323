/**
 * DISK-1's timing with a manual clock (vitest's fake timers drive the scrubber's Date.now and
 * setTimeout): a truncation that a reader blocks is logged at once and then every 30 s, is tried
 * again every 250 ms, and the purge's `whenScrubbed` runs on the first try after the reader lets go.
 * The reader is a second connection on the same file (a read transaction blocks a truncation
 * whoever holds it; the cross-process case is in disk.crash.test.ts).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openAsyncSqliteStorage } from '../../server/storage/async/open';
import { BLOCKED_LOG_EVERY_MS, SCRUB_RETRY_MS } from '../../server/storage/walScrub';
import { captureLog, tempFolder } from '../helpers/confidential';

afterEach(() => {
  vi.useRealTimers();
});

const blockedLines = (lines: string[]) =>
  lines.filter((l) => l.includes('"storage.checkpoint_blocked"')).length;

describe('a blocked WAL truncation (DISK-1)', () => {
  it('DISK-1: logged every 30 s while a reader blocks it, done within 250 ms of the reader letting go', async () => {
    vi.useFakeTimers();
    const file = path.join(tempFolder(), 'scrub.sqlite');
    const log = captureLog();
    // Synchronous under fake timers: the truncation copies on the main connection here.
    const storage = openAsyncSqliteStorage({
      file,
      synchronous: 'NORMAL',
      logger: log.logger,
      walCopier: false,
    });
    const state = { id: 'm1' } as never;
    await storage.insertMeeting(
      { state, joinCode: 'ABCDEF', lastActivityAt: 0 },
      { leaderToken: 'a'.repeat(43), projectorKey: 'b'.repeat(43) },
    );
    const reader = new Database(file);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM meetings').get();
    await storage.touchMeeting('m1', 1);

    let scrubbed = false;
    await storage.purgeMeeting('m1', () => (scrubbed = true));
    expect({ scrubbed, blocked: blockedLines(log.lines) }).toEqual({ scrubbed: false, blocked: 1 });
    vi.advanceTimersByTime(BLOCKED_LOG_EVERY_MS - SCRUB_RETRY_MS);
    expect({ scrubbed, blocked: blockedLines(log.lines) }).toEqual({ scrubbed: false, blocked: 1 });
    vi.advanceTimersByTime(SCRUB_RETRY_MS);
    expect({ scrubbed, blocked: blockedLines(log.lines) }).toEqual({ scrubbed: false, blocked: 2 });
    vi.advanceTimersByTime(BLOCKED_LOG_EVERY_MS);
    expect(blockedLines(log.lines)).toBe(3);

    reader.exec('COMMIT');
    reader.close();
    vi.advanceTimersByTime(SCRUB_RETRY_MS);
    expect(scrubbed).toBe(true);
    expect(log.text()).toContain('"storage.checkpoint_unblocked"');
    await storage.close();
  });
});

/**
 * The end of a meeting against a crash and an outside reader (DISK-1, DISK-2). A real child server
 * kills itself with SIGKILL at a named point of the purge (a test-only hook), or a second process
 * holds a read transaction on the database while the meeting ends. After the restart, or after the
 * reader lets go, no canary is in any file of the data folder.
 */
import { LIMIT_SCALE_ENV } from '../../server/limits/testScale';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRASH_ENV, CRASH_POINTS } from '../../server/storage/crashPoints';
import {
  DB_FILE_NAME,
  envFor,
  foundInFolder,
  plantCanaryMeeting,
  scanFolder,
  type PlantedMeeting,
} from '../helpers/confidential';
import { pollUntil } from '../helpers/poll';
import { holdReadTransaction } from '../helpers/sqlite-reader';
import { spawnRefused, spawnServer, tempDataDir } from '../helpers/server-process';

const PROCESS_TEST_MS = 120_000;
/** How long a reader that let go may still hold up the truncation (DISK-1). */
const AFTER_READER_MS = 2_000;
/** A meeting's end is acknowledged this fast even while a reader blocks the truncation (DISK-2). */
const END_ACK_MAX_MS = 1_000;
const DIED_TIMEOUT_MS = 10_000;

const everything = (p: PlantedMeeting) => [...p.stored, ...p.replaced, ...p.secretHashes];

describe('the end of a meeting survives a crash and a reader (DISK-1, DISK-2)', () => {
  for (const point of CRASH_POINTS) {
    it(
      `DISK-1: a server killed at ${point} leaves no canary in any file after the restart`,
      async () => {
        const dataDir = tempDataDir();
        const first = await spawnServer({ dataDir, env: { [CRASH_ENV]: point } });
        const planted = await plantCanaryMeeting(envFor(first.url));
        const found = foundInFolder(dataDir, planted.stored);
        expect(planted.stored.filter((c) => !found.has(c))).toEqual([]);

        // The ack never comes: the process dies before it answers.
        const ack = planted.leader.run({ type: 'meeting:end' }).then(
          () => 'answered',
          () => 'lost',
        );
        const died = await Promise.race([
          first.exited,
          new Promise<null>((resolve) => setTimeout(() => resolve(null), DIED_TIMEOUT_MS)),
        ]);
        expect(died, `the server did not die at ${point}`).toEqual({ code: null, signal: 'SIGKILL' });
        expect(await ack).toBe('lost');
        for (const c of planted.everyone) c.socket.close();

        const second = await spawnServer({ dataDir, port: first.port });
        expect(scanFolder(dataDir, everything(planted))).toEqual([]);
        await second.stop('SIGTERM');
        expect(scanFolder(dataDir, everything(planted))).toEqual([]);
      },
      PROCESS_TEST_MS,
    );
  }

  it(
    'DISK-1, DISK-2: a reader delays only the truncation; meeting.purged and a clean folder follow within 2 s of it letting go',
    async () => {
      const dataDir = tempDataDir();
      const server = await spawnServer({ dataDir });
      const planted = await plantCanaryMeeting(envFor(server.url));
      const reader = await holdReadTransaction(path.join(dataDir, DB_FILE_NAME));

      const started = performance.now();
      expect(await planted.leader.run({ type: 'meeting:end' })).toEqual({ ok: true });
      const endMs = performance.now() - started;
      expect(endMs, 'the end acknowledged while a reader holds the file').toBeLessThan(END_ACK_MAX_MS);
      await pollUntil(
        () => server.output().includes('"event":"storage.checkpoint_blocked"'),
        AFTER_READER_MS,
        'storage.checkpoint_blocked logged',
      );
      expect(server.output()).not.toContain('"event":"meeting.purged"');

      const released = performance.now();
      await reader.release();
      await pollUntil(
        () => server.output().includes('"event":"meeting.purged"'),
        AFTER_READER_MS,
        'meeting.purged after the reader let go',
      );
      expect(performance.now() - released).toBeLessThan(AFTER_READER_MS);
      expect(scanFolder(dataDir, everything(planted))).toEqual([]);
    },
    PROCESS_TEST_MS,
  );

  it('DISK-1: the crash hook is refused outside NODE_ENV=test, with one line and exit code 2', async () => {
    const dataDir = tempDataDir();
    const refused = await spawnRefused({
      dataDir,
      env: { NODE_ENV: 'production', [CRASH_ENV]: 'purge-before-commit' },
    });
    expect(refused.code).toBe(2);
    expect(refused.output.trim().split('\n')).toEqual([expect.stringContaining(CRASH_ENV)]);
  });

  it('LIMIT-2: the limit-scale test hook is refused outside NODE_ENV=test, with one line and exit code 2', async () => {
    const refused = await spawnRefused({
      dataDir: tempDataDir(),
      env: { NODE_ENV: 'production', [LIMIT_SCALE_ENV]: '1000' },
    });
    expect(refused.code).toBe(2);
    expect(refused.output.trim().split('\n')).toEqual([expect.stringContaining(LIMIT_SCALE_ENV)]);
  });
});

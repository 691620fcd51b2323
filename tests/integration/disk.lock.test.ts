/**
 * One server per data folder (DISK-14) and private files (DISK-4), with real child servers: a
 * second server on the same folder refuses to start with one line and exit code 2, a backup by
 * the `sqlite3` shell is not blocked, a SIGKILLed holder frees the folder at once; every file in
 * the folder is 0600 even when the folder was made with a laxer mode, and that folder is warned of.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_FILE_NAME, filesUnder, tempFolder } from '../helpers/confidential';
import { Api } from '../helpers/server-fixture';
import { spawnRefused, spawnServer, tempDataDir } from '../helpers/server-process';

const PROCESS_TEST_MS = 90_000;

describe('one server per data folder (DISK-14)', () => {
  it(
    'DISK-14: a second server refuses with one line and exit 2; sqlite3 .backup still reads; a SIGKILLed holder frees the folder at once',
    async () => {
      const dataDir = tempDataDir();
      const first = await spawnServer({ dataDir });
      await new Api(first.url).createMeeting({ title: 'Lock', leaderName: 'L', templateId: 'step-back-30' });

      const second = await spawnRefused({ dataDir });
      expect(second.code).toBe(2);
      expect(second.output.trim().split('\n')).toEqual([expect.stringContaining('DATA_DIR')]);

      const backup = path.join(tempFolder(), 'backup.sqlite');
      execFileSync('sqlite3', [path.join(dataDir, DB_FILE_NAME), `.backup '${backup}'`], { timeout: 10_000 });
      expect(
        execFileSync('sqlite3', [backup, 'SELECT count(*) FROM meetings'], { encoding: 'utf8' }).trim(),
      ).toBe('1');

      await first.stop('SIGKILL');
      const third = await spawnServer({ dataDir, port: first.port });
      expect(third.output()).toContain('server.listening');
      await third.stop('SIGTERM');
    },
    PROCESS_TEST_MS,
  );
});

describe('files in the data folder are private (DISK-4)', () => {
  it(
    'DISK-4: every file is 0600 in a folder made 0755 (with an old 0644 database), and the folder is warned of',
    async () => {
      const dataDir = path.join(tempDataDir(), 'data');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o755);
      // A database left by an older version or copied in by an admin with a lax umask.
      writeFileSync(path.join(dataDir, DB_FILE_NAME), '');
      chmodSync(path.join(dataDir, DB_FILE_NAME), 0o644);
      const server = await spawnServer({ dataDir, env: { LOG_LEVEL: 'info' } });
      await new Api(server.url).createMeeting({
        title: 'Modes',
        leaderName: 'L',
        templateId: 'step-back-30',
      });

      const files = filesUnder(dataDir);
      expect(files.map((f) => path.basename(f)).sort()).toEqual(
        expect.arrayContaining([DB_FILE_NAME, `${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`]),
      );
      const modes = Object.fromEntries(
        files.map((f) => [path.basename(f), (statSync(f).mode & 0o777).toString(8)]),
      );
      expect(
        Object.values(modes).every((m) => m === '600'),
        JSON.stringify(modes),
      ).toBe(true);
      expect(server.output()).toContain('"event":"storage.data_dir_open"');
      await server.stop('SIGTERM');
    },
    PROCESS_TEST_MS,
  );
});

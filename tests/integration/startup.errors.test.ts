/**
 * Start-up refusals, seen as an admin sees them: the real server as a child process, its exit
 * code and its stderr. Each refusal is exit code 2 and one line naming the variable or the cause,
 * without a stack trace.
 */
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { onTestFinished, describe, expect, it } from 'vitest';
import { runRefusedStart, tempDataDir, type FailedStart } from '../helpers/server-process';

/** The user a root test run starts the server as, so that a folder's mode means something. */
const NOBODY = { uid: 65_534, gid: 65_534 };
const runningAsRoot = process.getuid?.() === 0;

function expectRefused(run: FailedStart, pattern: RegExp): void {
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(run.signal, `server started instead of refusing:\n${run.stdout}${run.stderr}`).toBeNull();
  expect(run.code, run.stderr).toBe(2);
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^Balint Room cannot start: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).not.toMatch(/running: open/);
}

async function occupiedPort(): Promise<number> {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const address = blocker.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('start-up refusals (real child process)', { timeout: 60_000 }, () => {
  it.each([
    ['PORT', ' ', /PORT must be decimal digits/],
    ['PORT', '0x4E9B', /PORT must be decimal digits/],
    ['PUBLIC_ORIGIN', 'javascript:alert(1)', /PUBLIC_ORIGIN must be an http:\/\/ or https:\/\/ URL/],
    ['HOST', 'http://127.0.0.1:8080', /HOST must be an IP address .* or a host name/],
    ['GROUP_RETENTION_MONTHS', '0', /GROUP_RETENTION_MONTHS must be a whole number of months/],
    ['DEBRIEF_RETENTION_MONTHS', '12.5', /DEBRIEF_RETENTION_MONTHS must be a whole number of months/],
  ])('START-1: %s=%j is refused with exit code 2 and one line', async (variable, value, pattern) => {
    const run = await runRefusedStart({ DATA_DIR: tempDataDir(), [variable]: value });
    expectRefused(run, pattern);
  });

  it('SCALE-7: a DATABASE_URL that is not PostgreSQL is one line without the password', async () => {
    const wrong = await runRefusedStart({ DATA_DIR: tempDataDir(), DATABASE_URL: 'mysql://u:Pa55w0rd@db/x' });
    expectRefused(wrong, /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(wrong.stderr).not.toContain('Pa55w0rd');
    // A PostgreSQL nobody listens on is waited for first: scale.startup.test.ts (SCALE-8).
  });

  it('START-2: a PORT already in use is one line naming the port and what to do', async () => {
    const port = await occupiedPort();
    const run = await runRefusedStart({ DATA_DIR: tempDataDir(), PORT: String(port) });
    expectRefused(run, new RegExp(`PORT ${port} is already in use .*choose another PORT`));
  });

  it('START-2: a HOST that does not resolve is one line naming HOST', async () => {
    const run = await runRefusedStart({ DATA_DIR: tempDataDir(), HOST: 'no-such-host.invalid' });
    expectRefused(run, /HOST no-such-host\.invalid does not resolve/);
  });

  it('START-2: a HOST that is not an address of this machine is one line naming HOST', async () => {
    // 192.0.2.0/24 is reserved for documentation (RFC 5737): no machine has it.
    const run = await runRefusedStart({ DATA_DIR: tempDataDir(), HOST: '192.0.2.1' });
    expectRefused(run, /HOST 192\.0\.2\.1 is not an address of this machine/);
  });

  it('START-3: a DATA_DIR that is a file, or lies under one, is one line naming DATA_DIR', async () => {
    const file = path.join(tempDataDir(), 'not-a-folder');
    writeFileSync(file, 'x');
    expectRefused(
      await runRefusedStart({ DATA_DIR: file }),
      /DATA_DIR .*not-a-folder is a file, not a folder/,
    );
    expectRefused(
      await runRefusedStart({ DATA_DIR: path.join(file, 'data') }),
      /DATA_DIR .*not-a-folder\/data lies under a file/,
    );
  });

  it('START-3: a read-only data folder, empty or with a database, is one line naming DATA_DIR', async () => {
    const root = tempDataDir();
    // The server's user must reach the folder to find it read-only.
    chmodSync(root, 0o755);
    const empty = path.join(root, 'empty');
    const withDatabase = path.join(root, 'with-database');
    mkdirSync(empty);
    mkdirSync(withDatabase);
    writeFileSync(path.join(withDatabase, 'balint-room.sqlite'), '');
    for (const dir of [empty, withDatabase]) {
      if (runningAsRoot) chownSync(dir, 0, 0);
      chmodSync(dir, 0o555);
    }
    onTestFinished(() => {
      for (const dir of [empty, withDatabase]) chmodSync(dir, 0o755);
    });
    const user = runningAsRoot ? NOBODY : undefined;
    for (const dir of [empty, withDatabase]) {
      expectRefused(
        await runRefusedStart({ DATA_DIR: dir }, user),
        new RegExp(`DATA_DIR ${dir} is not writable by this user`),
      );
    }
  });
});

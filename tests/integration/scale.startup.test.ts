/**
 * Start-up with REDIS_URL, as an admin sees it (SCALE-7, SCALE-8): the real server as a child
 * process, its exit code and its one line on stderr.
 */
import { describe, expect, it } from 'vitest';
import { SERVICE_WAIT_ENV } from '../../server/serviceWait';
import { runRefusedStart, tempDataDir, type FailedStart } from '../helpers/server-process';
import { freePort } from '../helpers/services';

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

const DATABASE_URL = 'postgres://balint@127.0.0.1:5432/balint';

describe('start-up with REDIS_URL (real child process)', { timeout: 60_000 }, () => {
  it('SCALE-7: REDIS_URL without DATABASE_URL is refused with exit code 2 and one line', async () => {
    const run = await runRefusedStart({ DATA_DIR: tempDataDir(), REDIS_URL: 'redis://127.0.0.1:6379' });
    expectRefused(run, /REDIS_URL needs DATABASE_URL/);
  });

  it('SCALE-7: a DATABASE_URL of another scheme is refused without repeating its password', async () => {
    const run = await runRefusedStart({
      DATA_DIR: tempDataDir(),
      DATABASE_URL: 'mysql://balint:pa55-canary-word@127.0.0.1/balint',
    });
    expectRefused(run, /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(run.stderr + run.stdout).not.toContain('pa55-canary-word');
  });

  it('SCALE-8: the shortened wait is a test hook, refused outside NODE_ENV=test', async () => {
    const run = await runRefusedStart({
      DATA_DIR: tempDataDir(),
      NODE_ENV: 'production',
      [SERVICE_WAIT_ENV]: '1000',
    });
    expectRefused(run, new RegExp(`${SERVICE_WAIT_ENV} is a test hook`));
  });

  it('SCALE-8: an unreachable Redis is tried for the whole wait, then one line naming it and exit 2', async () => {
    const port = await freePort();
    const waitMs = 2_000;
    const started = performance.now();
    const run = await runRefusedStart({
      DATA_DIR: tempDataDir(),
      NODE_ENV: 'test',
      [SERVICE_WAIT_ENV]: String(waitMs),
      DATABASE_URL,
      REDIS_URL: `redis://admin:redis-canary-pw@127.0.0.1:${port}`,
    });
    const tookMs = performance.now() - started;
    expectRefused(
      run,
      new RegExp(
        `Redis at 127\\.0\\.0\\.1:${port} \\(REDIS_URL\\) is not reachable after 2 s \\(ECONNREFUSED\\): start Redis, or correct REDIS_URL`,
      ),
    );
    expect(run.stderr + run.stdout).not.toContain('redis-canary-pw');
    // It kept trying for the whole wait (not refused at the first failure), and no longer.
    expect(tookMs).toBeGreaterThanOrEqual(waitMs);
    expect(tookMs).toBeLessThan(waitMs + 10_000);
  });

  it('SCALE-8: an unreachable PostgreSQL is tried for the whole wait, then one line naming it and exit 2', async () => {
    const port = await freePort();
    const waitMs = 2_000;
    const started = performance.now();
    const run = await runRefusedStart({
      DATA_DIR: tempDataDir(),
      NODE_ENV: 'test',
      [SERVICE_WAIT_ENV]: String(waitMs),
      DATABASE_URL: `postgres://balint:pg-canary-pw@127.0.0.1:${port}/balint`,
    });
    const tookMs = performance.now() - started;
    expectRefused(
      run,
      new RegExp(
        `PostgreSQL at 127\\.0\\.0\\.1:${port} \\(DATABASE_URL\\) is not reachable after 2 s \\(ECONNREFUSED\\)`,
      ),
    );
    expect(run.stderr + run.stdout).not.toContain('pg-canary-pw');
    expect(tookMs).toBeGreaterThanOrEqual(waitMs);
    expect(tookMs).toBeLessThan(waitMs + 10_000);
  });
});

/**
 * `waitForService` (SCALE-8) against a real PostgreSQL, as the storage will use it for
 * DATABASE_URL: an engine that stays away is given up after the wait with one line naming it and
 * the cause's code; one that comes up during the wait is taken.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForService } from '../../server/serviceWait';
import { StartupError } from '../../server/startupErrors';
import { startPostgres, type PostgresServer } from '../helpers/services';

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres.stop();
});

/** One attempt: a client that connects and answers a query within a second, then ends. */
async function connectOnce(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

const NAME = () => `PostgreSQL at 127.0.0.1:${postgres.port} (DATABASE_URL)`;

describe('waiting for a service at start (SCALE-8)', { timeout: 60_000 }, () => {
  it('SCALE-8: an engine that stays away is given up after the wait, with its name and the cause', async () => {
    await postgres.stop();
    const started = performance.now();
    let attempts = 0;
    const waited = waitForService(
      NAME(),
      () => {
        attempts += 1;
        return connectOnce(postgres.url);
      },
      1_500,
      { hint: 'start PostgreSQL, or correct DATABASE_URL' },
    );
    await expect(waited).rejects.toThrow(StartupError);
    await expect(waited).rejects.toThrow(
      new RegExp(
        `^PostgreSQL at 127\\.0\\.0\\.1:${postgres.port} \\(DATABASE_URL\\) is not reachable after 1\\.5 s \\(ECONNREFUSED\\): start PostgreSQL, or correct DATABASE_URL$`,
      ),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(attempts).toBeGreaterThan(1);
  });

  it('SCALE-8: an engine that comes up during the wait is taken', async () => {
    if (postgres.running()) await postgres.stop();
    const waited = waitForService(NAME(), () => connectOnce(postgres.url), 30_000);
    await postgres.start();
    const client = await waited;
    expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  });
});

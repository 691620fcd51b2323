/**
 * The meetings' storage of a test server: the SQLite file by default; with
 * `BALINT_TEST_DATABASE=postgres` (the PostgreSQL project of vitest.config.ts) a database of its
 * own on the run's PostgreSQL cluster (tests/helpers/postgres-setup.ts). The database is named
 * after the SQLite file the test would have used, so a test that restarts its server on the same
 * file finds the same database again, as a restart on the same DATABASE_URL does.
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import { openAsyncSqliteStorage, openPostgresStorage } from '../../server/storage/async/open';
import type { AsyncStorage } from '../../server/storage/async/types';

export type TestDatabase = 'sqlite' | 'postgres';

/** Which database this test run's servers store their meetings in. */
export const TEST_DATABASE: TestDatabase =
  process.env.BALINT_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

/**
 * Connections per test server: a few suffice for one test's clients, and the run's test files
 * share the cluster's max_connections (100).
 */
const TEST_POOL_SIZE = 3;

/** The URL of the database that stands for `file` (created on first use). */
export async function postgresDatabaseFor(file: string): Promise<string> {
  const cluster = inject('postgresUrl');
  if (!cluster) throw new Error('BALINT_TEST_DATABASE=postgres needs the PostgreSQL global set-up');
  const name = `t_${createHash('sha256').update(file).digest('hex').slice(0, 24)}`;
  const client = new pg.Client({ connectionString: cluster });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return cluster.replace(/\/postgres$/, `/${name}`);
}

/** Opens the meetings' storage that stands for `file` on this run's database. */
export async function openTestStorage(file: string): Promise<AsyncStorage> {
  if (TEST_DATABASE === 'sqlite') return openAsyncSqliteStorage({ file, synchronous: 'NORMAL' });
  // The keys live beside where the SQLite file would be: in the test's own data folder.
  return openPostgresStorage({
    url: await postgresDatabaseFor(file),
    poolSize: TEST_POOL_SIZE,
    keyFolder: path.dirname(file),
  });
}

/**
 * Reads the meetings' rows as an admin's shell would, outside the server: the SQLite file
 * read-only, or the PostgreSQL database that stands for it. `sql` is one text for both (`?`
 * placeholders); counts come back as numbers on both.
 */
export async function queryMeetingsDb<T = Record<string, unknown>>(
  file: string,
  sql: string,
  params: readonly unknown[] = [],
): Promise<T[]> {
  if (TEST_DATABASE === 'sqlite') {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  let n = 0;
  const client = new pg.Client({
    connectionString: await postgresDatabaseFor(file),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  await client.connect();
  try {
    return (
      await client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        [...params],
      )
    ).rows as T[];
  } finally {
    await client.end();
  }
}

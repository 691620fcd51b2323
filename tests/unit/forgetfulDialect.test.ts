/**
 * CONF-1: a query's values do not outlive the query in the compiler that made it. Kysely's
 * compilers keep the last query's parameter list; the server's dialects are wrapped so that it
 * is emptied at once (server/storage/async/forgetfulDialect.ts). The heap of this very process is
 * searched, as the canary test searches the server's.
 */
import { randomBytes } from 'node:crypto';
import { getHeapSnapshot } from 'node:v8';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { forgetful } from '../../server/storage/async/forgetfulDialect';
import { busyWaitingSqliteDialect } from '../../server/storage/async/sqliteDriver';

interface Db {
  seat_tokens: { token_hash: string; seat_id: string };
}

/** The process's heap snapshot as bytes. */
async function heapBytes(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Compiles a lookup by a fresh value and lets go of it; returns the value only as bytes (a Buffer's
 * contents are not in the snapshot's strings), so that the test itself keeps no string of it.
 */
function compileLookup(db: Kysely<Db>): Buffer {
  const value = randomBytes(32).toString('hex');
  const compiled = db.selectFrom('seat_tokens').select('seat_id').where('token_hash', '=', value).compile();
  if (compiled.parameters.length !== 1) throw new Error('one parameter');
  return Buffer.from(value, 'utf8');
}

const sqlite = () => new Database(':memory:');
const dialects: [string, () => Dialect][] = [
  ['the meetings store on SQLite', () => busyWaitingSqliteDialect(sqlite())],
  ['the groups store on SQLite', () => new SqliteDialect({ database: sqlite() })],
  // Compiling needs no connection: the pool is never asked for one.
  ['either store on PostgreSQL', () => new PostgresDialect({ pool: {} as pg.Pool })],
];

describe('compiled queries keep no values (CONF-1)', () => {
  it.each(dialects)(
    'CONF-1: %s: the wrapped compiler forgets, the bare one keeps (the control)',
    async (_name, make) => {
      const bare = new Kysely<Db>({ dialect: make() });
      const wrapped = new Kysely<Db>({ dialect: forgetful(make()) });
      // Searched as bytes: a string made of either value here would be in the heap by itself.
      const keptByBare = compileLookup(bare);
      const keptByWrapped = compileLookup(wrapped);
      const heap = await heapBytes();
      expect(heap.includes(keptByBare), 'the bare compiler keeps its last value').toBe(true);
      expect(heap.includes(keptByWrapped), 'the wrapped compiler keeps nothing').toBe(false);
    },
  );
});

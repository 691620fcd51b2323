/**
 * Kysely's dialect for the meetings' SQLite file, on the project's own better-sqlite3
 * connection. Kysely's own SQLite driver waits for a lock inside SQLite's busy handler, that is on
 * the event loop, and starts transactions deferred. This one never lets the event loop wait on a
 * lock (DISK-2): the connection's busy timeout is 0, and a statement or `BEGIN` that finds another
 * connection's lock (the WAL worker's truncation, walCopier.ts; an admin's `sqlite3` shell) is
 * tried again after a timer, while every other meeting's work goes on, until `LOCK_WAIT_MS` has
 * passed; then it fails as busy and the caller answers `unavailable`.
 *
 * Transactions begin `IMMEDIATE`: the write lock is taken (or waited for) at the start, so that
 * a transaction never meets a lock halfway, where a deferred one could only fail.
 */
import { channel } from 'node:diagnostics_channel';
import type Database from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/** How long a statement may wait, off the event loop, for another connection's lock. */
export const LOCK_WAIT_MS = 2_000;
/** Waits between tries: short at first (a truncation's cut takes a few ms), then steady. */
const RETRY_STEPS_MS = [1, 2, 4, 8, 16, 25];

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Every statement that waited for another connection's lock, `{ ms }` from its first try to its
 * success, for the benchmark's probe (the writes' cost of truncations on the worker). Without a
 * subscriber nothing is published.
 */
export const LOCK_WAIT_CHANNEL = 'balint-room:lock-wait';
const lockWaitChannel = channel(LOCK_WAIT_CHANNEL);

/** What the driver did while waiting for locks, for the benchmark and the tests. */
export interface LockWaits {
  /** Statements that found a lock and waited for it. */
  waited: number;
  /** The longest such wait, ms. */
  longestMs: number;
  /** Statements that gave up after LOCK_WAIT_MS. */
  gaveUp: number;
}

export interface BusyWaitingDialect extends Dialect {
  readonly lockWaits: LockWaits;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

class Connection implements DatabaseConnection {
  constructor(
    private db: Database.Database,
    private waits: LockWaits,
    private waitMs: number,
  ) {}

  private runOnce<R>(query: CompiledQuery): QueryResult<R> {
    // Prepared anew each time, not cached: a prepared statement keeps its last parameters bound
    // (a token's hash, a note's text) in memory until its next run, so a purged meeting's values
    // would outlive it in the heap (CONF-1, the heap canary test).
    const stmt = this.db.prepare(query.sql);
    const parameters = query.parameters as unknown[];
    if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const started = performance.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = this.runOnce<R>(query);
        if (attempt > 0) {
          const ms = performance.now() - started;
          this.waits.waited += 1;
          this.waits.longestMs = Math.max(this.waits.longestMs, ms);
          if (lockWaitChannel.hasSubscribers) lockWaitChannel.publish({ ms });
        }
        return result;
      } catch (error) {
        // Inside an IMMEDIATE transaction this connection holds the write lock: a busy error
        // there is not another writer's, and waiting would not help. Outside, it is; wait.
        if (!isBusy(error) || this.db.inTransaction) throw error;
        if (performance.now() - started >= this.waitMs) {
          this.waits.gaveUp += 1;
          throw error;
        }
        await delay(RETRY_STEPS_MS[Math.min(attempt, RETRY_STEPS_MS.length - 1)]!);
      }
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the meetings storage does not stream');
  }
}

class BusyWaitingDriver implements Driver {
  private connection: Connection;
  private queue: Promise<void> = Promise.resolve();
  private release: (() => void) | null = null;

  constructor(
    private db: Database.Database,
    waits: LockWaits,
    waitMs: number,
  ) {
    // The event loop never sits in SQLite's busy handler: a lock is waited for by the retries.
    db.pragma('busy_timeout = 0');
    this.connection = new Connection(db, waits, waitMs);
  }

  async init(): Promise<void> {}

  /** One connection: whoever holds it runs alone (a transaction across its awaits included). */
  async acquireConnection(): Promise<DatabaseConnection> {
    const before = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    await before;
    this.release = release;
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.release = null;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN IMMEDIATE'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed COMMIT or statement may already have ended the transaction.
    if (this.db.inTransaction) await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async destroy(): Promise<void> {
    // The file's owner (openMeetingsFile) closes it, after its last WAL truncation.
  }
}

/** A dialect on `db`, whose connection the caller keeps (and closes). */
export function busyWaitingSqliteDialect(db: Database.Database, waitMs = LOCK_WAIT_MS): BusyWaitingDialect {
  const lockWaits: LockWaits = { waited: 0, longestMs: 0, gaveUp: 0 };
  return {
    lockWaits,
    createDriver: () => new BusyWaitingDriver(db, lockWaits, waitMs),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (kysely: Kysely<unknown>) => new SqliteIntrospector(kysely),
  };
}

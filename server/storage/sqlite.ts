import Database from 'better-sqlite3';
import { silentLogger, type Logger } from '../core/logger';
import type { CrashPoint } from './crashPoints';
import { ensurePrivateFile } from './dataDir';
import { migrate } from './migrations';
import { startWalCopier } from './walCopier';
import { WalScrubber } from './walScrub';

/**
 * How long a statement may wait for a lock held by another connection. The event loop runs every
 * meeting of the process: it never waits longer than this, and what cannot be stored at once
 * fails (the caller answers `unavailable`, the client retries with its command id) or, for the
 * WAL truncation, is tried again later (walScrub.ts).
 */
export const BUSY_TIMEOUT_MS = 3;

/** At close only: the last truncation waits this long for a worker's truncation to finish. */
const CLOSE_BUSY_TIMEOUT_MS = 1_000;

export interface SqliteOptions {
  /** A file path, or ':memory:' for throw-away test databases. */
  file: string;
  /** NORMAL survives a killed process; FULL also survives power loss. */
  synchronous: 'NORMAL' | 'FULL';
  /** Blocked and finished WAL truncations; never content. */
  logger?: Logger;
  /** Test only (crashPoints.ts): dies at this point of a purge. */
  crashAt?: CrashPoint | null;
  /**
   * Whether a worker thread copies the WAL before each truncation (default true; walCopier.ts).
   * Off, the truncation copies on the main connection: for tests that drive time by hand.
   */
  walCopier?: boolean;
  /**
   * Whether truncations after start-up run whole on the worker (walScrub.ts): only for the
   * asynchronous storage, whose writers wait for the worker's lock on timers.
   */
  truncateOnWorker?: boolean;
}

/** Attempts of a statement that SQLite refused as busy without waiting (WAL restarts, checkpoints). */
const BUSY_ATTEMPTS = 5;

export const isBusy = (error: unknown) => error instanceof Error && /busy|locked/i.test(error.message);

/**
 * Runs a statement on a file that other processes write too (the key file), again when SQLite
 * answers busy: in WAL mode it does so at once, not after its busy timeout, when another process
 * switches the journal mode, restarts the log or checkpoints it at that moment.
 */
export function retryingBusy<T>(run: () => T): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return run();
    } catch (error) {
      if (!isBusy(error) || attempt >= BUSY_ATTEMPTS) throw error;
    }
  }
}

/**
 * A database file as every file of the data folder is opened (the meetings' and the groups'):
 * private, WAL, a short busy timeout, deleted content zeroed, temporary data in memory.
 * `busyTimeoutMs`: for a file that other processes share (the key file), from the first statement.
 */
export function openPrivateDatabase(
  file: string,
  synchronous: 'NORMAL' | 'FULL',
  busyTimeoutMs = BUSY_TIMEOUT_MS,
): Database.Database {
  // SQLite gives the -wal and -shm files the main file's mode: 0600 here makes all three private.
  if (file !== ':memory:') ensurePrivateFile(file);
  const db = new Database(file);
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // Another process of the host may be making the same file WAL at this moment (busy, at once).
  retryingBusy(() => db.pragma('journal_mode = WAL'));
  db.pragma(`synchronous = ${synchronous}`);
  // Deleted content is overwritten with zeros, in the file and in the WAL (confidentiality).
  db.pragma('secure_delete = ON');
  // Sorts and temporary tables stay in memory: no temporary file ever holds meeting content.
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  return db;
}

/** The meetings' database, migrated, with its WAL scrubber (the asynchronous SQLite storage's file). */
export interface MeetingsFile {
  db: Database.Database;
  scrubber: WalScrubber;
  /** Stops the scrubber, truncates the WAL and closes the file. */
  close(): void;
}

export function openMeetingsFile(opts: SqliteOptions): MeetingsFile {
  const db = openPrivateDatabase(opts.file, opts.synchronous);
  migrate(db);
  // The slow part of each truncation (copying pages, an fsync) runs on a worker thread (DISK-3).
  const copier = opts.file === ':memory:' || opts.walCopier === false ? null : startWalCopier(opts.file);
  const scrubber = new WalScrubber(db, opts.logger ?? silentLogger, copier, {
    truncateOnWorker: opts.truncateOnWorker,
  });
  // A crash may have left deleted content in the WAL (between a purge's commit and its
  // truncation, or while a reader blocked it): every start truncates, until it has happened.
  scrubber.startup();
  return {
    db,
    scrubber,
    close() {
      scrubber.close();
      void copier?.close();
      // At shutdown the last truncation may wait for the worker's, which is finishing.
      db.pragma(`busy_timeout = ${CLOSE_BUSY_TIMEOUT_MS}`);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

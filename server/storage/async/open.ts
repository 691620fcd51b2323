/**
 * The storage on its two databases: SQLite (the project's own better-sqlite3 connection, opened
 * and scrubbed as every file of the data folder is, sqlite.ts) and PostgreSQL
 * (a `pg` pool). Everything else is the one implementation in operations.ts.
 */
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { silentLogger, type Logger } from '../../core/logger';
import { crashIfAt, type CrashPoint } from '../crashPoints';
import { KEY_FILE_NAME, openKeyStore } from '../keyStore';
import { openMeetingsFile, type SqliteOptions } from '../sqlite';
import { plainContent, sealedContent, type ContentCodec } from './content';
import {
  deleteMeetings,
  leftoverMeetings,
  loadReadableMeetings,
  operations,
  sweepKeys,
  transactionOperations,
  type Engine,
} from './operations';
import { claimDue, listDue, setDue } from './dueTimes';
import { openPool } from './pgPool';
import { migratePostgres } from './postgresMigrate';
import { busyWaitingSqliteDialect } from './sqliteDriver';
import { forgetful } from './forgetfulDialect';
import type { MeetingsDb } from './tables';
import type { AsyncStorage, RelaySealing } from './types';

/** How long start-up waits for the truncation after purging what a crash left (DISK-1). */
const STARTUP_SCRUB_WAIT_MS = 2_000;

interface Backend {
  engine: Engine;
  /** Test only (crashPoints.ts): where a purge kills the process. */
  crashAt?: CrashPoint | null;
  afterPurge(whenScrubbed?: () => void): void;
  close(): Promise<void>;
}

function build(db: Kysely<MeetingsDb>, backend: Backend): AsyncStorage {
  const { engine } = backend;
  let closed: Promise<void> | null = null;
  async function purge(ids: readonly string[], whenScrubbed?: () => void) {
    await deleteMeetings(db, ids, () => crashIfAt(backend.crashAt, 'purge-before-commit'));
    if (ids.length === 0) return whenScrubbed?.();
    crashIfAt(backend.crashAt, 'purge-before-checkpoint');
    // The keys go only after the rows' delete committed: a failed delete leaves a readable meeting,
    // not rows that no key opens. Both files' scrubs are waited for.
    let left = 2;
    const done = () => {
      if (--left === 0) whenScrubbed?.();
    };
    backend.afterPurge(done);
    engine.content.destroy(ids, done);
  }
  return {
    dialect: engine.dialect,
    relay: relaySealing(engine.content),
    ...operations(db, engine, (fn) => db.transaction().execute(fn)),
    async loadLiveMeetings() {
      const { meetings, unreadable } = await loadReadableMeetings(db, engine);
      // CONF-10: a meeting no key opens is lost; its rows go, so that it is not found again.
      await purge(unreadable);
      return meetings;
    },
    transaction: (fn) => db.transaction().execute((trx) => fn(transactionOperations(trx, engine))),
    purgeMeeting: (meetingId, whenScrubbed) => purge([meetingId], whenScrubbed),
    async purgeLeftovers() {
      const ids = await leftoverMeetings(db);
      // DISK-1: what a crash left leaves the files before the server listens. The truncation runs
      // on the WAL worker; a reader that blocks it does not keep the server from starting (it is
      // retried, and logged, as any other).
      let scrubbed!: () => void;
      const truncated = new Promise<void>((resolve) => (scrubbed = resolve));
      await purge(ids, scrubbed);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        truncated,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, STARTUP_SCRUB_WAIT_MS))),
      ]);
      clearTimeout(timer);
      await sweepKeys(db, engine);
      return ids.length;
    },
    ping: () =>
      sql`SELECT 1`.execute(db).then(
        () => true,
        () => false,
      ),
    setDue: (meetingId, kind, at) => setDue(db, meetingId, kind, at),
    listDue: (meetingId) => listDue(db, meetingId),
    claimDue: (now, skip, act) =>
      claimDue(db, engine.dialect, now, skip, (trx, due) => act(transactionOperations(trx, engine), due)),
    // Once: a second close (a test's clean-up after its own) finds it closed.
    close: () => (closed ??= backend.close()),
  };
}

function relaySealing(content: ContentCodec): RelaySealing {
  return {
    seal: (meetingId, channel, payload) => content.find(meetingId)?.bytes('relay', channel, payload) ?? null,
    open(meetingId, channel, sealed) {
      const c = content.find(meetingId);
      try {
        return c ? c.openBytes('relay', channel, sealed) : null;
      } catch {
        return null;
      }
    },
  };
}

export function openAsyncSqliteStorage(opts: SqliteOptions): AsyncStorage {
  // Its writers wait for locks on timers (sqliteDriver.ts): the worker may hold the write lock.
  const file = openMeetingsFile({ truncateOnWorker: true, ...opts });
  const db = new Kysely<MeetingsDb>({ dialect: forgetful(busyWaitingSqliteDialect(file.db)) });
  return build(db, {
    engine: {
      dialect: 'sqlite',
      afterOverwrite: () => file.scrubber.soon(),
      content: plainContent,
      logger: opts.logger ?? silentLogger,
    },
    crashAt: opts.crashAt,
    afterPurge: (whenScrubbed) => file.scrubber.now(whenScrubbed),
    // Not db.destroy(): the file is closed here, after its last WAL truncation.
    close: () => Promise.resolve(file.close()),
  });
}

export interface PostgresOptions {
  /** `postgres://user@host:port/database` */
  url: string;
  poolSize?: number;
  /**
   * The folder of the key file (`balint-keys.sqlite`, keyStore.ts): the data folder. Every process
   * of one deployment runs on one host and opens the same folder (ARCHITECTURE.md "Where keys live").
   */
  keyFolder: string;
  /** The key file's `synchronous`; FULL by default: a lost key is a lost meeting. */
  keySynchronous?: 'NORMAL' | 'FULL';
  /** Connection errors, by code; never a query or its values. */
  logger?: Logger;
}

/** Connects, migrates the schema under its advisory lock (postgresMigrate.ts), and serves. */
export async function openPostgresStorage(opts: PostgresOptions): Promise<AsyncStorage> {
  const logger = opts.logger ?? silentLogger;
  const pool = openPool({ url: opts.url, poolSize: opts.poolSize, logger, events: 'storage' });
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  let keys;
  try {
    keys = openKeyStore({
      file: path.join(opts.keyFolder, KEY_FILE_NAME),
      synchronous: opts.keySynchronous ?? 'FULL',
      logger,
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const db = new Kysely<MeetingsDb>({ dialect: forgetful(new PostgresDialect({ pool })) });
  const keyStore = keys;
  return build(db, {
    engine: { dialect: 'postgres', afterOverwrite: () => {}, content: sealedContent(keyStore), logger },
    // Nothing to truncate in PostgreSQL: its copies (WAL, backups) hold sealed values only, and the
    // key's destruction (scrubbed in the key file) is what makes them unreadable (CONF-4).
    afterPurge: (whenScrubbed) => whenScrubbed?.(),
    async close() {
      await db.destroy();
      keyStore.close();
    },
  });
}

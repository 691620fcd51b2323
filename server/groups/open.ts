/**
 * The groups' store on its two databases: SQLite (the group file, opened as every file of the data
 * folder is, with its own WAL scrubber) and PostgreSQL (the meetings' database, through a pool of
 * its own or one passed in). Everything else is the one implementation in store.ts.
 */
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import { forgetful } from '../storage/async/forgetfulDialect';
import pg from 'pg';
import { silentLogger, type Logger } from '../core/logger';
import { openPool } from '../storage/async/pgPool';
import { openPrivateDatabase } from '../storage/sqlite';
import { WalScrubber } from '../storage/walScrub';
import path from 'node:path';
import { KEY_FILE_NAME, openKeyStore, type KeyStore } from '../storage/keyStore';
import { dropLostGroups } from './lostKeys';
import { plainGroups, sealedGroups, type GroupSealing } from './sealing';
import { migrateGroupFile, migrateGroupTables } from './schema';
import {
  GROUP_KEYS_LOCK_CLASS,
  groupOperations,
  type GroupEngine,
  type GroupOperations,
  type GroupStore,
  type GuardLock,
} from './store';
import type { GroupsDb } from './tables';

/**
 * The first number of the two-number advisory locks of the groups' guards ('grp' in ASCII): a
 * space of its own, apart from the one-number locks of the migrations and the meetings.
 */
export const GROUP_GUARD_LOCK_CLASS = 0x677270;

/** Takes the guard's lock in the transaction; it is held until the transaction ends. */
async function takeLock(trx: Kysely<GroupsDb>, lock: GuardLock): Promise<void> {
  if ('group' in lock)
    // A group that is gone has no row to lock: whatever the guard reads then finds it gone too.
    await sql`SELECT id FROM groups WHERE id = ${lock.group} FOR UPDATE`.execute(trx);
  else await sql`SELECT pg_advisory_xact_lock(${GROUP_GUARD_LOCK_CLASS}, hashtext(${lock.key}))`.execute(trx);
}

/**
 * Runs `fn` in one transaction with operations on it; what they leave for after the commit (the
 * destruction of keys, CONF-40) runs once it committed, and not at all after a rollback.
 */
async function inTransaction<T>(
  db: Kysely<GroupsDb>,
  engine: GroupEngine,
  fn: (trx: Kysely<GroupsDb>, tx: GroupOperations) => Promise<T>,
): Promise<T> {
  const committed: (() => void)[] = [];
  const result = await db.transaction().execute((trx) =>
    fn(
      trx,
      groupOperations(
        trx,
        engine,
        (inner) => inner(trx),
        (f) => committed.push(f),
      ),
    ),
  );
  for (const f of committed) f();
  return result;
}

/** Ids per query of the sweep: far below PostgreSQL's limit of parameters. */
const SWEEP_CHUNK = 500;

/**
 * CONF-42: destroys the keys of groups and roster entries that have no row (a rolled-back
 * creation; a crash between a deletion's commit and its keys' destruction), under the lock that
 * every key-making transaction holds shared until its row commits. Returns how many went.
 */
async function sweepGroupKeys(db: Kysely<GroupsDb>, sealing: GroupSealing): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${GROUP_KEYS_LOCK_CLASS}, 0)`.execute(trx);
    const keyed = sealing.keyed();
    const existing = async (table: 'groups' | 'members', ids: string[]) => {
      const found = new Set<string>();
      for (let i = 0; i < ids.length; i += SWEEP_CHUNK) {
        const rows = await trx
          .selectFrom(table)
          .select('id')
          .where('id', 'in', ids.slice(i, i + SWEEP_CHUNK))
          .execute();
        for (const r of rows) found.add(r.id);
      }
      return ids.filter((id) => !found.has(id));
    };
    const groups = await existing('groups', keyed.groups);
    const members = await existing('members', keyed.members);
    sealing.destroy({ groups, members });
    return groups.length + members.length;
  });
}

function build(db: Kysely<GroupsDb>, engine: GroupEngine, close: () => Promise<void>): GroupStore {
  let closed: Promise<void> | null = null;
  const transaction: GroupStore['transaction'] = (fn) => inTransaction(db, engine, (_trx, tx) => fn(tx));
  const own = groupOperations(
    db,
    engine,
    (fn) => db.transaction().execute(fn),
    (f) => f(),
  );
  return {
    dialect: engine.dialect,
    ...own,
    transaction,
    guard: (lock, fn) =>
      engine.dialect === 'sqlite'
        ? fn(own, transaction)
        : inTransaction(db, engine, async (trx, tx) => {
            await takeLock(trx, lock);
            return fn(tx, (inner) => inner(tx));
          }),
    // Once: a second close (a test's clean-up after its own) finds it closed.
    close: () => (closed ??= close()),
  };
}

/**
 * The lasting records of groups, in their own SQLite file with the meetings' file rules: 0600,
 * WAL, secure delete, temporary data in memory, and the WAL truncated after deletions, so that
 * what a leader deletes (a member, a revoked link, a whole group) leaves the disk as a meeting's
 * content does.
 */
export function openSqliteGroupStore(opts: {
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  logger?: Logger;
}): GroupStore {
  const file = openPrivateDatabase(opts.file, opts.synchronous);
  migrateGroupFile(file);
  const scrubber = new WalScrubber(file, opts.logger ?? silentLogger);
  // A crash may have left deleted content in the WAL: every start truncates, until it has happened.
  scrubber.startup();
  const db = new Kysely<GroupsDb>({ dialect: forgetful(new SqliteDialect({ database: file })) });
  return build(
    db,
    {
      dialect: 'sqlite',
      sealing: plainGroups,
      afterOverwrite: () => scrubber.soon(),
      afterGroupDeleted: (whenScrubbed) => scrubber.now(whenScrubbed),
    },
    // Not db.destroy(): the file is closed here, after its last WAL truncation.
    () => {
      scrubber.close();
      file.pragma('wal_checkpoint(TRUNCATE)');
      file.close();
      return Promise.resolve();
    },
  );
}

export type PostgresGroupOptions = (
  | /** A pool of the store's own, ended at its close. */ { url: string; poolSize?: number }
  | /** The meetings' pool (or any), which the store uses and leaves open at its close. */ { pool: pg.Pool }
) & {
  /** Where the pool's events and the groups dropped at open for a missing key (CONF-43) go. */
  logger?: Logger;
  /**
   * The folder of the key file (`balint-keys.sqlite`): the data folder, as for the meetings'
   * storage, whose key file the groups' keys share (CONF-40).
   */
  keyFolder: string;
  /** The key file's `synchronous`; FULL by default: a lost key is a lost group. */
  keySynchronous?: 'NORMAL' | 'FULL';
};

/**
 * The groups' pool beside the meetings' one of `meetingsPoolSize` connections: a quarter of it,
 * at least 2. A process opens both, so it holds up to DATABASE_POOL_SIZE plus this many (README).
 */
export function groupPoolSize(meetingsPoolSize: number): number {
  return Math.max(2, Math.ceil(meetingsPoolSize / 4));
}

/**
 * Connects, migrates the group tables under their advisory lock (schema.ts), and serves. A pool
 * passed in must read int8 as a number, as the meetings' pool does (async/open.ts).
 */
export async function openPostgresGroupStore(opts: PostgresGroupOptions): Promise<GroupStore> {
  const owned = 'url' in opts;
  const pool = owned
    ? openPool({
        url: opts.url,
        poolSize: opts.poolSize,
        logger: opts.logger ?? silentLogger,
        events: 'groups',
      })
    : opts.pool;
  try {
    await migrateGroupTables(pool);
  } catch (error) {
    if (owned) await pool.end();
    throw error;
  }
  let keys: KeyStore;
  try {
    keys = openKeyStore({
      file: path.join(opts.keyFolder, KEY_FILE_NAME),
      synchronous: opts.keySynchronous ?? 'FULL',
      logger: opts.logger,
    });
  } catch (error) {
    if (owned) await pool.end();
    throw error;
  }
  const db = new Kysely<GroupsDb>({ dialect: forgetful(new PostgresDialect({ pool })) });
  const sealing = sealedGroups(keys);
  try {
    await sweepGroupKeys(db, sealing);
    // CONF-43: a group or roster entry whose key is missing is dropped, as CONF-10 drops a meeting.
    await dropLostGroups(db, sealing, opts.logger ?? silentLogger);
  } catch (error) {
    keys.close();
    if (owned) await db.destroy();
    throw error;
  }
  return build(
    db,
    {
      dialect: 'postgres',
      sealing,
      afterOverwrite: () => {},
      // Nothing to truncate: PostgreSQL's copies (WAL, backups) hold sealed values only, and the
      // keys' destruction (scrubbed in the key file) makes them unreadable (CONF-40).
      afterGroupDeleted: (whenScrubbed) => whenScrubbed?.(),
    },
    async () => {
      // Kysely's destroy ends the pool: only a pool of the store's own.
      if (owned) await db.destroy();
      keys.close();
    },
  );
}

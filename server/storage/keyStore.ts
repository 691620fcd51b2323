import { silentLogger, type Logger } from '../core/logger';
import { KEY_BYTES, newMeetingKey } from '../security/sealing';
import { isBusy, openPrivateDatabase, retryingBusy as retrying } from './sqlite';
import { WalScrubber } from './walScrub';

/** The key file's name; it lives in the key folder (by default the data folder). */
export const KEY_FILE_NAME = 'balint-keys.sqlite';

/**
 * Where the keys of sealed content live (issue 14): a meeting's key, a roster entry's key. Not in
 * PostgreSQL, whose WAL, replicas and backups would keep a destroyed key and with it everything it
 * sealed, nor in Redis, whose AOF keeps a deleted value until a rewrite. A SQLite file of its own,
 * with the data folder's rules (0600, `secure_delete`, the WAL truncated at once after a
 * destruction, tested with canaries): a destroyed key is in no file. The processes of one host
 * share the file (SQLite's locking between processes), and it survives a restart of every process
 * and of Redis. Its residual risk (a copy of the file taken before the destruction, a backup of
 * the key folder) is stated in README.md and on the Privacy page.
 *
 * No key is kept in memory here: a key another process destroyed must not live on in this one.
 */
export interface KeyStore {
  /** The owner's key, made now if it has none (several processes may race: one key wins). */
  obtain(owner: string): Buffer;
  /** The owner's key, or null when it has none (never made, or destroyed). */
  find(owner: string): Buffer | null;
  /**
   * Destroys the owner's key: stored on return; `whenScrubbed` runs once the WAL has really been
   * truncated (at once, or later when a reader blocked it).
   */
  destroy(owner: string, whenScrubbed?: () => void): void;
  /** Every owner with a key, for the start-up sweep of keys whose content is gone. */
  owners(): string[];
  close(): void;
}

/** Destroys every owner's key; `whenScrubbed` runs once all of them are gone from the key file. */
export function destroyKeys(keys: KeyStore, owners: readonly string[], whenScrubbed?: () => void): void {
  let left = owners.length;
  if (left === 0) whenScrubbed?.();
  for (const owner of owners)
    keys.destroy(owner, () => {
      if (--left === 0) whenScrubbed?.();
    });
}

/** How long a write of the key file waits for another process's (see openKeyStore). */
const KEY_BUSY_TIMEOUT_MS = 1_000;
const SCHEMA = `CREATE TABLE IF NOT EXISTS keys (
  owner TEXT PRIMARY KEY,
  key BLOB NOT NULL
) WITHOUT ROWID`;

export function openKeyStore(opts: {
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  logger?: Logger;
}): KeyStore {
  // The processes of one host write this file together (a meeting made or ended in each): a write
  // waits for another process's write (an fsync) rather than failing at the meetings' file's
  // 3 ms. Writes here are rare, one per meeting made or ended, so the wait is rare too. From the
  // first statement: two processes starting at once both open the file and make it WAL.
  const db = openPrivateDatabase(opts.file, opts.synchronous, KEY_BUSY_TIMEOUT_MS);
  retrying(() => db.exec(SCHEMA));
  const scrubber = new WalScrubber(db, opts.logger ?? silentLogger);
  scrubber.startup();
  const q = {
    insert: db.prepare('INSERT OR IGNORE INTO keys (owner, key) VALUES (?, ?)'),
    find: db.prepare('SELECT key FROM keys WHERE owner = ?').pluck(),
    remove: db.prepare('DELETE FROM keys WHERE owner = ?'),
    owners: db.prepare('SELECT owner FROM keys ORDER BY owner').pluck(),
  };
  const find = (owner: string): Buffer | null => {
    const key = q.find.get(owner) as Buffer | undefined;
    if (key === undefined) return null;
    if (key.length !== KEY_BYTES) throw new Error('a stored key has the wrong length');
    return key;
  };
  return {
    obtain(owner) {
      retrying(() => q.insert.run(owner, newMeetingKey()));
      const key = find(owner);
      if (!key) throw new Error('the key was destroyed as it was made');
      return key;
    },
    find,
    destroy(owner, whenScrubbed) {
      retrying(() => q.remove.run(owner));
      scrubber.now(whenScrubbed);
    },
    owners: () => q.owners.all() as string[],
    close() {
      scrubber.close();
      // Another process may hold the file at this moment: its own truncations, and the next
      // start-up's, empty the log then.
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (error) {
        if (!isBusy(error)) throw error;
      }
      db.close();
    },
  };
}

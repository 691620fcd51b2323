import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Owner read and write only: meeting content, token hashes and names are in these files. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
/** The lock file in the data folder; holding it is what makes a server this folder's only one. */
export const LOCK_FILE_NAME = 'balint-room.lock';

/**
 * Creates the file 0600 if it is missing, and makes it 0600 if it exists with a laxer mode. An
 * existing file is never opened here: closing any descriptor of a file drops every POSIX lock
 * this process holds on it (SQLite's, and the data folder's lock).
 */
export function ensurePrivateFile(file: string): void {
  if (!existsSync(file)) {
    try {
      closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  if ((statSync(file).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(file, PRIVATE_FILE_MODE);
}

/**
 * Makes the data folder (0700 when this creates it) and has every file this process creates
 * from now on be 0600, whatever the umask it was started with. Returns whether the folder itself
 * lets others in (group or world bits): the caller warns, it does not change an admin's folder.
 */
export function prepareDataDir(dir: string): { openToOthers: boolean } {
  process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  return { openToOthers: (statSync(dir).mode & 0o077) !== 0 };
}

export type DataDirLock = { ok: true; release: () => void } | { ok: false; message: string };

/**
 * One server per data folder. The lock is SQLite's own file lock (POSIX advisory locks, taken
 * with fcntl) on a separate, empty lock database held in an exclusive transaction for the life
 * of the process: the kernel drops it the moment the process dies, however it dies, so a restart
 * right after a SIGKILL is never refused, and it works where every server is PID 1 (containers),
 * which a pid file does not. It is a different file from the meeting database, so readers such
 * as `sqlite3 .backup` are never blocked by it.
 */
/**
 * The open lock databases. Held here on purpose: a better-sqlite3 connection that nothing
 * references is closed when it is garbage-collected, and its lock with it (seen as a second server
 * starting on the same folder under memory pressure).
 */
const heldLocks = new Set<Database.Database>();

export function lockDataDir(dir: string): DataDirLock {
  const file = path.join(dir, LOCK_FILE_NAME);
  ensurePrivateFile(file);
  const db = new Database(file);
  try {
    // Nothing is ever written to it, so no journal file appears either. (journal_mode = OFF is
    // not used: with it, a second process was seen to get the exclusive transaction too.)
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if (error instanceof Error && /busy|locked/i.test(error.message))
      return {
        ok: false,
        message: `DATA_DIR ${dir} is in use by another Balint Room server: stop it, or give this one another DATA_DIR`,
      };
    throw error;
  }
  heldLocks.add(db);
  return {
    ok: true,
    release: () => {
      heldLocks.delete(db);
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

/**
 * What an admin sees when the server cannot start: one line naming the variable or the cause and
 * what to do, and exit code 2 (README.md). A stack trace is for bugs; a port in use, a typo in
 * HOST or a folder the service user cannot write are the admin's to fix, and a trace buries the
 * one line that says how. Errors not recognised here are bugs and keep their trace.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Exit code of every start-up refusal (a configuration the admin must change). */
export const STARTUP_EXIT_CODE = 2;

/** A start-up failure with its one-line explanation. */
export class StartupError extends Error {
  override name = 'StartupError';
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Why `listen(port, host)` failed, as one line; null for an error this module does not know. */
export function describeListenError(error: unknown, port: number, host: string): string | null {
  switch (codeOf(error)) {
    case 'EADDRINUSE':
      return `PORT ${port} is already in use on HOST ${host} (another server running?): stop it or choose another PORT`;
    case 'EACCES':
      return `PORT ${port} needs privileges this user lacks: choose a PORT above 1023 (and let a reverse proxy serve 80/443)`;
    case 'EADDRNOTAVAIL':
      return `HOST ${host} is not an address of this machine: use one of its addresses, 127.0.0.1 or 0.0.0.0`;
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `HOST ${host} does not resolve to an address: check the name, or use an IP address such as 127.0.0.1 or 0.0.0.0`;
    case 'EAFNOSUPPORT':
      return `HOST ${host} is of an address family this machine does not offer (IPv6 off?): use 127.0.0.1 or 0.0.0.0`;
    default:
      return null;
  }
}

const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

function notWritable(dir: string): StartupError {
  return new StartupError(
    `DATA_DIR ${dir} is not writable by this user: give the server's user write access to it, or choose another DATA_DIR`,
  );
}

/**
 * Makes sure the data folder exists and is a folder this process can write, before SQLite opens
 * it (SQLite's own errors say "unable to open database file" whatever the cause). Throws a
 * StartupError for anything an admin must fix.
 */
export function prepareDataDir(dir: string, databaseFile: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      const isFile = code === 'EEXIST' || statSafe(dir)?.isFile() === true;
      throw new StartupError(
        isFile
          ? `DATA_DIR ${dir} is a file, not a folder: remove it or choose another DATA_DIR`
          : `DATA_DIR ${dir} lies under a file, not a folder: choose another DATA_DIR`,
      );
    }
    if (code && NOT_WRITABLE.has(code)) throw notWritable(dir);
    throw error;
  }
  // access(2) answers for this process's user, root included, and sees a read-only mount.
  for (const [target, mode] of [
    [dir, constants.W_OK | constants.X_OK],
    [databaseFile, constants.R_OK | constants.W_OK],
  ] as const) {
    try {
      accessSync(target, mode);
    } catch (error) {
      const code = codeOf(error);
      if (code === 'ENOENT' && target === databaseFile) continue;
      if (code && NOT_WRITABLE.has(code)) {
        if (target === dir) throw notWritable(dir);
        throw new StartupError(
          `DATA_DIR ${dir}: ${path.basename(databaseFile)} is not readable and writable by this user: give the server's user access to it`,
        );
      }
      throw error;
    }
  }
}

function statSafe(target: string) {
  try {
    return statSync(target);
  } catch {
    return null;
  }
}

/** When opening the database fails anyway (a race with the checks above, a full disk). */
export function describeStorageError(error: unknown, dir: string): string | null {
  const code = codeOf(error) ?? '';
  if (NOT_WRITABLE.has(code) || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') {
    return notWritable(dir).message;
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return `DATA_DIR ${dir} is on a full disk: free some space or choose another DATA_DIR`;
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return `DATA_DIR ${dir}: the database file is damaged or not a Balint Room database: restore it from a backup or choose another DATA_DIR`;
  }
  return null;
}

/**
 * PostgreSQL could not be opened (DATABASE_URL). The line names the host and port, never the
 * URL's password; the driver's own message is not quoted (it may carry the user name).
 */
/** `host:port` of a PostgreSQL URL, for messages and logs: never its user name or password. */
export function postgresTarget(url: string): string {
  return URL.canParse(url) ? `${new URL(url).hostname}:${new URL(url).port || '5432'}` : 'DATABASE_URL';
}

export function describeDatabaseError(error: unknown, url: string): string | null {
  const code = codeOf(error) ?? '';
  const where = postgresTarget(url);
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN'].includes(code))
    return `PostgreSQL at ${where} (DATABASE_URL) cannot be reached (${code}): start it or fix DATABASE_URL`;
  // PostgreSQL's SQLSTATE classes: 28 authorization, 3D no such database, 08 connection.
  if (code.startsWith('28'))
    return `PostgreSQL at ${where} refused the user or password of DATABASE_URL (${code})`;
  if (code === '3D000') return `PostgreSQL at ${where} has no database of the name in DATABASE_URL`;
  if (code.startsWith('08') || code.startsWith('57P'))
    return `PostgreSQL at ${where} (DATABASE_URL) is not accepting connections (${code})`;
  return null;
}

/** Prints the one line and exits with STARTUP_EXIT_CODE. */
export function refuseToStart(line: string): never {
  process.stderr.write(`Balint Room cannot start: ${line}\n`);
  process.exit(STARTUP_EXIT_CODE);
}

/**
 * Runs one start-up step; a StartupError, or an error `describe` recognises, ends the process
 * with its line. Anything else is rethrown with its stack.
 */
export async function startupStep<T>(
  step: () => T | Promise<T>,
  describe: (error: unknown) => string | null = () => null,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StartupError) refuseToStart(error.message);
    const line = describe(error);
    if (line !== null) refuseToStart(line);
    throw error;
  }
}

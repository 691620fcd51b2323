/**
 * A process outside the server that holds a read transaction on the database, as a backup tool
 * or an admin's `sqlite3` shell would: it blocks every WAL truncation until it lets go. A real
 * child process (SQLite's locks are per process). Killed when the test finishes.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { onTestFinished } from 'vitest';

const SQLITE_MODULE = createRequire(import.meta.url).resolve('better-sqlite3');
const READY_TIMEOUT_MS = 10_000;

const SCRIPT = `
const Database = require(process.env.SQLITE_MODULE);
const db = new Database(process.env.DB_FILE);
db.exec('BEGIN');
db.prepare('SELECT count(*) FROM meetings').get();
process.stdout.write('held\\n');
process.stdin.setEncoding('utf8').on('data', () => {
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\\n');
  process.exit(0);
});
`;

export interface Reader {
  /** Ends the read transaction and closes the connection; resolves when it has. */
  release(): Promise<void>;
}

export async function holdReadTransaction(dbFile: string): Promise<Reader> {
  const child = spawn(process.execPath, ['-e', SCRIPT], {
    env: { ...process.env, SQLITE_MODULE, DB_FILE: dbFile },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  const said = (word: string) =>
    new Promise<void>((resolve, reject) => {
      const guard = setTimeout(
        () => reject(new Error(`reader never said ${word}: ${output}`)),
        READY_TIMEOUT_MS,
      );
      const check = () => {
        if (output.includes(word)) {
          clearTimeout(guard);
          resolve();
        }
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      check();
    });
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  await said('held');
  return {
    async release() {
      child.stdin.write('go\n');
      await said('released');
    },
  };
}

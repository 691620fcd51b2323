import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies the WAL's frames into the database file on a worker thread with its own connection
 * (DISK-3): `wal_checkpoint(PASSIVE)` runs beside the main thread's writers without blocking
 * them, so that the truncation that follows on the main connection has (almost) nothing left to
 * copy and only cuts the file. The copy is the slow part (pages and an fsync); the event loop never
 * waits for it. A copy that fails or finds a lock is harmless: the truncation copies the rest.
 *
 * Not copied on a timer: copies every 250 ms kept the WAL short (cutting a file costs about 1 ms
 * per MiB here, ext4 with `discard`) but their fsyncs cost capacity (400 meetings held instead of
 * 600 to 700 in the same hour's benchmark runs), more than the shorter cuts gave back.
 *
 * Why the truncation itself stays on the main connection: on the worker, its `TRUNCATE` holds the
 * write lock while it copies the rest, syncs and cuts, and under load that took 9 to 28 ms: longer
 * than the main connection's busy timeout (3 ms, DISK-2), so writes failed (`unavailable`, board
 * rooms dropped). A few ms on the loop once per 5 s cost less than failed writes.
 */
export interface WalCopier {
  /** Resolves once the worker has copied what it could. */
  copy(): Promise<void>;
  /** Whether a copy is in flight: the main connection must not checkpoint meanwhile. */
  readonly busy: boolean;
  close(): Promise<void>;
}

// CommonJS, evaluated in the worker: no file to bundle or ship beside the server's bundle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
// Never wait on a lock: the main thread's writes come first, the truncation copies what is left.
db.pragma('busy_timeout = 0');
parentPort.on('message', (id) => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY or LOCKED: another connection checkpoints or writes; try again next time.
  }
  parentPort.postMessage(id);
});
parentPort.once('close', () => db.close());
`;

export function startWalCopier(file: string): WalCopier {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, module } });
  // A copy in flight never keeps a finished process alive.
  worker.unref();
  const waiting = new Map<number, () => void>();
  let next = 0;
  let failed = false;
  // A worker that cannot run (no thread, a module it cannot load) leaves the copy to the truncation.
  const fail = () => {
    failed = true;
    for (const done of waiting.values()) done();
    waiting.clear();
  };
  worker.on('message', (id: number) => {
    waiting.get(id)?.();
    waiting.delete(id);
  });
  worker.on('error', fail);
  worker.on('exit', fail);
  return {
    copy() {
      if (failed) return Promise.resolve();
      const id = (next += 1);
      return new Promise<void>((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage(id);
      });
    },
    get busy() {
      return waiting.size > 0;
    },
    async close() {
      fail();
      await worker.terminate();
    },
  };
}

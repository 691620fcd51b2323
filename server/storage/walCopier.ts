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
 * The whole truncation on the worker (`truncate`), for the asynchronous storage only: its
 * `TRUNCATE` holds the write lock while it copies the rest, syncs and cuts, 9 to 28 ms under load.
 * A connection that waits for locks in SQLite's busy handler (3 ms on the event loop, DISK-2)
 * would fail its writes meanwhile (`unavailable`, board rooms dropped: seen in the capacity run);
 * the asynchronous storage's writers wait for it on timers instead (async/sqliteDriver.ts), so
 * the event loop spends nothing on the truncation.
 */
export interface WalCopier {
  /** Resolves once the worker has copied what it could. */
  copy(): Promise<void>;
  /**
   * The whole truncation on the worker's connection (`wal_checkpoint(TRUNCATE)`, waiting there up
   * to WORKER_TRUNCATE_WAIT_MS for the main connection's transaction): resolves with whether a
   * lock kept it from happening and how long it took on the worker, or null when the worker cannot
   * run (the caller then truncates on its own connection).
   */
  truncate?(): Promise<WorkerTruncation | null>;
  /** Whether a copy is in flight: the main connection must not checkpoint meanwhile. */
  readonly busy: boolean;
  close(): Promise<void>;
}

export interface WorkerTruncation {
  busy: boolean;
  /** The truncation's time on the worker: about the time the write lock was held. */
  ms: number;
}

/**
 * How long the worker's truncation waits for the main connection's write transaction (its own
 * thread waits, not the event loop); after that it reports busy and is tried again.
 */
export const WORKER_TRUNCATE_WAIT_MS = 200;

// CommonJS, evaluated in the worker: no file to bundle or ship beside the server's bundle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
// PASSIVE never waits on a lock; TRUNCATE waits here, on this thread, for the main connection's
// transaction to end.
db.pragma('busy_timeout = ' + workerData.truncateWaitMs);
parentPort.on('message', ({ id, op }) => {
  const t0 = performance.now();
  let busy = true;
  try {
    const [result] = db.pragma(op === 'truncate' ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)');
    busy = !!(result && result.busy);
  } catch {
    // SQLITE_BUSY or LOCKED: another connection checkpoints or writes; try again next time.
  }
  parentPort.postMessage({ id, busy, ms: performance.now() - t0 });
});
parentPort.once('close', () => db.close());
`;

export function startWalCopier(file: string): WalCopier {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, module, truncateWaitMs: WORKER_TRUNCATE_WAIT_MS },
  });
  // A copy in flight never keeps a finished process alive.
  worker.unref();
  const waiting = new Map<number, (answer: WorkerTruncation | null) => void>();
  let next = 0;
  let failed = false;
  // A worker that cannot run (no thread, a module it cannot load) leaves the work to the main
  // connection: a copy resolves as done (the truncation copies the rest), a truncation as null.
  const fail = () => {
    failed = true;
    for (const done of waiting.values()) done(null);
    waiting.clear();
  };
  worker.on('message', ({ id, busy, ms }: { id: number } & WorkerTruncation) => {
    waiting.get(id)?.({ busy, ms });
    waiting.delete(id);
  });
  worker.on('error', fail);
  worker.on('exit', fail);
  const ask = (op: 'copy' | 'truncate') =>
    new Promise<WorkerTruncation | null>((resolve) => {
      if (failed) return resolve(null);
      const id = (next += 1);
      waiting.set(id, resolve);
      worker.postMessage({ id, op });
    });
  return {
    copy: () => ask('copy').then(() => undefined),
    truncate: () => ask('truncate'),
    get busy() {
      return waiting.size > 0;
    },
    async close() {
      fail();
      await worker.terminate();
    },
  };
}

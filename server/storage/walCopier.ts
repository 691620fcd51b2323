import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The WAL's checkpoints on a worker thread with its own connection (DISK-3), so that the event
 * loop, which runs every meeting of the process, never copies pages, syncs or cuts the file.
 *
 * - `copy()`: `wal_checkpoint(PASSIVE)` copies the WAL's frames into the database file beside the
 *   main thread's writers, without blocking them. Asked for often (walScrub.ts, COPY_EVERY_MS), it
 *   keeps the WAL short: once every frame is in the database file, the next write starts the WAL
 *   again from its beginning instead of making it longer.
 * - `truncate()`: a copy, then `wal_checkpoint(TRUNCATE)`, which cuts the file to 0 bytes. That one
 *   holds the write lock while it copies what the copy left, syncs and cuts (about 1 ms per MiB
 *   cut here, ext4 with `discard`: why the WAL is kept short). A write on the main connection that
 *   meets it waits at most its busy timeout (3 ms, DISK-2), else fails and is retried.
 *
 * The worker never waits on a lock itself (busy timeout 0): a truncation that finds a writer or a
 * reader answers busy and the scrubber tries again.
 */
export interface WalCopier {
  /** Resolves once the worker has copied what it could. */
  copy(): Promise<void>;
  /**
   * Copies, then truncates. `busy`: a lock stopped the truncation (try again). `holdMs`: how long
   * the truncation took on the worker (the write lock is held for about that long). `failed`: the
   * worker cannot run; the caller truncates on its own connection.
   */
  truncate(): Promise<{ busy: boolean; holdMs: number; failed: boolean }>;
  /** Whether a copy or truncation is in flight: the main connection must not checkpoint meanwhile. */
  readonly busy: boolean;
  close(): Promise<void>;
}

// CommonJS, evaluated in the worker: no file to bundle or ship beside the server's bundle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
// Never wait on a lock: the main thread's writes come first; a busy truncation is tried again.
db.pragma('busy_timeout = 0');
function checkpoint(mode) {
  try {
    const [row] = db.pragma('wal_checkpoint(' + mode + ')');
    return !!(row && row.busy);
  } catch {
    // SQLITE_BUSY or LOCKED: another connection checkpoints or writes.
    return true;
  }
}
parentPort.on('message', ({ id, truncate }) => {
  checkpoint('PASSIVE');
  if (!truncate) return parentPort.postMessage({ id, busy: false, holdMs: 0 });
  const t0 = performance.now();
  const busy = checkpoint('TRUNCATE');
  parentPort.postMessage({ id, busy, holdMs: performance.now() - t0 });
});
parentPort.once('close', () => db.close());
`;

interface Answer {
  busy: boolean;
  holdMs: number;
  failed: boolean;
}

const FAILED: Answer = { busy: true, holdMs: 0, failed: true };

export function startWalCopier(file: string): WalCopier {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, module } });
  // A copy in flight never keeps a finished process alive.
  worker.unref();
  const waiting = new Map<number, (answer: Answer) => void>();
  let next = 0;
  let failed = false;
  const settleAll = () => {
    for (const done of waiting.values()) done(FAILED);
    waiting.clear();
  };
  worker.on('message', (m: { id: number; busy: boolean; holdMs: number }) => {
    waiting.get(m.id)?.({ busy: m.busy, holdMs: m.holdMs, failed: false });
    waiting.delete(m.id);
  });
  // A worker that cannot run (no thread, a module it cannot load) leaves it to the main connection.
  const fail = () => {
    failed = true;
    settleAll();
  };
  worker.on('error', fail);
  worker.on('exit', fail);
  const ask = (truncate: boolean) => {
    if (failed) return Promise.resolve(FAILED);
    const id = (next += 1);
    return new Promise<Answer>((resolve) => {
      waiting.set(id, resolve);
      worker.postMessage({ id, truncate });
    });
  };
  return {
    async copy() {
      await ask(false);
    },
    truncate: () => ask(true),
    get busy() {
      return waiting.size > 0;
    },
    async close() {
      fail();
      await worker.terminate();
    },
  };
}

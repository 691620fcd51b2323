/**
 * The real server as a child process, built as production runs it (`node dist/server/main.js`;
 * the vitest global set-up builds it when it is missing or stale), for what only a process can show: SIGKILL mid-phase, restart on the same data folder, SIGTERM draining.
 * Every process is killed and every data folder removed when the test finishes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { SERVER_ENTRY } from '../../scripts/build-state.mjs';
import { postgresDatabaseFor, TEST_DATABASE } from './test-storage';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Only a guard against hangs on a loaded machine: the built server starts in well under 1 s. */
const START_TIMEOUT_MS = 20_000;

/**
 * Preloaded into the child when a test simulates downtime without waiting for it: the server's
 * wall clock (Date.now, which its systemClock reads) runs `shiftMs` ahead of the real one.
 * A data: URL, so there is no helper file that only a child process imports.
 */
function clockShiftPreload(): string {
  const source =
    'const s = Number(process.env.BALINT_TEST_CLOCK_SHIFT_MS || 0);' +
    'if (s) { const realNow = Date.now; Date.now = () => realNow() + s; }';
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<Exit>;
  /** Sends the signal and resolves when the process has exited. */
  stop(signal: NodeJS.Signals): Promise<Exit>;
}

export interface SpawnOptions {
  dataDir: string;
  /** 0 lets the system choose; a restart passes the port of the first run. */
  port?: number;
  /** Simulated time that passed while the server was down (see clockShiftPreload). */
  clockShiftMs?: number;
  env?: Record<string, string>;
  /**
   * 'test' (the default): killed when the current test finishes. 'caller': the caller stops it
   * (a cluster that lives for a whole file, started in `beforeAll`, where no test is current).
   */
  owner?: 'test' | 'caller';
}

/** A data folder that is removed when the test finishes. */
export function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'balint-proc-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A server expected to refuse to start: resolves with its exit and everything it printed. */
export async function spawnRefused(opts: SpawnOptions): Promise<Exit & { output: string }> {
  const child = startChild(opts, await databaseEnv(opts.dataDir));
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exit = await new Promise<Exit>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`server did not exit:\n${output}`)), START_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal });
    });
  });
  return { ...exit, output };
}

/**
 * On the PostgreSQL project the child stores its meetings there (DATABASE_URL), in a database
 * named after its data folder: a restart on the same folder finds the same meetings.
 */
async function databaseEnv(dataDir: string): Promise<Record<string, string>> {
  if (TEST_DATABASE !== 'postgres') return {};
  // Named after the file a SQLite server would use there, so queryMeetingsDb finds it by that file.
  return { DATABASE_URL: await postgresDatabaseFor(path.join(dataDir, 'balint-room.sqlite')) };
}

function startChild(opts: SpawnOptions, database: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', clockShiftPreload(), SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(opts.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: opts.dataDir,
      LOG_LEVEL: 'info',
      // Empty means unset for the config loader: no inherited key or origin changes the test.
      CREATE_KEY: '',
      PUBLIC_ORIGIN: '',
      TRUST_PROXY: '',
      INACTIVITY_HOURS: '',
      BALINT_TEST_CLOCK_SHIFT_MS: String(opts.clockShiftMs ?? 0),
      DATABASE_URL: '',
      ...database,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  const child = startChild(opts, await databaseEnv(opts.dataDir));
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  if (opts.owner !== 'caller')
    onTestFinished(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    });

  const url = await new Promise<string>((resolve, reject) => {
    const guard = setTimeout(() => fail('did not start in time'), START_TIMEOUT_MS);
    const onData = () => {
      const match = /running: open (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        done();
        resolve(match[1]);
      }
    };
    const onExit = () => fail('exited during start-up');
    function done() {
      clearTimeout(guard);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    }
    function fail(why: string) {
      done();
      reject(new Error(`server ${why}:\n${output}`));
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });

  return {
    child,
    url,
    port: Number(new URL(url).port),
    output: () => output,
    exited,
    stop(signal) {
      child.kill(signal);
      return exited;
    },
  };
}

export interface FailedStart {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the server with a configuration it should refuse, and resolves when it has exited; a
 * server that starts anyway is killed and reported with exit code null. `uid`/`gid` run it as
 * another user (a folder read-only to root is not read-only at all).
 */
export async function runRefusedStart(
  env: Record<string, string>,
  user?: { uid: number; gid: number },
): Promise<FailedStart> {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      // The default level: logs go to stdout, so stderr holds the refusal alone.
      LOG_LEVEL: 'info',
      CREATE_KEY: '',
      PUBLIC_ORIGIN: '',
      TRUST_PROXY: '',
      INACTIVITY_HOURS: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...user,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (/running: open /.test(stdout)) child.kill('SIGKILL');
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const guard = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  const exit = await new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  clearTimeout(guard);
  return { ...exit, stdout, stderr };
}

/**
 * Real PostgreSQL, Redis and HAProxy for the tests (Debian's packages; scripts/check-tools.mjs
 * refuses to run the tests without them). Each runs as a child process of the test file, in the
 * foreground, on a free loopback port, with its files in a temporary folder that the test can
 * scan (canaries, CONF rules). Readiness is polled, never waited for by time.
 *
 * Importing this module registers one `afterAll` in the test file: every process started through
 * it is stopped and its folder removed when the file ends, whether its tests passed or not; and
 * if the test process itself exits first, the processes are killed on its way out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll } from 'vitest';
import { pollUntilAsync } from './poll';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PG_BIN = '/usr/lib/postgresql/15/bin';
/** The load balancer's configuration as the README gives it to admins. */
export const HAPROXY_CONFIG = path.join(REPO_ROOT, 'docs', 'haproxy.cfg');
/** Debian installs HAProxy in /usr/sbin, which a non-root PATH may lack. */
function program(name: string, dirs: readonly string[]): string {
  return dirs.map((dir) => path.join(dir, name)).find((file) => existsSync(file)) ?? name;
}
const REDIS_SERVER = program('redis-server', ['/usr/bin', '/usr/local/bin']);
const HAPROXY = program('haproxy', ['/usr/sbin', '/usr/local/sbin']);
/** Only a guard against hangs on a loaded machine: each of them is ready in about a second. */
const READY_TIMEOUT_MS = 30_000;
/** What a process printed is kept for error messages, up to this much of its end. */
const OUTPUT_KEPT_CHARS = 64_000;

interface Child {
  readonly name: string;
  output(): string;
  running(): boolean;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal (if the process still runs) and resolves when it has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

const children = new Set<ChildProcess>();
const folders = new Set<string>();
const stoppers: (() => Promise<void>)[] = [];

/** Stops every process started through this module and removes its folders. */
export async function stopServices(): Promise<void> {
  for (const stop of stoppers.splice(0).reverse()) await stop();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  folders.clear();
}

// In a test file the file's end stops them; vitest's global set-up (no test file: registering a
// hook there throws) calls stopServices in its teardown instead.
if (process.env.VITEST_WORKER_ID !== undefined) afterAll(stopServices);
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function tempFolder(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  folders.add(dir);
  return dir;
}

/** A loopback port that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function startChild(
  name: string,
  file: string,
  args: readonly string[],
  opts: { cwd: string; user?: { uid: number; gid: number }; env?: Record<string, string> },
): Child {
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...opts.user,
  });
  children.add(child);
  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-OUTPUT_KEPT_CHARS);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
    // A program that cannot be started (missing) may never emit 'exit'.
    child.once('error', (error) => {
      keep(`\n${name} could not start: ${error.message}\n`);
      children.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null && children.has(child);
  return {
    name,
    output: () => output,
    running,
    exited,
    async stop(signal) {
      if (running()) child.kill(signal);
      await exited;
    },
  };
}

/** Polls `ready` until it says yes; fails at once, with what the process printed, if it died. */
async function waitReady(child: Child, ready: () => Promise<boolean>): Promise<void> {
  let died = false;
  await pollUntilAsync(
    async () => {
      if (!child.running()) return (died = true);
      return ready();
    },
    READY_TIMEOUT_MS,
    `${child.name} ready:\n${child.output()}`,
  );
  if (died) throw new Error(`${child.name} exited before it was ready:\n${child.output()}`);
}

/** A server that a test may stop and start again with the same arguments (same port, same files). */
function restartable(
  name: string,
  file: string,
  args: readonly string[],
  opts: { cwd: string; user?: { uid: number; gid: number } },
  ready: () => Promise<boolean>,
) {
  let child: Child | null = null;
  return {
    async start() {
      if (child?.running()) throw new Error(`${name} is already running`);
      child = startChild(name, file, args, opts);
      await waitReady(child, ready);
    },
    stop: async (signal: NodeJS.Signals) => child?.stop(signal),
    running: () => child?.running() ?? false,
    output: () => child?.output() ?? '',
  };
}

/** Runs a set-up command (initdb) to its end; throws with what it printed unless it exits 0. */
async function runToEnd(
  name: string,
  file: string,
  args: readonly string[],
  user?: { uid: number; gid: number },
) {
  const child = startChild(name, file, args, { cwd: tmpdir(), user });
  const exit = await child.exited;
  if (exit.code !== 0) throw new Error(`${name} failed (${exit.code ?? exit.signal}):\n${child.output()}`);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** Runs one query on the database of `url` over a connection of its own, as an admin's shell would. */
export async function queryPostgres<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface PostgresServer {
  /** `postgres://app@127.0.0.1:PORT/postgres`: trust authentication on loopback only. */
  readonly url: string;
  readonly port: number;
  /** The data directory (owned by `postgres`), with pg_wal inside: what a canary scan reads. */
  readonly dataDir: string;
  /**
   * A new, empty database on this server; its URL. The server's own databases sort text byte by
   * byte (initdb --locale=C); `icuLocale` (e.g. 'en-US') gives this one a language's order, as
   * a production database often has.
   */
  createDatabase(name: string, opts?: { icuLocale?: string }): Promise<string>;
  /**
   * Stops the server as `pg_ctl stop -m MODE` does (the postmaster's own signals: SIGINT for
   * fast, SIGQUIT for immediate, which leaves crash recovery to the next start).
   */
  stop(opts?: { mode?: 'fast' | 'immediate' }): Promise<void>;
  /** Starts it again on the same data directory and port. */
  start(): Promise<void>;
  running(): boolean;
  /** What the server printed (its log goes to stderr), for error messages. */
  output(): string;
}

/** PostgreSQL refuses to run as root: as root, its processes run as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no postgres user (apt-get install postgresql)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  const user = postgresUser();
  const root = tempFolder('balint-pg-');
  const dataDir = path.join(root, 'data');
  if (user) chownSync(root, user.uid, user.gid);
  // initdb's own --no-sync only spares the fsyncs of the template files it writes; the server
  // below runs with fsync and synchronous_commit on, as production does.
  await runToEnd(
    'initdb',
    path.join(PG_BIN, 'initdb'),
    ['-D', dataDir, '-A', 'trust', '-U', 'app', '-E', 'UTF8', '--locale=C', '--no-sync'],
    user,
  );
  const port = await freePort();
  const url = `postgres://app@127.0.0.1:${port}/postgres`;
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    // No Unix socket: loopback TCP only, and no socket file in a folder the scans read.
    '-c',
    'unix_socket_directories=',
    '-c',
    'fsync=on',
    '-c',
    'synchronous_commit=on',
    '-c',
    'full_page_writes=on',
  ];
  const server = restartable('PostgreSQL', path.join(PG_BIN, 'postgres'), args, { cwd: root, user }, () =>
    canQuery(url),
  );
  const stop = (opts: { mode?: 'fast' | 'immediate' } = {}) =>
    server.stop(opts.mode === 'immediate' ? 'SIGQUIT' : 'SIGINT');
  stoppers.push(() => stop());
  await server.start();
  return {
    url,
    port,
    dataDir,
    async createDatabase(name, opts = {}) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const icu = opts.icuLocale;
      if (icu !== undefined && !/^[A-Za-z-]+$/.test(icu)) throw new Error(`not a plain ICU locale: ${icu}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const locale = icu ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${icu}' LOCALE 'C'` : '';
        await client.query(`CREATE DATABASE ${name}${locale}`);
      } finally {
        await client.end();
      }
      return url.replace(/\/postgres$/, `/${name}`);
    },
    stop,
    start: server.start,
    running: server.running,
    output: server.output,
  };
}

// ---------------------------------------------------------------------------------------------
// Redis

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Its working folder: the RDB snapshot (dump.rdb) and the AOF files (appendonlydir/). */
  readonly dir: string;
  /**
   * `shutdown` (SIGTERM: Redis writes its snapshot and syncs its AOF, then exits) or `kill`
   * (SIGKILL: only what the AOF already holds survives; every write is fsynced before it is
   * answered, so that is every acknowledged write).
   */
  stop(opts?: { mode?: 'shutdown' | 'kill' }): Promise<void>;
  /** Starts it again on the same folder and port; it reloads its AOF. */
  start(): Promise<void>;
  running(): boolean;
  output(): string;
}

/** One PING over a raw connection: PONG once Redis serves (it answers LOADING while it loads). */
function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = tempFolder('balint-redis-');
  const port = await freePort();
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--logfile',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    // RDB snapshots on, and often, so that a scan finds snapshot files as well as the AOF.
    '--save',
    '1 1',
  ];
  const server = restartable('Redis', REDIS_SERVER, args, { cwd: dir }, () => pingRedis(port));
  const stop = (opts: { mode?: 'shutdown' | 'kill' } = {}) =>
    server.stop(opts.mode === 'kill' ? 'SIGKILL' : 'SIGTERM');
  stoppers.push(() => stop({ mode: 'kill' }));
  await server.start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    start: server.start,
    running: server.running,
    output: server.output,
  };
}

// ---------------------------------------------------------------------------------------------
// HAProxy

export interface HaproxyBackend {
  /** The server's name in HAProxy and the value of its sticky cookie. */
  name: string;
  port: number;
}

export interface HaproxyServer {
  /** `http://127.0.0.1:PORT`, the balancer's front. */
  readonly url: string;
  readonly port: number;
  /** The configuration it runs: docs/haproxy.cfg with these backends. */
  readonly configFile: string;
  stop(): Promise<void>;
  output(): string;
}

const BACKENDS_BLOCK = /^[ \t]*# BACKENDS BEGIN\n[\s\S]*?^[ \t]*# BACKENDS END\n/m;

/** docs/haproxy.cfg with its server lines replaced by these backends, as an admin fills them. */
export function haproxyConfig(backends: readonly HaproxyBackend[]): string {
  const source = readFileSync(HAPROXY_CONFIG, 'utf8');
  if (!BACKENDS_BLOCK.test(source)) throw new Error(`${HAPROXY_CONFIG} has no BACKENDS markers`);
  const lines = backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} cookie ${b.name}\n`);
  return source.replace(BACKENDS_BLOCK, `  # BACKENDS BEGIN\n${lines.join('')}  # BACKENDS END\n`);
}

/** Resolves true when an HTTP request through the balancer gets an answer from a backend. */
async function answersThrough(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** HAProxy in the foreground (`haproxy -f FILE`); ready once a request reaches a backend. */
export async function startHaproxy(backends: readonly HaproxyBackend[]): Promise<HaproxyServer> {
  const dir = tempFolder('balint-haproxy-');
  const configFile = path.join(dir, 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig(backends));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startChild('HAProxy', HAPROXY, ['-f', configFile], {
    cwd: dir,
    env: { BALINT_HAPROXY_BIND: `127.0.0.1:${port}` },
  });
  const stop = () => child.stop('SIGTERM');
  stoppers.push(stop);
  await waitReady(child, () => answersThrough(url));
  return { url, port, configFile, stop, output: () => child.output() };
}

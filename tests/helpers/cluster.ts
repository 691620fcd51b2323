/**
 * A whole deployment of several processes for the fault tests (issue 14): one real PostgreSQL,
 * one real Redis, N built server processes on them and HAProxy with docs/haproxy.cfg in front.
 * Clients connect through HAProxy only, each with a cookie jar of its own (one browser), so that
 * HAProxy's BALINT_SERVER cookie keeps it on one process and tells which one.
 *
 * The cluster lives for a whole test file: start it in `beforeAll`, close it in `afterAll`
 * (PostgreSQL, Redis and HAProxy are also stopped by services.ts at the file's end). The server
 * processes share one data folder, for the key file (with DATABASE_URL it is not locked, DISK-14).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io, NodeWebSocket, NodeXHR } from 'socket.io-client';
import type WebSocket from 'ws';
import { LIMIT_SCALE_ENV } from '../../server/limits/testScale';
import { BOARD_PATH, PROTOCOL_VERSION } from '../../shared/protocol';
import { BoardClient } from './board-fixture';
import { pollUntilAsync } from './poll';
import { Api, firstSnapshot, TestClient, type ClientSocket, type CookieKeeper } from './server-fixture';
import { spawnServer, type ServerProcess } from './server-process';
import {
  freePort,
  startHaproxy,
  startPostgres,
  startRedis,
  type HaproxyServer,
  type PostgresServer,
  type RedisServer,
} from './services';

/** HAProxy's sticky cookie (docs/haproxy.cfg): its value is the name of the client's process. */
export const STICKY_COOKIE = 'BALINT_SERVER';

/** One browser's cookies, as the engine.io client and the board's WebSocket send and keep them. */
export class CookieJar implements CookieKeeper {
  private readonly cookies = new Map<string, string>();

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  take(setCookie: readonly string[]): void {
    for (const line of setCookie) {
      const pair = line.split(';', 1)[0] ?? '';
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }

  /** The process HAProxy last pinned this browser to (the cookie's value), or null. */
  server(): string | null {
    return this.cookies.get(STICKY_COOKIE) ?? null;
  }

  /** Sends this browser to one process, as if HAProxy had pinned it there before. */
  pin(server: string): void {
    this.cookies.set(STICKY_COOKIE, server);
  }

  // engine.io-client's own cookie-jar interface (long-polling over xmlhttprequest-ssl).
  addCookies(xhr: {
    setDisableHeaderCheck(on: boolean): void;
    setRequestHeader(k: string, v: string): void;
  }) {
    const cookie = this.header();
    if (cookie === undefined) return;
    xhr.setDisableHeaderCheck(true);
    xhr.setRequestHeader('cookie', cookie);
  }

  parseCookies(values: string | string[] | null | undefined): void {
    if (values) this.take(Array.isArray(values) ? values : [values]);
  }
}

/**
 * A browser's REST calls: its cookies, and its own client address in X-Forwarded-For (as a proxy
 * in front of HAProxy would name it), so that the per-address budgets of REST (shared in Redis,
 * and not scaled by the test hook) count per browser, not for the whole test file.
 */
class BrowserApi extends Api {
  constructor(
    url: string,
    jar: CookieJar,
    private readonly address: string,
  ) {
    super(url, jar);
  }

  override request<T = unknown>(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    return super.request<T>(method, route, body, { 'x-forwarded-for': this.address, ...headers });
  }
}

interface JarOptions {
  cookieJar?: CookieJar;
}

/**
 * engine.io's Node WebSocket transport with the client's jar: each (re)connection sends the
 * cookies as they are, and the upgrade's answer may set a new sticky cookie (HAProxy sets one
 * when the old process is gone and it sent the client to another).
 */
class JarWebSocket extends NodeWebSocket {
  override createSocket(
    uri: string,
    protocols: string | string[] | undefined,
    opts: Record<string, unknown>,
  ) {
    const jar = (this.opts as JarOptions).cookieJar;
    const cookie = jar?.header();
    const headers = {
      ...(opts.headers as Record<string, string> | undefined),
      ...(cookie ? { cookie } : {}),
    };
    const ws = super.createSocket(uri, protocols, { ...opts, headers }) as WebSocket;
    ws.on('upgrade', (res) => {
      const set = res.headers['set-cookie'];
      if (set) jar?.take(set);
    });
    return ws;
  }
}

/** The refusals after which the product client stops (client/src/connection/MeetingConnection.ts). */
const FINAL_REFUSALS = new Set(['protocol-mismatch', 'unauthenticated']);
/** Its wait before another handshake when the server gave none. */
const HANDSHAKE_RETRY_MS = 250;

/**
 * As the product client does: a handshake the server's middleware refused (`unavailable` while
 * PostgreSQL is away) stops Socket.IO's own reconnection, so it is tried again after the wait the
 * server named, unless the refusal is final.
 */
function retryRefusedHandshakes(socket: ClientSocket): void {
  let timer: NodeJS.Timeout | null = null;
  socket.on('connect_error', (error: Error & { data?: { code?: string; retryAfterMs?: number } }) => {
    if (FINAL_REFUSALS.has(error.data?.code ?? '') || socket.active) return;
    timer = setTimeout(() => socket.connect(), error.data?.retryAfterMs ?? HANDSHAKE_RETRY_MS);
  });
  // A client the test closes stays closed.
  const disconnect = socket.disconnect.bind(socket);
  socket.disconnect = () => {
    if (timer) clearTimeout(timer);
    socket.off('connect_error');
    return disconnect();
  };
}

export type Transport = 'websocket' | 'polling';

export interface ClusterNode {
  /** Its name in HAProxy, and the value of the sticky cookie that sends clients to it. */
  readonly name: string;
  readonly port: number;
  /** The running process, or null while it is down. */
  process: ServerProcess | null;
  /** What its earlier runs printed (a killed run's last lines are often the interesting ones). */
  earlier: string;
}

export interface ClusterClient {
  readonly client: TestClient;
  readonly jar: CookieJar;
  readonly api: Api;
  /** The process this client is on now, by its sticky cookie. */
  server(): string | null;
}

export interface Cluster {
  readonly postgres: PostgresServer;
  readonly redis: RedisServer;
  readonly haproxy: HaproxyServer;
  /** HAProxy's front: every client request goes here. */
  readonly url: string;
  readonly wsUrl: string;
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly nodes: readonly ClusterNode[];
  node(name: string): ClusterNode;
  /** SIGKILLs a server process; resolves when it has exited. */
  kill(name: string): Promise<void>;
  /** Starts a stopped process again on its port (HAProxy's health check takes it back). */
  start(name: string): Promise<void>;
  /** Waits until HAProxy sends requests to every running process again (its health checks). */
  balanced(): Promise<void>;
  /**
   * Restarts Redis on its folder and port (`kill`: SIGKILL; `shutdown`: SIGTERM); `whileDown`
   * runs once it is down, before it starts again.
   */
  restartRedis(mode: 'shutdown' | 'kill', whileDown?: () => Promise<void>): Promise<void>;
  /**
   * Stops PostgreSQL as `pg_ctl stop -m MODE` does, keeps it down for `downMs`, then starts it
   * again on the same data directory and port. `whileDown` runs once it is down.
   */
  stopPostgres(mode: 'fast' | 'immediate', downMs: number, whileDown?: () => Promise<void>): Promise<void>;
  /**
   * A new browser: its own jar, its REST calls and connections through HAProxy; `pinTo` starts
   * it with the sticky cookie of that process (HAProxy still moves it when the process is down).
   */
  browser(pinTo?: string | null): { jar: CookieJar; api: Api };
  /** A Socket.IO client through HAProxy with the browser's jar; resolves at its first snapshot. */
  connect(
    browser: { jar: CookieJar; api: Api },
    token: string,
    label: string,
    opts?: { transport?: Transport; reconnection?: boolean },
  ): Promise<ClusterClient>;
  /** A stock y-websocket provider through HAProxy with the browser's jar. */
  openBoard(browser: { jar: CookieJar }, token: string, room: string, label: string): BoardClient;
  /** Everything every process printed, for error messages. */
  logs(): string;
  close(): Promise<void>;
}

export interface ClusterOptions {
  processes: number;
  /** More environment for every server process. */
  env?: Record<string, string>;
}

/** Polling at most this long for a process's state after a fault (guards, not sleeps). */
const SETTLE_MS = 20_000;

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const databaseUrl = await postgres.createDatabase('balint_cluster');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'balint-cluster-'));
  const nodes: ClusterNode[] = [];
  for (let i = 1; i <= opts.processes; i++)
    nodes.push({ name: `app${i}`, port: await freePort(), process: null, earlier: '' });
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    // Two proxies: the browser's own X-Forwarded-For (BrowserApi) and HAProxy's. The event and
    // connection budgets are scaled out of the way (the tests are about faults).
    TRUST_PROXY: '2',
    [LIMIT_SCALE_ENV]: '1000',
    ...opts.env,
  };
  const byName = (name: string) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no process ${name}`);
    return node;
  };
  const start = async (name: string) => {
    const node = byName(name);
    if (node.process) throw new Error(`${name} is running`);
    node.process = await spawnServer({ dataDir, port: node.port, env, owner: 'caller' });
  };
  // The first process migrates alone; the others then start together.
  const [first, ...rest] = nodes;
  if (!first) throw new Error('a cluster needs a process');
  await start(first.name);
  await Promise.all(rest.map((n) => start(n.name)));
  const haproxy = await startHaproxy(nodes.map((n) => ({ name: n.name, port: n.port })));
  const url = haproxy.url;
  const wsUrl = `${url.replace(/^http/, 'ws')}${BOARD_PATH}`;
  const opened: { close(): void }[] = [];
  let browsers = 0;

  const kill = async (name: string) => {
    const node = byName(name);
    if (!node.process) return;
    await node.process.stop('SIGKILL');
    node.earlier += `${node.process.output()}\n(killed)\n`;
    node.process = null;
  };

  /** The process a fresh browser's request reaches, by the cookie HAProxy sets. */
  const landing = async (): Promise<string | null> => {
    const jar = new CookieJar();
    try {
      await new Api(url, jar).request('GET', '/healthz');
    } catch {
      return null;
    }
    return jar.server();
  };

  const cluster: Cluster = {
    postgres,
    redis,
    haproxy,
    url,
    wsUrl,
    databaseUrl,
    dataDir,
    nodes,
    node: byName,
    kill,
    start,
    async balanced() {
      const running = new Set(nodes.filter((n) => n.process).map((n) => n.name));
      const seen = new Set<string>();
      // Round robin: a few fresh requests reach every process HAProxy counts as up.
      await pollUntilAsync(
        async () => {
          const got = await landing();
          if (got) seen.add(got);
          return [...running].every((n) => seen.has(n));
        },
        SETTLE_MS,
        `HAProxy sends requests to ${[...running].join(', ')} (seen: ${[...seen].join(', ')})`,
      );
    },
    async restartRedis(mode, whileDown) {
      await redis.stop({ mode });
      await whileDown?.();
      await redis.start();
    },
    async stopPostgres(mode, downMs, whileDown) {
      await postgres.stop({ mode });
      const upAgainAt = performance.now() + downMs;
      await whileDown?.();
      const left = upAgainAt - performance.now();
      // The outage itself is what is under test: its length is the one wait by time here.
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
      await postgres.start();
    },
    browser(pinTo) {
      const jar = new CookieJar();
      if (pinTo) jar.pin(pinTo);
      browsers += 1;
      const address = `10.${(browsers >> 16) & 255}.${(browsers >> 8) & 255}.${browsers & 255}`;
      return { jar, api: new BrowserApi(url, jar, address) };
    },
    async connect(browser, token, label, connectOpts = {}) {
      const transport = connectOpts.transport ?? 'websocket';
      const socket: ClientSocket = io(url, {
        auth: { token, protocolVersion: PROTOCOL_VERSION },
        transports: transport === 'polling' ? [NodeXHR] : [JarWebSocket],
        forceNew: true,
        reconnection: connectOpts.reconnection ?? true,
        reconnectionDelay: 100,
        reconnectionDelayMax: 500,
        // Read by the transports: engine.io passes unknown options on to them, and NodeXHR's
        // requests take `cookieJar` from them over the engine's own.
        ...({ cookieJar: browser.jar } as object),
      });
      const client = new TestClient(socket, token, label);
      opened.push(client);
      await firstSnapshot(client);
      if (connectOpts.reconnection ?? true) retryRefusedHandshakes(socket);
      return { client, jar: browser.jar, api: browser.api, server: () => browser.jar.server() };
    },
    openBoard(browser, token, room, label) {
      const board = new BoardClient(wsUrl, room, token, label, { cookies: browser.jar });
      opened.push({ close: () => board.destroy() });
      return board;
    },
    logs() {
      return nodes.map((n) => `--- ${n.name}\n${n.earlier}${n.process?.output() ?? '(down)'}`).join('\n');
    },
    async close() {
      for (const o of opened.splice(0)) o.close();
      for (const n of nodes) await kill(n.name);
      await haproxy.stop();
      await redis.stop({ mode: 'kill' });
      await postgres.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return cluster;
}

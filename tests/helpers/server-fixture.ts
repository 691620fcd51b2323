/**
 * Integration fixture: the real server (createApp, real SQLite, real Socket.IO on port 0) driven
 * by real `socket.io-client` clients. Everything a fixture opens is closed when the test finishes
 * (onTestFinished), so tests never leak servers, sockets or temporary files. No sleeps: tests await
 * acks and 'meeting:state' snapshots; the guards below only turn a hang into a clear failure.
 */
import { scaledLimits as scaledLimitsFor } from '../../server/limits/testScale';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { onTestFinished } from 'vitest';
import { Limits } from '../../server/limits/seatLimits';
import type { TrustProxy } from '../../server/security/clientAddress';
import { createApp, type App } from '../../server/app';
import { ManualClock, type Clock } from '../../server/core/clock';
import { silentLogger, type Logger } from '../../server/core/logger';
import { seededRandom } from '../../server/core/random';
import { openPostgresGroupStore, openSqliteGroupStore } from '../../server/groups/open';
import { GROUP_FILE_NAME, type GroupStore } from '../../server/groups/store';
import type { AsyncStorage } from '../../server/storage/async/types';
import { openTestStorage, postgresDatabaseFor, TEST_DATABASE } from './test-storage';
import type { Result } from '../../shared/errors';
import type { MeetingCommand } from '../../shared/meeting/commands';
import type { MeetingView } from '../../shared/meeting/view';
import {
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type HandshakeAuth,
  type ServerToClientEvents,
} from '../../shared/protocol';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** The same socket without the typed event maps, for sending what a well-behaved client never would. */
export type UntypedSocket = Socket;

/** How long a test waits for an event before failing with a message (a guard, not a sleep). */
export const EVENT_TIMEOUT_MS = 5_000;
export const MIN = 60_000;
const HOUR = 60 * MIN;

/** Resolves with the first 'meeting:state' that matches, among those arriving after the call. */
export function nextState(
  socket: ClientSocket,
  predicate: (view: MeetingView) => boolean = () => true,
  what = 'a matching meeting:state',
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<MeetingView> {
  return new Promise((resolve, reject) => {
    const onState = (view: MeetingView) => {
      if (!predicate(view)) return;
      done();
      resolve(view);
    };
    const guard = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(guard);
      socket.off('meeting:state', onState);
    };
    socket.on('meeting:state', onState);
  });
}

/** Resolves on the next occurrence of an event (with its arguments), or rejects after the guard. */
export function nextEvent<T extends unknown[] = unknown[]>(
  target: ClientSocket | ClientSocket['io'],
  event: string,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<T> {
  // The typed maps know only application events; this helper also waits for reserved ones.
  const emitter = target as unknown as { once(event: string, fn: (...args: unknown[]) => void): unknown };
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`timed out waiting for '${event}'`)), timeoutMs);
    emitter.once(event, (...args: unknown[]) => {
      clearTimeout(guard);
      resolve(args as T);
    });
  });
}

export interface ConnectOptions {
  /** Reconnect by itself after a dropped connection (on for restart tests). */
  reconnection?: boolean;
  extraHeaders?: Record<string, string>;
}

function openSocket(url: string, auth: Record<string, unknown>, opts: ConnectOptions = {}): ClientSocket {
  return io(url, {
    auth,
    transports: ['websocket'],
    forceNew: true,
    reconnection: opts.reconnection ?? false,
    // Short, randomised backoff: restart tests wait for the real reconnection, only sooner.
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    extraHeaders: opts.extraHeaders,
  });
}

/** One person's connection: records every payload it receives, in order. */
export class TestClient {
  readonly states: MeetingView[] = [];
  /** Every event this socket received, with the JSON of its arguments (for "absent from" checks). */
  readonly received: { event: string; json: string }[] = [];

  constructor(
    readonly socket: ClientSocket,
    readonly token: string,
    readonly label: string,
  ) {
    socket.on('meeting:state', (view) => this.states.push(view));
    socket.onAny((event: string, ...args: unknown[]) =>
      this.received.push({ event, json: JSON.stringify(args) }),
    );
  }

  /** The latest snapshot. */
  get view(): MeetingView {
    const v = this.states.at(-1);
    if (!v) throw new Error(`${this.label} has no snapshot yet`);
    return v;
  }

  get seatId(): string {
    return this.view.you.seatId;
  }

  /** The next snapshot that matches (register before causing the change). */
  nextState(
    predicate: (view: MeetingView) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<MeetingView> {
    return nextState(this.socket, predicate, `a matching meeting:state for ${this.label}`, timeoutMs);
  }

  /** The latest snapshot if it matches, else the next one that does. */
  waitFor(predicate: (view: MeetingView) => boolean): Promise<MeetingView> {
    const latest = this.states.at(-1);
    if (latest && predicate(latest)) return Promise.resolve(latest);
    return this.nextState(predicate);
  }

  /** Sends a meeting command and resolves with its ack. */
  command(command: MeetingCommand, commandId: string = randomUUID()): Promise<Result> {
    return this.socket.timeout(EVENT_TIMEOUT_MS).emitWithAck('meeting:command', { commandId, command });
  }

  /** Sends anything at all on an event and resolves with the ack. */
  sendRaw(event: string, ...args: unknown[]): Promise<unknown> {
    return (this.socket as unknown as UntypedSocket).timeout(EVENT_TIMEOUT_MS).emitWithAck(event, ...args);
  }

  /**
   * A round trip on this connection. Anything the server sent this socket before it answered
   * has arrived when this resolves (one connection delivers in order).
   */
  async barrier(): Promise<number> {
    return this.socket.timeout(EVENT_TIMEOUT_MS).emitWithAck('time:ping');
  }

  /** All payloads this client received, as one JSON text. */
  allJson(): string {
    return this.received.map((r) => r.json).join('\n');
  }

  close(): void {
    this.socket.disconnect();
  }
}

export interface CreatedMeeting {
  meetingId: string;
  joinCode: string;
  leaderLink: string;
  joinLink: string;
  projectorLink: string;
  leaderToken: string;
  projectorKey: string;
}

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
}

/** What a browser keeps between requests: its cookies (a load balancer's sticky one). */
export interface CookieKeeper {
  /** The Cookie header to send, if any. */
  header(): string | undefined;
  /** Takes the Set-Cookie headers of an answer. */
  take(setCookie: readonly string[]): void;
}

/** Talks to the REST API of a server at `url` (with `cookies`, as one browser would). */
export class Api {
  constructor(
    readonly url: string,
    private readonly cookies?: CookieKeeper,
  ) {}

  async request<T = unknown>(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    const cookie = this.cookies?.header();
    const sent = cookie === undefined ? headers : { cookie, ...headers };
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers: body === undefined ? sent : { 'content-type': 'application/json', ...sent },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    this.cookies?.take(res.headers.getSetCookie());
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async createMeeting(body: Record<string, unknown> = {}, headers?: Record<string, string>) {
    const res = await this.request<Omit<CreatedMeeting, 'leaderToken' | 'projectorKey'>>(
      'POST',
      '/api/meetings',
      body,
      headers,
    );
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
    return {
      ...res.body,
      leaderToken: fragmentParam(res.body.leaderLink, 't'),
      projectorKey: fragmentParam(res.body.projectorLink, 'k'),
    } satisfies CreatedMeeting;
  }

  async join(code: string, name: string, as: 'participant' | 'observer' = 'participant') {
    const res = await this.request<{ meetingId: string; seatId: string; token: string }>(
      'POST',
      '/api/join',
      {
        code,
        name,
        as,
      },
    );
    if (res.status !== 201) throw new Error(`join answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async claimProjector(meetingId: string, key: string) {
    const res = await this.request<{ meetingId: string; seatId: string; token: string }>(
      'POST',
      `/api/meetings/${meetingId}/projector`,
      { key },
    );
    if (res.status !== 201) throw new Error(`projector answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

/** A secret from a link's fragment (`#t=...`), where links carry them so they never reach a log. */
export function fragmentParam(link: string, name: string): string {
  const value = new URLSearchParams(new URL(link).hash.slice(1)).get(name);
  if (!value) throw new Error(`no ${name} in the fragment of ${link}`);
  return value;
}

/** Connects with a token and resolves once the first snapshot has arrived. */
export async function connectClient(
  url: string,
  token: string,
  label: string,
  opts: ConnectOptions = {},
): Promise<TestClient> {
  const auth: HandshakeAuth = { token, protocolVersion: PROTOCOL_VERSION };
  const client = new TestClient(openSocket(url, { ...auth }, opts), token, label);
  await firstSnapshot(client);
  return client;
}

/**
 * Resolves at the client's first snapshot; a refused handshake (or none in time) disconnects it
 * and rejects with the refusal.
 */
export async function firstSnapshot(client: TestClient): Promise<void> {
  const { socket, label } = client;
  const first = new Promise<void>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`${label}: no first snapshot`)), EVENT_TIMEOUT_MS);
    socket.once('meeting:state', () => {
      clearTimeout(guard);
      resolve();
    });
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      clearTimeout(guard);
      reject(new Error(`${label}: connect_error ${JSON.stringify(error.data ?? error.message)}`));
    });
  });
  try {
    await first;
  } catch (error) {
    socket.disconnect();
    throw error;
  }
}

/** Tries a handshake that must fail; resolves with the `connect_error` data code (or message). */
export async function refusedHandshake(
  url: string,
  auth: Record<string, unknown>,
  opts: ConnectOptions & { query?: Record<string, string> } = {},
): Promise<string> {
  const socket = io(url, {
    auth,
    query: opts.query,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: opts.extraHeaders,
  });
  try {
    const [error] = await Promise.race([
      nextEvent<[Error & { data?: { code?: string } }]>(socket, 'connect_error'),
      nextEvent(socket, 'connect').then(() => {
        throw new Error('the handshake was accepted');
      }),
    ]);
    return error.data?.code ?? error.message;
  } finally {
    socket.disconnect();
  }
}

export interface ServerOptions {
  clock?: Clock;
  /** A SQLite file; by default a fresh file in a temporary folder removed after the test. */
  file?: string;
  createKey?: string | null;
  inactivityLimitMs?: number;
  trustProxy?: TrustProxy;
  /** Budgets a million times the real ones, for tests about something else that send a lot. */
  unlimited?: boolean;
  /** Limits of the test's own (a store of its choice); wins over `unlimited`. */
  limits?: Limits;
  publicOrigin?: string | null;
  logger?: Logger;
  metricsAllow?: readonly string[];
  phoneAddresses?: () => readonly string[];
  /** 127.0.0.1 by default; 0.0.0.0 stands for a server open to the room's network. */
  host?: string;
  /** GROUP_RETENTION_MONTHS and DEBRIEF_RETENTION_MONTHS as main.ts passes them (defaults otherwise). */
  groupRetentionMonths?: number;
  debriefRetentionMonths?: number;
  /**
   * Stores of the test's own (e.g. two servers on one PostgreSQL database, as two processes are),
   * used instead of the run's database and closed with the server.
   */
  stores?: { storage: AsyncStorage; groupStore: GroupStore };
}

export interface ServerFixture {
  app: App;
  url: string;
  port: number;
  api: Api;
  clock: Clock;
  /** The meetings' storage: SQLite, or PostgreSQL with BALINT_TEST_DATABASE=postgres. */
  storage: AsyncStorage;
  /** The SQLite file (on PostgreSQL: the name of the test's database, see test-storage.ts). */
  dbFile: string;
  /** The groups' own SQLite file, beside `dbFile`. */
  groupFile: string;
  /** Connects a client that is closed with the fixture. */
  connect(token: string, label: string, opts?: ConnectOptions): Promise<TestClient>;
  /**
   * Moves the manual clock, then waits until every job the due timers queued has ended (SCALE-5:
   * a tick, a release or a purge runs as one of its meeting's jobs, after the timer fired).
   */
  advance(ms: number): Promise<void>;
  /** Closes clients, then the server (drain), then removes the temporary files. Idempotent. */
  close(): Promise<void>;
}

/** Limits whose every budget is `factor` times the real one. */
export function scaledLimits(clock: Clock, factor: number): Limits {
  return scaledLimitsFor(() => clock.now(), silentLogger, factor);
}

/** Starts the real server on port 0. Closed automatically when the current test finishes. */
export async function startServer(opts: ServerOptions = {}): Promise<ServerFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'balint-it-'));
  const dbFile = opts.file ?? path.join(dir, 'test.sqlite');
  const clock = opts.clock ?? new ManualClock();
  const storage = opts.stores?.storage ?? (await openTestStorage(dbFile));
  const groupFile = path.join(path.dirname(dbFile), GROUP_FILE_NAME);
  // The groups beside the meetings: their file on SQLite, their tables in the same database on
  // PostgreSQL (SCALE-6).
  const groupStore =
    opts.stores?.groupStore ??
    (TEST_DATABASE === 'postgres'
      ? await openPostgresGroupStore({
          url: await postgresDatabaseFor(dbFile),
          poolSize: 2,
          keyFolder: path.dirname(dbFile),
        })
      : openSqliteGroupStore({ file: groupFile, synchronous: 'NORMAL' }));
  const app = createApp({
    storage,
    clock,
    random: seededRandom(1),
    logger: opts.logger ?? silentLogger,
    publicOrigin: opts.publicOrigin ?? null,
    createKey: opts.createKey ?? null,
    inactivityLimitMs: opts.inactivityLimitMs ?? 24 * HOUR,
    trustProxy: opts.trustProxy ?? { kind: 'none' },
    limits: opts.limits ?? (opts.unlimited ? scaledLimits(clock, 1_000_000) : undefined),
    clientDir: null,
    createBoard: null,
    metricsAllow: opts.metricsAllow,
    phoneAddresses: opts.phoneAddresses,
    groupStore,
    groupRetentionMonths: opts.groupRetentionMonths,
    debriefRetentionMonths: opts.debriefRetentionMonths,
  });
  const port = await app.listen(0, opts.host ?? '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const clients: TestClient[] = [];
  let closing: Promise<void> | null = null;
  const fixture: ServerFixture = {
    app,
    url,
    port,
    api: new Api(url),
    clock,
    storage,
    dbFile,
    groupFile,
    async advance(ms) {
      if (!(clock instanceof ManualClock)) throw new Error('advance needs the manual clock');
      clock.advance(ms);
      await app.hub.idle();
      // The groups' timers (a day's retention sweep) queue their own work: on a pool it would
      // race the test's next read, where SQLite's one connection kept the order.
      await app.groups?.settled();
    },
    async connect(token, label, connectOpts) {
      const client = await connectClient(url, token, label, connectOpts);
      clients.push(client);
      return client;
    },
    close() {
      closing ??= (async () => {
        for (const c of clients) c.close();
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
  onTestFinished(() => fixture.close());
  return fixture;
}

/** The display names of the cast: distinctive, so that a search of raw JSON cannot miss them. */
export const NAMES = {
  leader: 'Lena Leitner-Quast',
  coLeader: 'Cora Vantongeren',
  presenter: 'Paul Presswick',
  alice: 'Alma Zyborski',
  bob: 'Bert Okonkwo-Ray',
  observer: 'Otto Observantis',
  late: 'Wanda Waitlisted',
} as const;

export interface Cast {
  fx: ServerFixture;
  meeting: CreatedMeeting;
  leader: TestClient;
  /** Joined as a participant; promoted by the tests that need a co-leader. */
  coLeader: TestClient;
  presenter: TestClient;
  alice: TestClient;
  bob: TestClient;
  observer: TestClient;
  projector: TestClient;
  everyone: TestClient[];
}

/**
 * A meeting with its whole cast connected: leader, a participant to promote to co-leader,
 * a participant to name presenter, two more participants, an observer and a projector.
 * Resolves when every client's snapshot shows all of them present.
 */
export async function startCast(
  fx: ServerFixture,
  body: Record<string, unknown> = {},
  opts: ConnectOptions = {},
): Promise<Cast> {
  const meeting = await fx.api.createMeeting({ title: 'Thursday group', leaderName: NAMES.leader, ...body });
  const leader = await fx.connect(meeting.leaderToken, 'leader', opts);
  const seat = async (name: string, label: string, as: 'participant' | 'observer' = 'participant') =>
    fx.connect((await fx.api.join(meeting.joinCode, name, as)).token, label, opts);
  const coLeader = await seat(NAMES.coLeader, 'co-leader');
  const presenter = await seat(NAMES.presenter, 'presenter');
  const alice = await seat(NAMES.alice, 'alice');
  const bob = await seat(NAMES.bob, 'bob');
  const observer = await seat(NAMES.observer, 'observer', 'observer');
  const projectorSeat = await fx.api.claimProjector(meeting.meetingId, meeting.projectorKey);
  const projector = await fx.connect(projectorSeat.token, 'projector', opts);
  const everyone = [leader, coLeader, presenter, alice, bob, observer, projector];
  await Promise.all(
    everyone.map((c) => c.waitFor((v) => v.presence.connected === everyone.length && v.presence.total === 7)),
  );
  return { fx, meeting, leader, coLeader, presenter, alice, bob, observer, projector, everyone };
}

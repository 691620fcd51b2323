/**
 * Board integration fixture: the real server (createApp with the board service, real SQLite, port
 * 0), real `socket.io-client` clients that record every packet they receive (acks included), and
 * stock y-websocket `WebsocketProvider`s that record every frame. Everything opened is closed when
 * the test finishes. No sleeps: helpers resolve on events; a guard turns a hang into a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createApp, type App } from '../../server/app';
import {
  createBoardService,
  type BoardServiceDeps,
  type BoardServiceWithInternals,
} from '../../server/board/createBoardService';
import { ManualClock } from '../../server/core/clock';
import { silentLogger, type Logger } from '../../server/core/logger';
import { seededRandom, type RandomSource } from '../../server/core/random';
import type { Limits } from '../../server/limits/seatLimits';
import type { TrustProxy } from '../../server/security/clientAddress';
import { openTestStorage } from './test-storage';
import type { AsyncStorage } from '../../server/storage/async/types';
import type { Result } from '../../shared/errors';
import type { MeetingCommand } from '../../shared/meeting/commands';
import { BOARD_PATH, BOARD_SUBPROTOCOL, PROTOCOL_VERSION } from '../../shared/protocol';
import {
  Api,
  EVENT_TIMEOUT_MS,
  scaledLimits,
  TestClient,
  type ClientSocket,
  type CookieKeeper,
} from './server-fixture';

export const HOUR = 3_600_000;

export interface BoardServerOptions {
  seed?: number;
  /**
   * A SQLite file, left in place on close (the caller removes it); by default a fresh one in a
   * temporary folder removed after the test.
   */
  file?: string;
  publicOrigin?: string | null;
  /** Silent by default. */
  logger?: Logger;
  /** A fresh ManualClock by default. */
  clock?: ManualClock;
  /** 24 hours by default. */
  inactivityLimitMs?: number;
  /**
   * 'seeded' (the default): note ids repeat from run to run. 'server': the server's own random ids,
   * for tests that run a second server on the same database (seeded ids would collide).
   */
  noteIds?: 'seeded' | 'server';
  board?: Partial<Pick<BoardServiceDeps, 'keepAliveMs' | 'leaderLimits' | 'maxPayloadBytes'>>;
  /** Budgets a million times the real ones, for tests about something else that send a lot. */
  unlimited?: boolean;
  /** The server's budgets; the default figures unless given (or `unlimited`). */
  limits?: Limits;
  trustProxy?: TrustProxy;
  /** Wraps the storage the server gets (e.g. to make writes fail for a while); as is by default. */
  wrapStorage?: (storage: AsyncStorage) => AsyncStorage;
}

/** A Socket.IO client that also keeps every raw packet it received (events and acks). */
export class RecordingClient extends TestClient {
  readonly packets: string[] = [];

  /** Sends a note command (or anything) and resolves with its ack. */
  send<T = undefined>(event: string, payload: unknown): Promise<Result<T>> {
    return this.sendRaw(event, payload) as Promise<Result<T>>;
  }

  run(command: MeetingCommand): Promise<Result> {
    return this.command(command);
  }
}

/** A Set-Cookie header as ws gives it, as a list. */
function setCookieOf(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** One stock WebsocketProvider with its own doc, recording every frame it receives. */
export class BoardClient {
  readonly doc = new Y.Doc();
  readonly frames: Uint8Array[] = [];
  readonly closes: { code: number; reason: string }[] = [];
  readonly provider: WebsocketProvider;
  private frameListeners = new Set<(frame: Uint8Array) => void>();

  constructor(
    wsUrl: string,
    room: string,
    token: string | null,
    readonly label: string,
    opts: { origin?: string; protocols?: string[]; cookies?: CookieKeeper } = {},
  ) {
    const origin = opts.origin;
    const cookies = opts.cookies;
    const record = (frame: Uint8Array) => {
      this.frames.push(frame);
      for (const listener of [...this.frameListeners]) listener(frame);
    };
    class RecordingWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        // Each (re)connection sends the cookies as they are now, and keeps what the answer sets.
        const cookie = cookies?.header();
        super(url, protocols, { ...(origin ? { origin } : {}), ...(cookie ? { headers: { cookie } } : {}) });
        this.on('message', (data: Buffer) => record(new Uint8Array(data)));
        if (cookies) this.on('upgrade', (res) => cookies.take(setCookieOf(res.headers['set-cookie'])));
      }
    }
    this.provider = new WebsocketProvider(wsUrl, room, this.doc, {
      WebSocketPolyfill: RecordingWebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      protocols: opts.protocols ?? (token ? [BOARD_SUBPROTOCOL, token] : []),
      maxBackoffTime: 200,
    });
    this.provider.on('connection-close', (event) => {
      if (event) this.closes.push({ code: event.code, reason: event.reason });
    });
  }

  /** Resolves when the provider has synced with the server. */
  synced(): Promise<void> {
    if (this.provider.synced) return Promise.resolve();
    return guarded(`${this.label} synced`, (resolve) => {
      const on = (state: boolean) => {
        if (!state) return;
        this.provider.off('sync', on);
        resolve();
      };
      this.provider.on('sync', on);
    });
  }

  /** Resolves with the close the server gave (the next one, or one that already happened). */
  closed(after = 0): Promise<{ code: number; reason: string }> {
    const known = this.closes[after];
    if (known) return Promise.resolve(known);
    return guarded(`${this.label} closed`, (resolve) => {
      const on = () => {
        const c = this.closes[after];
        if (!c) return;
        this.provider.off('connection-close', on);
        resolve(c);
      };
      this.provider.on('connection-close', on);
    });
  }

  /** Resolves with the next frame received that matches. */
  nextFrame(predicate: (frame: Uint8Array) => boolean, what = 'a frame'): Promise<Uint8Array> {
    return guarded(`${this.label}: ${what}`, (resolve) => {
      const on = (frame: Uint8Array) => {
        if (!predicate(frame)) return;
        this.frameListeners.delete(on);
        resolve(frame);
      };
      this.frameListeners.add(on);
    });
  }

  /** Resolves when `predicate(doc)` holds, checked now and after every update. */
  until(predicate: (doc: Y.Doc) => boolean, what = 'a condition'): Promise<void> {
    return waitForDoc(this.doc, predicate, `${this.label}: ${what}`);
  }

  destroy(): void {
    this.provider.awareness.destroy();
    this.provider.destroy();
    this.doc.destroy();
  }
}

/** Resolves when `predicate(doc)` holds, checked now and after every update of the doc. */
export function waitForDoc(doc: Y.Doc, predicate: (doc: Y.Doc) => boolean, what: string): Promise<void> {
  if (predicate(doc)) return Promise.resolve();
  return guarded(what, (resolve) => {
    const on = () => {
      if (!predicate(doc)) return;
      doc.off('update', on);
      resolve();
    };
    doc.on('update', on);
  });
}

/** A promise with a guard timer, so that a missing event fails the test with a clear message. */
export function guarded<T>(what: string, body: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), EVENT_TIMEOUT_MS);
    body((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

export interface BoardFixture {
  app: App;
  board: BoardServiceWithInternals;
  url: string;
  wsUrl: string;
  api: Api;
  clock: ManualClock;
  storage: AsyncStorage;
  dbFile: string;
  connect(token: string, label: string): Promise<RecordingClient>;
  /** A stock provider on `/board/<meetingId>/<caseIndex>`; destroyed with the fixture. */
  openBoard(
    token: string | null,
    meetingId: string,
    caseIndex: number,
    label: string,
    opts?: { origin?: string; protocols?: string[] },
  ): BoardClient;
  /**
   * Moves the manual clock, then waits until every job the due timers queued has ended (SCALE-5:
   * a tick, a release or a purge runs as one of its meeting's jobs, after the timer fired).
   */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startBoardServer(opts: BoardServerOptions = {}): Promise<BoardFixture> {
  const dir = opts.file ? null : mkdtempSync(path.join(tmpdir(), 'balint-board-'));
  const dbFile = opts.file ?? path.join(dir as string, 'test.sqlite');
  const clock = opts.clock ?? new ManualClock();
  const storage = await openTestStorage(dbFile);
  const seed = opts.seed ?? 1;
  let board: BoardServiceWithInternals | null = null;
  const served = opts.wrapStorage?.(storage) ?? storage;
  const app = createApp({
    storage: served,
    clock,
    random: seededRandom(seed),
    logger: opts.logger ?? silentLogger,
    publicOrigin: opts.publicOrigin ?? null,
    createKey: null,
    inactivityLimitMs: opts.inactivityLimitMs ?? 24 * HOUR,
    clientDir: null,
    limits: opts.limits ?? (opts.unlimited ? scaledLimits(clock, 1_000_000) : undefined),
    trustProxy: opts.trustProxy,
    createBoard: (ctx) => {
      const ids = seededRandom(seed + 1);
      const newNoteId = opts.noteIds === 'server' ? {} : { newNoteId: () => seededId(ids) };
      board = createBoardService({ ...ctx, ...newNoteId, ...opts.board });
      return board;
    },
  });
  if (!board) throw new Error('the app did not build the board');
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const clients: RecordingClient[] = [];
  const boards: BoardClient[] = [];
  let closing: Promise<void> | null = null;
  const fixture: BoardFixture = {
    app,
    board,
    url,
    wsUrl: `ws://127.0.0.1:${port}${BOARD_PATH}`,
    api: new Api(url),
    clock,
    storage,
    dbFile,
    async advance(ms) {
      clock.advance(ms);
      await app.hub.idle();
    },
    async connect(token, label) {
      const client = await connectRecording(url, token, label);
      clients.push(client);
      return client;
    },
    openBoard(token, meetingId, caseIndex, label, boardOpts) {
      const client = new BoardClient(fixture.wsUrl, `${meetingId}/${caseIndex}`, token, label, boardOpts);
      boards.push(client);
      return client;
    },
    close() {
      closing ??= (async () => {
        for (const b of boards) b.destroy();
        for (const c of clients) c.close();
        await app.close().catch(() => {});
        if (dir) rmSync(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
  onTestFinished(() => fixture.close());
  return fixture;
}

/** A recording Socket.IO client, resolved at its first snapshot; closed when the test finishes. */
export async function connectRecording(url: string, token: string, label: string): Promise<RecordingClient> {
  const socket: ClientSocket = io(url, {
    auth: { token, protocolVersion: PROTOCOL_VERSION },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    autoConnect: false,
  });
  const client = new RecordingClient(socket, token, label);
  socket.io.on('open', () => {
    socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
      if (typeof packet.data === 'string') client.packets.push(packet.data);
    });
  });
  const first = guarded<void>(`${label}: first snapshot`, (resolve) =>
    socket.once('meeting:state', () => resolve()),
  );
  socket.connect();
  await first;
  onTestFinished(() => client.close());
  return client;
}

/** Distinctive names, so that a byte search of every frame cannot miss them. */
export const BOARD_NAMES = {
  leader: 'Lorelei Quastenberg',
  presenter: 'Pim Vandersloot',
  members: ['Ariadne Zwiebelkamp', 'Bartholomew Xanthopoulos', 'Cosima Wrzesniewski', 'Dietlinde Yarborough'],
  observer: 'Odalys Quenneville',
} as const;

export interface BoardCast {
  meetingId: string;
  leader: RecordingClient;
  presenter: RecordingClient;
  members: RecordingClient[];
  observer: RecordingClient;
  projector: RecordingClient;
  everyone: RecordingClient[];
}

/**
 * A meeting with one leader, a presenter (named for case 0), members, an observer and a projector,
 * all connected over Socket.IO. The meeting stays in the lobby until the test moves it.
 */
export async function startBoardCast(
  fx: BoardFixture,
  body: Record<string, unknown> = {},
  memberCount = 4,
): Promise<BoardCast> {
  const meeting = await fx.api.createMeeting({
    title: 'Board test',
    leaderName: BOARD_NAMES.leader,
    ...body,
  });
  const leader = await fx.connect(meeting.leaderToken, 'leader');
  const join = async (name: string, label: string, as: 'participant' | 'observer' = 'participant') =>
    fx.connect((await fx.api.join(meeting.joinCode, name, as)).token, label);
  const presenter = await join(BOARD_NAMES.presenter, 'presenter');
  const members: RecordingClient[] = [];
  for (let i = 0; i < memberCount; i++) {
    const name = BOARD_NAMES.members[i] ?? `Member Number${i}`;
    members.push(await join(name, `member${i}`));
  }
  const observer = await join(BOARD_NAMES.observer, 'observer', 'observer');
  const projector = await fx.connect(
    (await fx.api.claimProjector(meeting.meetingId, meeting.projectorKey)).token,
    'projector',
  );
  const everyone = [leader, presenter, ...members, observer, projector];
  await leader.waitFor((v) => v.presence.connected === everyone.length);
  const named = await leader.run({ type: 'presenter:set', caseIndex: 0, seatId: presenter.seatId });
  if (!named.ok) throw new Error(`presenter:set failed: ${named.error.code}`);
  return { meetingId: meeting.meetingId, leader, presenter, members, observer, projector, everyone };
}

/** Starts the meeting if needed and jumps to the first phase of `kind` (in `caseIndex`). */
export async function goToPhase(
  leader: RecordingClient,
  kind: string,
  caseIndex: number | null = 0,
): Promise<void> {
  if (leader.view.status === 'lobby') {
    const started = await leader.run({ type: 'meeting:start' });
    if (!started.ok) throw new Error(`meeting:start failed: ${started.error.code}`);
  }
  const phase = leader.view.phases.find(
    (p) => p.kind === kind && (caseIndex === null || p.caseIndex === caseIndex),
  );
  if (!phase) throw new Error(`no ${kind} phase`);
  const index = leader.view.phases.indexOf(phase);
  if (leader.view.currentIndex === index) return;
  const jumped = await leader.run({ type: 'phase:jump', phaseId: phase.id });
  if (!jumped.ok) throw new Error(`phase:jump failed: ${jumped.error.code}`);
  await leader.waitFor((v) => v.currentIndex === index);
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A note id like the server's (16 base64url characters), from a seeded source: runs repeat. */
export function seededId(random: RandomSource): string {
  let id = '';
  for (let i = 0; i < 16; i++) id += ID_ALPHABET[Math.floor(random.next() * 64)];
  return id;
}

/** A fresh per-note secret (128 bits, hex), as the author's browser makes it. */
export function noteSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

/** A bare WebSocket on a board path, for what no stock client would send. */
export interface RawBoardSocket {
  ws: WebSocket;
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  received: Uint8Array[];
}

export function openRawBoard(
  fx: BoardFixture,
  room: string,
  protocols: string[],
  headers: Record<string, string> = {},
): RawBoardSocket {
  const ws = new WebSocket(`${fx.wsUrl}/${room}`, protocols, { headers });
  const received: Uint8Array[] = [];
  ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)));
  ws.on('error', () => {});
  const opened = guarded<void>(`raw ${room} open`, (resolve) => ws.once('open', () => resolve()));
  const closed = guarded<{ code: number; reason: string }>(`raw ${room} close`, (resolve) =>
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  // Swallow the guard's rejection when the test never awaits it.
  opened.catch(() => {});
  closed.catch(() => {});
  onTestFinished(() => ws.terminate());
  return { ws, opened, closed, received };
}

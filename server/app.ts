import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Server } from 'socket.io';
import { ERROR_CODES as E } from '../shared/errors';
import type { BoardService } from './board/service';
import type { Clock } from './core/clock';
import { MeetingHub } from './core/hub';
import type { Logger } from './core/logger';
import type { RandomSource } from './core/random';
import { createGroupRoutes } from './groups/routes';
import { GroupService } from './groups/service';
import type { GroupStore } from './groups/store';
import { DRAIN_GRACE_MS, trackConnections } from './http/drain';
import type { StoreFactory } from './http/rateLimit';
import { createReadiness, type ReadinessProbe } from './http/readiness';
import { createRoutes } from './http/routes';
import { DEFAULT_METRICS_ALLOW } from './metrics/allow';
import { createMetrics } from './metrics/metrics';
import { createMetricsRoutes } from './metrics/route';
import { originOf } from './net/phoneAddresses';
import { openBus, type Bus } from './scale/bus';
import { DuePoller } from './scale/duePoller';
import { meetingNews } from './scale/meetingNews';
import { createPresence, type PresenceRegistry } from './scale/presence';
import type { RedisClients } from './scale/redis';
import { Limits } from './limits/seatLimits';
import {
  createClientAddress,
  trustFunction,
  type ClientAddress,
  type TrustProxy,
} from './security/clientAddress';
import { socketBroadcaster } from './socket/broadcaster';
import { attachSocketHandlers } from './socket/index';
import type { AppServer } from './socket/types';
import { securityHeaders } from './security/headers';
import { originAllowed } from './security/origin';
import type { AsyncStorage } from './storage/async/types';

export interface AppDeps {
  storage: AsyncStorage;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  /** The origin browsers use; null means "the request's own host". */
  publicOrigin: string | null;
  createKey: string | null;
  inactivityLimitMs: number;
  /** Which proxies may tell the client's address; none by default. */
  trustProxy?: TrustProxy;
  /** Budgets and blocks; by default in memory with the default figures (tests pass their own). */
  limits?: Limits;
  /** Folder of the built client; omitted in tests that need no pages. */
  clientDir?: string | null;
  /** Builds the board; null runs without one (unit-level server tests). */
  createBoard?: ((ctx: BoardContext) => BoardService) | null;
  /** Addresses and CIDR ranges that may scrape /metrics (METRICS_ALLOW); loopback by default. */
  metricsAllow?: readonly string[];
  /** The server's addresses phones can use (server/net), asked whenever a leader's view is made. */
  phoneAddresses?: () => readonly string[];
  /** The groups' store (server/groups, its own file on SQLite); null runs without groups (their API answers 404). */
  groupStore?: GroupStore | null;
  /** GROUP-16 and DEBRIEF-3: retention in months (GROUP_RETENTION_MONTHS, DEBRIEF_RETENTION_MONTHS). */
  groupRetentionMonths?: number;
  debriefRetentionMonths?: number;
  /**
   * Redis (REDIS_URL): Socket.IO fan-out between processes and a readiness probe; the app closes
   * it with itself. Null or omitted: one process on its own.
   */
  redis?: RedisClients | null;
  /** The stores of the shared budgets (REST's per-address ones, and `limits` when not given). */
  rateLimits?: StoreFactory;
  /** More engines for /healthz by name (PostgreSQL's `database`, when the storage moves there). */
  readinessProbes?: Readonly<Record<string, ReadinessProbe>>;
}

/** The Socket.IO adapter's stream; MAXLEN keeps it short (it is a relay, not a log). */
export const FANOUT_STREAM = 'balint:socket.io';
const FANOUT_MAX_LEN = 10_000;
/** How long one blocking read of the stream waits; also how long a closed adapter lingers. */
const FANOUT_BLOCK_MS = 2_000;

export interface BoardContext {
  hub: MeetingHub;
  storage: AsyncStorage;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  publicOrigin: string | null;
  io: AppServer;
  /** Several processes serve the meetings (REDIS_URL): the board's caps ask the others too. */
  acrossProcesses: boolean;
  limits: Limits;
  clientAddress: ClientAddress;
}

export interface App {
  http: HttpServer;
  io: AppServer;
  hub: MeetingHub;
  board: BoardService | null;
  groups: GroupService | null;
  /** The one resolver of a client's address (REST, Socket.IO, board, and e.g. /metrics). */
  clientAddress: ClientAddress;
  /** Resolves once the stored meetings are loaded (rejects when storage could not load them). */
  ready: Promise<void>;
  /** Listens once the stored meetings are loaded: nobody connects to a meeting not yet back. */
  listen(port: number, host: string): Promise<number>;
  /** Drains: stop accepting, finish what is in flight, close connections, close storage. */
  close(): Promise<void>;
}

/** The composition root: everything the server is, built from injected parts. */
export function createApp(deps: AppDeps): App {
  const { storage, clock, logger } = deps;
  const phoneOrigins = (): readonly string[] => {
    if (deps.publicOrigin) return [deps.publicOrigin];
    const address = http.address();
    if (!address || typeof address === 'string') return [];
    return (deps.phoneAddresses?.() ?? []).map((a) => originOf(a, address.port));
  };
  const hub = new MeetingHub({
    storage,
    clock,
    logger,
    random: deps.random,
    inactivityLimitMs: deps.inactivityLimitMs,
    phoneOrigins,
  });

  const trustProxy = deps.trustProxy ?? { kind: 'none' };
  const clientAddress = createClientAddress(trustProxy);
  const limits = deps.limits ?? new Limits({ now: () => clock.now(), logger, store: deps.rateLimits });
  const redis = deps.redis ?? null;
  const readiness = createReadiness({
    ...deps.readinessProbes,
    ...(redis ? { redis: (ms: number) => redis.ping(ms) } : {}),
  });

  const web = express();
  web.disable('x-powered-by');
  // The same trust as the resolver, so that req.protocol and req.ip agree with it.
  web.set('trust proxy', trustFunction(trustProxy));
  web.use(securityHeaders(deps.publicOrigin));
  // Socket.IO is made below, on the HTTP server; its count is read only when scraped.
  const metrics = createMetrics({ hub, storage, socketConnections: () => io.of('/').sockets.size });
  const allow = deps.metricsAllow ?? DEFAULT_METRICS_ALLOW;
  web.use(createMetricsRoutes({ metrics, allow, trustProxy, clientAddress, logger }));
  const groupStore = deps.groupStore ?? null;
  const groups = groupStore
    ? new GroupService({
        store: groupStore,
        hub,
        clock,
        logger,
        random: deps.random,
        retentionMonths: deps.groupRetentionMonths,
        debriefRetentionMonths: deps.debriefRetentionMonths,
      })
    : null;
  if (groups)
    web.use(
      createGroupRoutes({
        groups,
        clock,
        createKey: deps.createKey,
        publicOrigin: deps.publicOrigin,
        clientAddress,
        rateLimits: deps.rateLimits,
      }),
    );
  web.use(
    createRoutes({
      hub,
      clock,
      createKey: deps.createKey,
      publicOrigin: deps.publicOrigin,
      phoneOrigins,
      clientAddress,
      rateLimits: deps.rateLimits,
      readiness,
    }),
  );
  const clientDir = deps.clientDir;
  if (clientDir && existsSync(path.join(clientDir, 'index.html'))) {
    web.use(express.static(clientDir, { index: false, maxAge: '1h' }));
    // Every other GET is a client route (the app routes by path).
    web.get(/.*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(clientDir, 'index.html'));
    });
  }
  web.use((error: Error & { type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const malformed = error.type === 'entity.parse.failed' || error.type === 'entity.too.large';
    if (!malformed) logger.error('http.failed', { error: error.name });
    res.status(malformed ? 400 : 500).json({
      error: {
        code: malformed ? E.BAD_REQUEST : E.UNAVAILABLE,
        message: !malformed
          ? 'server error'
          : error.type === 'entity.too.large'
            ? 'body too large'
            : 'malformed JSON body',
      },
    });
  });

  const http = createServer(web);
  const connections = trackConnections(http);
  const io: AppServer = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: deps.publicOrigin ? { origin: deps.publicOrigin } : undefined,
    allowRequest: (req, callback) =>
      callback(null, originAllowed(req.headers.origin, req.headers.host, deps.publicOrigin)),
    // SCALE-12: rooms span every process through a Redis stream. Only content-free packets go
    // through it (server/socket/broadcaster.ts): each process sends its own sockets their views.
    ...(redis
      ? {
          adapter: createAdapter(redis.fanout, {
            streamName: FANOUT_STREAM,
            maxLen: FANOUT_MAX_LEN,
            blockTimeInMs: FANOUT_BLOCK_MS,
          }),
        }
      : {}),
  });
  hub.broadcaster = socketBroadcaster(io, hub);

  const board =
    deps.createBoard?.({
      hub,
      storage,
      clock,
      random: deps.random,
      logger,
      publicOrigin: deps.publicOrigin,
      io,
      acrossProcesses: redis !== null,
      limits,
      clientAddress,
    }) ?? null;
  attachSocketHandlers(io, {
    hub,
    clock,
    logger,
    board,
    limits,
    clientAddress,
    acrossProcesses: redis !== null,
  });
  io.on('connection', (socket) => metrics.watchSocket(socket));
  http.on('upgrade', (req, socket, head) => {
    if (board?.handleUpgrade(req, socket, head)) return metrics.boardSocketOpened(socket);
    // Socket.IO handles its own upgrades on /socket.io/; anything else is closed.
    if (!req.url?.startsWith('/socket.io/')) socket.destroy();
  });

  let bus: Bus | null = null;
  let duePoller: DuePoller | null = null;
  let presence: PresenceRegistry | null = null;
  const ready = (async () => {
    // SCALE-16, SCALE-17: with Redis, the processes tell each other of new versions and purges
    // (and relay board updates) before this one holds any meeting.
    if (redis) {
      const opened = await openBus({ publisher: redis.commands, logger });
      bus = opened;
      const busFailed = (error: unknown) =>
        logger.warn('bus.failed', { error: error instanceof Error ? error.name : 'unknown' });
      hub.useNews(meetingNews(opened, busFailed));
      presence = createPresence({ client: redis.commands, logger });
      hub.usePresence(presence);
      board?.relayThrough(opened, busFailed);
    }
    await hub.loadAll();
    await board?.resumeReleases();
    // SCALE-19: on PostgreSQL any process applies a due time that no running process holds.
    if (storage.dialect === 'postgres') {
      duePoller = new DuePoller({
        storage,
        clock,
        logger,
        act: (tx, due) => hub.claimDue(tx, due),
        afterCommit: (due) => hub.dueClaimed(due),
      });
      duePoller.start();
    }
  })();
  // Awaited by listen (and reported there); a failure must not also go unhandled meanwhile.
  ready.catch(() => {});

  let closed: Promise<void> | null = null;
  return {
    http,
    io,
    hub,
    board,
    groups,
    clientAddress,
    ready,
    async listen(port, host) {
      await ready;
      // The groups' start-up sweeps (retention, stale proposals) are done before anyone asks.
      await groups?.started;
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve((http.address() as AddressInfo).port));
      });
    },
    close() {
      closed ??= (async () => {
        // First of all, so that a load balancer sends no new client while the rest closes.
        readiness.drain();
        // A start-up still loading finishes first (its failure was reported by listen).
        await ready.catch(() => {});
        await duePoller?.stop();
        hub.stop();
        groups?.stop();
        const cancelCut = connections.cutAfter(DRAIN_GRACE_MS);
        await board?.close();
        await new Promise<void>((resolve) => {
          void io.close(() => resolve());
        });
        cancelCut();
        http.closeAllConnections();
        metrics.close();
        // What was queued before the drain (commands, note operations) is stored, then closed.
        await hub.idle();
        await storage.close();
        await groups?.settled();
        await groupStore?.close();
        await presence?.close();
        await bus?.close();
        await redis?.close();
        logger.info('server.closed');
      })();
      return closed;
    },
  };
}

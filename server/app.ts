import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
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
import { createRoutes } from './http/routes';
import { DEFAULT_METRICS_ALLOW } from './metrics/allow';
import { createMetrics } from './metrics/metrics';
import { createMetricsRoutes } from './metrics/route';
import { originOf } from './net/phoneAddresses';
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
import type { Storage } from './storage/types';

export interface AppDeps {
  storage: Storage;
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
}

export interface BoardContext {
  hub: MeetingHub;
  storage: Storage;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  publicOrigin: string | null;
  io: AppServer;
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
  const limits = deps.limits ?? new Limits({ now: () => clock.now(), logger });

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
      limits,
      clientAddress,
    }) ?? null;
  attachSocketHandlers(io, { hub, clock, logger, board, limits, clientAddress });
  io.on('connection', (socket) => metrics.watchSocket(socket));
  http.on('upgrade', (req, socket, head) => {
    if (board?.handleUpgrade(req, socket, head)) return metrics.boardSocketOpened(socket);
    // Socket.IO handles its own upgrades on /socket.io/; anything else is closed.
    if (!req.url?.startsWith('/socket.io/')) socket.destroy();
  });

  hub.loadAll();
  board?.resumeReleases();

  let closed: Promise<void> | null = null;
  return {
    http,
    io,
    hub,
    board,
    groups,
    clientAddress,
    async listen(port, host) {
      // The groups' start-up sweeps (retention, stale proposals) are done before anyone asks.
      await groups?.started;
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve((http.address() as AddressInfo).port));
      });
    },
    close() {
      closed ??= (async () => {
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
        storage.close();
        await groups?.settled();
        await groupStore?.close();
        logger.info('server.closed');
      })();
      return closed;
    },
  };
}

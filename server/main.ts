import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app';
import { createBoardService } from './board/createBoardService';
import { loadConfig } from './config';
import { systemClock } from './core/clock';
import { createLogger } from './core/logger';
import { cryptoRandom } from './core/random';
import {
  describeDatabaseError,
  describeListenError,
  describeStorageError,
  postgresTarget,
  prepareDataDir,
  refuseToStart,
  startupStep,
} from './startupErrors';
import {
  ADDRESSES_REFRESH_MS,
  originOf,
  phoneAddressesFor,
  refreshedEvery,
  startBanner,
} from './net/phoneAddresses';
import { groupPoolSize, openPostgresGroupStore, openSqliteGroupStore } from './groups/open';
import { GROUP_FILE_NAME } from './groups/store';
import { memoryStores, redisRateLimit, type StoreFactory } from './http/rateLimit';
import { NOTE_SHARE_WINDOW_MS, NOTES_PER_SEAT_PER_CASE } from './limits/budgets';
import { Limits } from './limits/seatLimits';
import { limitScaleFromEnv, scaledStores } from './limits/testScale';
import { openRedis, probeRedis, redisTarget, type RedisClients } from './scale/redis';
import { serviceWaitFromEnv, waitForService } from './serviceWait';
import { crashPointFromEnv } from './storage/crashPoints';
import { lockDataDir, prepareDataDir as makeDataDirPrivate } from './storage/dataDir';
import { openAsyncSqliteStorage, openPostgresStorage } from './storage/async/open';

const loaded = loadConfig(process.env);
if (!loaded.ok) refuseToStart(loaded.message);
const config = loaded.config;
const logger = createLogger(config.logLevel);
const databaseFile = path.join(config.dataDir, 'balint-room.sqlite');
const crashAt = crashPointFromEnv(process.env);
if (!crashAt.ok) refuseToStart(crashAt.message);
const limitScale = limitScaleFromEnv(process.env);
if (!limitScale.ok) refuseToStart(limitScale.message);
const serviceWait = serviceWaitFromEnv(process.env);
if (!serviceWait.ok) refuseToStart(serviceWait.message);
// SCALE-8: Redis must answer before the server serves anyone (its limits and fan-out depend on it).
const redisUrl = config.redisUrl;
const redis: RedisClients | null = redisUrl
  ? await startupStep(async () => {
      await waitForService(
        `Redis at ${redisTarget(redisUrl)} (REDIS_URL)`,
        () => probeRedis(redisUrl),
        serviceWait.ms,
        { hint: 'start Redis, or correct REDIS_URL' },
      );
      return openRedis(redisUrl, logger);
    })
  : null;
const { meetings: sqliteMeetings, groups: sqliteGroups } = await startupStep(
  () => {
    prepareDataDir(config.dataDir, databaseFile);
    if (makeDataDirPrivate(config.dataDir).openToOthers)
      logger.warn('storage.data_dir_open', { hint: 'chmod 700 the data folder: others can list it' });
    // One server per SQLite file (DISK-14). With DATABASE_URL the meetings live in PostgreSQL and
    // the processes of one host share the data folder's key file (CONF-4, SQLite's own locking),
    // so the folder is not locked to one of them.
    if (!config.databaseUrl) {
      const lock = lockDataDir(config.dataDir);
      if (!lock.ok) refuseToStart(lock.message);
    }
    const meetings = config.databaseUrl
      ? null
      : openAsyncSqliteStorage({
          file: databaseFile,
          synchronous: config.sqliteSynchronous,
          logger,
          crashAt: crashAt.point,
        });
    // GROUP-1: the groups' lasting records, in their own file beside the meetings' one (with
    // DATABASE_URL in PostgreSQL beside the meetings' tables, SCALE-6).
    const groups = config.databaseUrl
      ? null
      : openSqliteGroupStore({
          file: path.join(config.dataDir, GROUP_FILE_NAME),
          synchronous: config.sqliteSynchronous,
          logger,
        });
    return { meetings, groups };
  },
  (error) => describeStorageError(error, config.dataDir),
);
const databaseUrl = config.databaseUrl;
// SCALE-8: a PostgreSQL that is not up yet (a service manager started the server first) is tried
// again for SERVICE_WAIT_MS; then one line and exit 2.
const storage =
  sqliteMeetings ??
  (await startupStep(
    () =>
      waitForService(
        `PostgreSQL at ${postgresTarget(databaseUrl ?? '')} (DATABASE_URL)`,
        () =>
          openPostgresStorage({
            url: databaseUrl ?? '',
            poolSize: config.databasePoolSize,
            logger,
            keyFolder: config.dataDir,
          }),
        serviceWait.ms,
        {
          hint: 'start PostgreSQL, or correct DATABASE_URL (host, user, password, database)',
          discard: (late) => void late.close(),
        },
      ),
    (error) => describeDatabaseError(error, databaseUrl ?? ''),
  ));
// The groups' pool: their traffic is a few requests per meeting, not per note.
const groupStore =
  sqliteGroups ??
  (await startupStep(
    () =>
      openPostgresGroupStore({
        url: databaseUrl ?? '',
        poolSize: groupPoolSize(config.databasePoolSize),
        logger,
        // CONF-40: the groups' keys in the data folder's key file, beside the meetings' ones.
        keyFolder: config.dataDir,
      }),
    (error) => describeDatabaseError(error, databaseUrl ?? ''),
  ));
const here = path.dirname(fileURLToPath(import.meta.url));
// Set by scripts/build.mjs: the bundle (dist/server/main.js) sits one folder deeper than server/.
declare const __BALINT_ROOT_FROM_ENTRY__: string | undefined;
const root = path.join(
  here,
  typeof __BALINT_ROOT_FROM_ENTRY__ === 'string' ? __BALINT_ROOT_FROM_ENTRY__ : '..',
);

const phoneAddresses = refreshedEvery(ADDRESSES_REFRESH_MS, () =>
  phoneAddressesFor(config.host, networkInterfaces()),
);
const startedAt = performance.now();
const now = () => systemClock.now();
// SCALE-9: with Redis, the budgets of seats and addresses are shared by every process; a
// connection's own budgets stay in its process.
const sharedStores: StoreFactory = redis
  ? (budget, name) => redisRateLimit(budget, name, now, { client: redis.commands })
  : memoryStores(now);
// The test hook scales the event and connection budgets only, as it always did (LIMIT-2).
const limits = new Limits({
  now,
  logger,
  store: scaledStores(sharedStores, limitScale.scale),
  connectionStore: scaledStores(memoryStores(now), limitScale.scale),
  // SCALE-23: a seat's share of a case's notes holds across the processes (never scaled).
  ...(redis
    ? {
        noteShares: redisRateLimit(
          { points: NOTES_PER_SEAT_PER_CASE, windowMs: NOTE_SHARE_WINDOW_MS },
          'note-share:seat',
          now,
          { client: redis.commands },
        ),
      }
    : {}),
});
const app = createApp({
  storage,
  clock: systemClock,
  random: cryptoRandom,
  logger,
  publicOrigin: config.publicOrigin,
  createKey: config.createKey,
  inactivityLimitMs: config.inactivityLimitMs,
  trustProxy: config.trustProxy,
  clientDir: path.join(root, 'client', 'dist'),
  createBoard: (ctx) => createBoardService(ctx),
  metricsAllow: config.metricsAllow,
  groupRetentionMonths: config.groupRetentionMonths,
  debriefRetentionMonths: config.debriefRetentionMonths,
  phoneAddresses,
  groupStore,
  limits,
  rateLimits: sharedStores,
  redis,
  // SCALE-11: on PostgreSQL, /healthz also asks the database.
  readinessProbes: databaseUrl ? { database: () => storage.ping() } : undefined,
});
const port = await startupStep(
  () => app.listen(config.port, config.host),
  (error) => describeListenError(error, config.port, config.host),
);
const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
logger.info('server.listening', {
  port,
  host: config.host,
  meetings: app.hub.meetingIds().length,
  startMs: Math.round(performance.now() - startedAt),
});
const phoneOrigins = config.publicOrigin ? [] : phoneAddresses().map((a) => originOf(a, port));
process.stdout.write(startBanner(config.publicOrigin ?? `http://${shownHost}:${port}`, phoneOrigins));

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('server.draining', { signal });
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

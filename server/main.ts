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
  describeListenError,
  describeStorageError,
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
import { openSqliteGroupStore } from './groups/open';
import { GROUP_FILE_NAME } from './groups/store';
import { limitScaleFromEnv, scaledLimits } from './limits/testScale';
import { crashPointFromEnv } from './storage/crashPoints';
import { lockDataDir, prepareDataDir as makeDataDirPrivate } from './storage/dataDir';
import { openSqliteStorage } from './storage/sqlite';

const loaded = loadConfig(process.env);
if (!loaded.ok) refuseToStart(loaded.message);
const config = loaded.config;
const logger = createLogger(config.logLevel);
const databaseFile = path.join(config.dataDir, 'balint-room.sqlite');
const crashAt = crashPointFromEnv(process.env);
if (!crashAt.ok) refuseToStart(crashAt.message);
const limitScale = limitScaleFromEnv(process.env);
if (!limitScale.ok) refuseToStart(limitScale.message);
const { meetings: storage, groups: groupStore } = await startupStep(
  () => {
    prepareDataDir(config.dataDir, databaseFile);
    if (makeDataDirPrivate(config.dataDir).openToOthers)
      logger.warn('storage.data_dir_open', { hint: 'chmod 700 the data folder: others can list it' });
    const lock = lockDataDir(config.dataDir);
    if (!lock.ok) refuseToStart(lock.message);
    const meetings = openSqliteStorage({
      file: databaseFile,
      synchronous: config.sqliteSynchronous,
      logger,
      crashAt: crashAt.point,
    });
    // GROUP-1: the groups' lasting records, in their own file beside the meetings' one.
    const groups = openSqliteGroupStore({
      file: path.join(config.dataDir, GROUP_FILE_NAME),
      synchronous: config.sqliteSynchronous,
      logger,
    });
    return { meetings, groups };
  },
  (error) => describeStorageError(error, config.dataDir),
);
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
  limits: limitScale.scale > 1 ? scaledLimits(() => systemClock.now(), logger, limitScale.scale) : undefined,
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

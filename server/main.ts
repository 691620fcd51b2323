import { mkdirSync } from 'node:fs';
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
  ADDRESSES_REFRESH_MS,
  originOf,
  phoneAddressesFor,
  refreshedEvery,
  startBanner,
} from './net/phoneAddresses';
import { openSqliteStorage } from './storage/sqlite';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.message}\n`);
  process.exit(2);
}
const config = loaded.config;
const logger = createLogger(config.logLevel);
mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
const storage = openSqliteStorage({
  file: path.join(config.dataDir, 'balint-room.sqlite'),
  synchronous: config.sqliteSynchronous,
});
const here = path.dirname(fileURLToPath(import.meta.url));

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
  clientDir: path.join(here, '..', 'client', 'dist'),
  createBoard: (ctx) => createBoardService(ctx),
  metricsAllow: config.metricsAllow,
  phoneAddresses,
});
const port = await app.listen(config.port, config.host);
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

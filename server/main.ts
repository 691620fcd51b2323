import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app';
import { createBoardService } from './board/createBoardService';
import { loadConfig } from './config';
import { systemClock } from './core/clock';
import { createLogger } from './core/logger';
import { cryptoRandom } from './core/random';
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
// Set by scripts/build.mjs: the bundle (dist/server/main.js) sits one folder deeper than server/.
declare const __BALINT_ROOT_FROM_ENTRY__: string | undefined;
const root = path.join(
  here,
  typeof __BALINT_ROOT_FROM_ENTRY__ === 'string' ? __BALINT_ROOT_FROM_ENTRY__ : '..',
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
});
const port = await app.listen(config.port, config.host);
const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
logger.info('server.listening', {
  port,
  host: config.host,
  meetings: app.hub.meetingIds().length,
  startMs: Math.round(performance.now() - startedAt),
});
process.stdout.write(
  `\nBalint Room is running: open ${config.publicOrigin ?? `http://${shownHost}:${port}`}\n\n`,
);

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

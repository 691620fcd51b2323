/**
 * The engines of the multi-process mode (PostgreSQL 15, Redis, HAProxy), started by the tests'
 * own helpers (tests/helpers/services.ts: the same flags, ports and readiness checks), with what
 * the benchmark needs on top: their pids for the CPU columns, and PostgreSQL's commit latency.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import {
  startHaproxy,
  startPostgres,
  startRedis,
  stopServices,
  type HaproxyBackend,
  type HaproxyServer,
} from '../../tests/helpers/services';
import { childPid } from './proc';
import { summarize, type Summary } from './stats';

export interface Engines {
  /** The benchmark's own database on the server (not `postgres`, which the sampler uses). */
  databaseUrl: string;
  redisUrl: string;
  postgresPid: number | null;
  redisPid: number | null;
}

/** The postmaster's pid, from the first line of postmaster.pid in its data directory. */
function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return childPid('postgres');
  }
}

export async function startEngines(): Promise<Engines> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const databaseUrl = await postgres.createDatabase('balint_bench');
  return {
    databaseUrl,
    redisUrl: redis.url,
    postgresPid: postmasterPid(postgres.dataDir),
    redisPid: childPid('redis-server'),
  };
}

/** HAProxy on docs/haproxy.cfg with these backends, and its pid. */
export async function startBalancer(
  backends: readonly HaproxyBackend[],
): Promise<HaproxyServer & { pid: number | null }> {
  const proxy = await startHaproxy(backends);
  return { ...proxy, pid: childPid('haproxy') };
}

export { stopServices as stopEngines };

const COMMIT_SAMPLE_EVERY_MS = 20;
const COMMIT_TIMEOUT_MS = 5_000;

/**
 * Times a trivial transaction (`BEGIN; INSERT …; COMMIT` in one round trip, so one WAL flush)
 * from the benchmark process every 20 ms until stopped: PostgreSQL's commit latency under the
 * same load as the figures it is printed beside.
 */
export async function sampleCommits(databaseUrl: string): Promise<{ stop(): Promise<Summary> }> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: COMMIT_TIMEOUT_MS,
    statement_timeout: COMMIT_TIMEOUT_MS,
  });
  client.on('error', () => {});
  await client.connect();
  await client.query(
    'CREATE TABLE IF NOT EXISTS bench_commit (id bigserial PRIMARY KEY, at bigint NOT NULL)',
  );
  const samples: number[] = [];
  let running = true;
  let failures = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        await client.query(`BEGIN; INSERT INTO bench_commit (at) VALUES (${Date.now()}); COMMIT`);
        samples.push(performance.now() - started);
      } catch {
        failures++;
        if (failures > 10) return;
      }
      await new Promise((resolve) => setTimeout(resolve, COMMIT_SAMPLE_EVERY_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end().catch(() => {});
      if (failures > 10) throw new Error('the commit sampler lost its PostgreSQL connection');
      return summarize(samples);
    },
  };
}

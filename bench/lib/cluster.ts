/**
 * N server processes on one PostgreSQL and one Redis (issue 14's multi-process mode), each the
 * built server with the probe, all on the same data folder (the processes of one host share its
 * key file, ARCHITECTURE.md "Where keys live"), and checked to really run on both engines.
 */
import path from 'node:path';
import type { Engines } from './engines';
import type { RpcClient } from './rpc';
import { startServer, type RunningServer } from './server';
import type { PreparedMeeting } from './types';

const HEALTH_TIMEOUT_MS = 5_000;
const PREPARE_CALL_TIMEOUT_MS = 600_000;
/** What a server says when another one holds its data folder's lock (server/storage/dataDir.ts). */
const DATA_DIR_IN_USE = /is in use by another Balint Room server/;

export interface Cluster {
  processes: RunningServer[];
  urls: string[];
}

/** Environment of a process of the cluster (`extra` adds test hooks for the phase part's own one). */
export function clusterEnv(engines: Engines, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: engines.databaseUrl,
    REDIS_URL: engines.redisUrl,
    // On loopback the benchmark stands where a balancer would (README: TRUST_PROXY behind one);
    // the load generators' own addresses (127.0.0.11…) are not trusted, so they count as clients.
    TRUST_PROXY: '127.0.0.1',
    ...extra,
  };
}

/**
 * Throws unless `/healthz` of `url` reports the database and Redis (SCALE-9: a process on
 * PostgreSQL and Redis names them in `components`; a one-process SQLite server names none).
 */
export async function assertOnEngines(url: string, name: string): Promise<void> {
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
  const body = (await res.json().catch(() => ({}))) as { components?: Record<string, string> };
  const components = body.components ?? {};
  const missing = ['database', 'redis'].filter((c) => components[c] !== 'ok');
  if (missing.length === 0) return;
  throw new Error(
    `${name} does not report ${missing.join(' and ')} as ready in /healthz ` +
      `(components: ${JSON.stringify(components)}): this server does not run on DATABASE_URL and REDIS_URL ` +
      `yet (issue 14, being built), so --processes cannot measure it`,
  );
}

/** `profileDir` (--profile): each process writes its V8 CPU profile into `<profileDir>/<i + 1>`. */
export async function startCluster(
  count: number,
  dataDir: string,
  engines: Engines,
  profileDir?: string,
): Promise<Cluster> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      startServer({
        dataDir,
        env: clusterEnv(engines),
        ...(profileDir ? { cpuProfileDir: path.join(profileDir, String(i + 1)) } : {}),
      }),
    ),
  );
  const processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  try {
    if (failed) {
      const text = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
      throw new Error(
        DATA_DIR_IN_USE.test(text)
          ? `${text} (the benchmark gives every process the same DATA_DIR, because the processes of one host share ` +
              `the key file in it, ARCHITECTURE.md "Where keys live": with DATABASE_URL its lock must let them)`
          : text,
      );
    }
    await Promise.all(processes.map((p, i) => assertOnEngines(p.url, `server process ${i + 1}`)));
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop()));
    throw error;
  }
  return { processes, urls: processes.map((p) => p.url) };
}

/**
 * Meetings `from` … `to - 1` of the run, through the REST API of the processes in turn (meeting
 * i on process i mod N), spread over the load generators.
 */
export async function prepareMeetings(
  workers: RpcClient[],
  urls: string[],
  from: number,
  to: number,
  concurrency: number,
): Promise<PreparedMeeting[]> {
  const per = Math.ceil((to - from) / workers.length);
  const parts = await Promise.all(
    workers.map((w, k) => {
      const start = from + k * per;
      const count = Math.max(0, Math.min(per, to - start));
      return count === 0
        ? Promise.resolve<PreparedMeeting[]>([])
        : w.call<PreparedMeeting[]>(
            'prepare-many',
            { urls, from: start, count, concurrency },
            PREPARE_CALL_TIMEOUT_MS,
          );
    }),
  );
  return parts.flat();
}

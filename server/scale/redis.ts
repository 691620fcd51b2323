/**
 * The server's Redis connections (REDIS_URL, SPEC.md SCALE-7..). Two clients with different
 * failure behaviour, because their callers want opposite things while Redis is away:
 * - `commands` (rate limits, /healthz, the bus's publishes, presence) must answer at once: a
 *   request waits for its rate limit, so a command for an absent Redis fails straight away (no
 *   offline queue) or after COMMAND_TIMEOUT_MS, and the caller falls back (per-process limits,
 *   "redis: down" in /healthz);
 * - `fanout` (the Socket.IO adapter) keeps what it has to send while Redis is away and sends it
 *   on reconnection (an offline queue without a retry limit), and its blocking stream reads
 *   simply wait: a failing read would otherwise be retried in a tight loop by the adapter.
 * Both reconnect by themselves, forever, with a capped backoff.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../core/logger';

/** A command of `commands` that gets no answer in this time has failed (the caller falls back). */
export const COMMAND_TIMEOUT_MS = 500;
/** Each connection attempt, at start and on reconnection. */
const CONNECT_TIMEOUT_MS = 2_000;
/** The longest pause between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 1_000;

/**
 * `host:port` of a Redis URL, for messages and logs: never its user name or password.
 */
export function redisTarget(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '6379'}`;
}

function baseOptions(): RedisOptions {
  return {
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
    lazyConnect: true,
  };
}

export interface RedisClients {
  readonly commands: Redis;
  readonly fanout: Redis;
  /** Whether `commands` is connected right now (the fallback decision needs no round trip). */
  ready(): boolean;
  /** One PING within `timeoutMs`: true when Redis answered. */
  ping(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** One attempt to reach Redis at `url`: resolves once a PING was answered, or rejects. */
export async function probeRedis(url: string): Promise<void> {
  const probe = new Redis(url, {
    ...baseOptions(),
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  // ioredis rejects `connect` with a bare "Connection is closed"; the cause (ECONNREFUSED, a
  // time-out, a refused password) came in its 'error' event just before.
  let cause: (Error & { code?: string }) | null = null;
  probe.on('error', (error: Error & { code?: string }) => (cause ??= error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw cause ?? error;
  } finally {
    probe.disconnect();
  }
}

/**
 * Opens both clients and resolves when both are connected (call it after `probeRedis` said Redis
 * is there). Connection losses are logged once per loss, by code only.
 */
export async function openRedis(url: string, logger: Logger): Promise<RedisClients> {
  const commands = new Redis(url, {
    ...baseOptions(),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // The commands of one tick (a note's relay, its notice, the rate counters) go out in one write.
    enableAutoPipelining: true,
  });
  const fanout = new Redis(url, { ...baseOptions(), maxRetriesPerRequest: null });
  for (const [role, client] of [
    ['commands', commands],
    ['fanout', fanout],
  ] as const) {
    let lost = false;
    client.on('error', (error: Error & { code?: string }) => {
      if (lost) return;
      lost = true;
      logger.warn('redis.unreachable', { role, code: error.code ?? error.name });
    });
    client.on('ready', () => {
      if (lost) logger.info('redis.reconnected', { role });
      lost = false;
    });
  }
  await Promise.all([commands.connect(), fanout.connect()]);
  let closed = false;
  return {
    commands,
    fanout,
    ready: () => commands.status === 'ready',
    async ping(timeoutMs) {
      if (commands.status !== 'ready') return false;
      let timer: NodeJS.Timeout | undefined;
      const answered = await Promise.race([
        commands.ping().then(
          (pong) => pong === 'PONG',
          () => false,
        ),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      return answered;
    },
    async close() {
      if (closed) return;
      closed = true;
      // QUIT lets Redis finish what was sent; a client that is not connected just stops trying.
      await Promise.all(
        [commands, fanout].map((c) =>
          c.status === 'ready'
            ? c.quit().then(
                () => {},
                () => c.disconnect(),
              )
            : c.disconnect(),
        ),
      );
    },
  };
}

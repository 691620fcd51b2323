/**
 * A `pg` pool as the server's PostgreSQL stores open it (the meetings', the groups'): int8 read as
 * numbers, as on SQLite (epoch milliseconds fit), and every connection error heard and logged by
 * code, never a query or its values.
 */
import pg from 'pg';
import type { Logger } from '../../core/logger';

/** pg's default pool size; issue 14 sizes it to max_connections over the processes. */
export const DEFAULT_POOL_SIZE = 10;
/** PostgreSQL's int8 (bigint columns, count(*)). */
const INT8_OID = 20;

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'unknown';
}

/** `events`: the log events' prefix (`storage`, `groups`). */
export function openPool(opts: { url: string; poolSize?: number; logger: Logger; events: string }): pg.Pool {
  const { logger, events } = opts;
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? DEFAULT_POOL_SIZE,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that PostgreSQL closed (a restart, a failover) is dropped by the pool and
  // the next query opens a new one; unheard, its error event would end the process.
  pool.on('error', (error) => logger.warn(`${events}.postgres_idle_error`, { code: errorCode(error) }));
  // A connection that dies while checked out (PostgreSQL stopped or restarted, its backend ended)
  // emits its error on the client, not the pool: unheard, that too would end the process. Its
  // query or transaction fails as well, and that failure is what the caller answers.
  pool.on('connect', (client) => {
    client.on('error', (error) =>
      logger.warn(`${events}.postgres_connection_lost`, { code: errorCode(error) }),
    );
  });
  return pool;
}

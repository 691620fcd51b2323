import type pg from 'pg';
import { POSTGRES_TYPES, SCHEMA_STEPS } from '../schema';

/**
 * The advisory lock that migrations hold ('balint' in ASCII): processes starting together migrate
 * one after the other, and each later one finds the schema done.
 */
export const MIGRATION_LOCK_KEY = 0x62616c696e74;

/**
 * Applies the steps of schema.ts that this database lacks, in one transaction under the advisory
 * lock (PostgreSQL's DDL is transactional: a failed step leaves the schema as it was). Returns the
 * schema version it left.
 */
export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    const current = rows[0]?.version ?? 0;
    if (rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES (0)');
    // A step is several statements: the simple query protocol (no parameters) runs them all.
    for (const step of SCHEMA_STEPS.slice(current)) await client.query(step(POSTGRES_TYPES));
    // A schema newer than this release (a newer process migrated it first) is left as it is.
    if (current < SCHEMA_STEPS.length)
      await client.query('UPDATE schema_version SET version = $1', [SCHEMA_STEPS.length]);
    await client.query('COMMIT');
    return Math.max(current, SCHEMA_STEPS.length);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

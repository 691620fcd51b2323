import type Database from 'better-sqlite3';
import { SCHEMA_STEPS, SQLITE_TYPES } from './schema';

/**
 * Schema migrations, applied in order at start-up; `user_version` records how far a file is.
 * The steps are the one list of both databases (schema.ts), in their SQLite column types.
 */
const STEPS: readonly string[] = SCHEMA_STEPS.map((step) => step(SQLITE_TYPES));

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < STEPS.length; v++) {
    db.transaction(() => {
      db.exec(STEPS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

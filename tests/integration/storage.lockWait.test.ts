/**
 * The meetings' SQLite file under another connection's write lock (DISK-2): the asynchronous
 * storage's statements wait for it on timers, never in SQLite's busy handler on the event loop,
 * take the lock at the start of a transaction (`BEGIN IMMEDIATE`), and give up as busy after
 * their limit. The lock holder is a second real connection on the same file, as the WAL worker's
 * truncation or an admin's `sqlite3` shell would be.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { busyWaitingSqliteDialect, isBusy } from '../../server/storage/async/sqliteDriver';
import { openMeetingsFile } from '../../server/storage/sqlite';

function meetingsFile() {
  const dir = mkdtempSync(path.join(tmpdir(), 'balint-lockwait-'));
  const file = path.join(dir, 'balint-room.sqlite');
  const opened = openMeetingsFile({ file, synchronous: 'NORMAL', walCopier: false });
  onTestFinished(() => {
    opened.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { file, db: opened.db };
}

/** A second connection that holds the write lock until `release()`. */
function holdWriteLock(file: string) {
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  other.exec("INSERT INTO commands (meeting_id, seat_id, command_id) VALUES ('m', 's', 'held')");
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    other.exec('COMMIT');
    other.close();
  };
  onTestFinished(release);
  return { release };
}

/** Counts event-loop turns until `settled()` is true or `turns` have passed. */
async function turnsWhile(settled: () => boolean, turns: number): Promise<number> {
  let n = 0;
  while (!settled() && n < turns) {
    await new Promise((resolve) => setImmediate(resolve));
    n += 1;
  }
  return n;
}

describe('the storage waits for locks off the event loop (DISK-2)', () => {
  it('DISK-2: the connection never waits in the busy handler (busy_timeout 0)', () => {
    const { db } = meetingsFile();
    busyWaitingSqliteDialect(db).createDriver();
    expect(db.pragma('busy_timeout', { simple: true })).toBe(0);
  });

  it('DISK-2: a write under another connection’s lock waits on timers while the loop turns, then is stored', async () => {
    const { file, db } = meetingsFile();
    const dialect = busyWaitingSqliteDialect(db);
    const kysely = new Kysely<unknown>({ dialect });
    const lock = holdWriteLock(file);

    let stored = false;
    const write = sql`INSERT INTO commands (meeting_id, seat_id, command_id) VALUES ('m', 's', 'mine')`
      .execute(kysely)
      .then(() => (stored = true));
    // The loop goes on turning while the write waits: nothing sits in a busy handler.
    expect(await turnsWhile(() => stored, 200)).toBe(200);
    expect(stored).toBe(false);

    lock.release();
    await write;
    const rows = db.prepare('SELECT command_id FROM commands ORDER BY command_id').pluck().all();
    expect(rows).toEqual(['held', 'mine']);
    expect(dialect.lockWaits.waited).toBe(1);
    expect(dialect.lockWaits.gaveUp).toBe(0);
  });

  it('DISK-2: a transaction takes the write lock at BEGIN (IMMEDIATE), waiting for it there', async () => {
    const { file, db } = meetingsFile();
    const dialect = busyWaitingSqliteDialect(db);
    const kysely = new Kysely<unknown>({ dialect });
    const lock = holdWriteLock(file);

    let bodyRan = false;
    const tx = kysely.transaction().execute(async (trx) => {
      bodyRan = true;
      await sql`INSERT INTO commands (meeting_id, seat_id, command_id) VALUES ('m', 's', 'tx')`.execute(trx);
    });
    await turnsWhile(() => bodyRan, 100);
    // The body has not started: the lock is waited for before the first statement, not midway.
    expect(bodyRan).toBe(false);
    lock.release();
    await tx;
    expect(bodyRan).toBe(true);
    expect(db.prepare("SELECT count(*) FROM commands WHERE command_id = 'tx'").pluck().get()).toBe(1);
  });

  it('DISK-2: past its limit a write gives up as busy, and nothing of it is stored', async () => {
    const { file, db } = meetingsFile();
    const dialect = busyWaitingSqliteDialect(db, 50);
    const kysely = new Kysely<unknown>({ dialect });
    const lock = holdWriteLock(file);

    const failed = await kysely
      .transaction()
      .execute(async (trx) => {
        await sql`INSERT INTO commands (meeting_id, seat_id, command_id) VALUES ('m', 's', 'late')`.execute(
          trx,
        );
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isBusy(failed)).toBe(true);
    expect(dialect.lockWaits.gaveUp).toBe(1);
    lock.release();
    expect(db.prepare("SELECT count(*) FROM commands WHERE command_id = 'late'").pluck().get()).toBe(0);
    // The connection is usable again once the lock is gone.
    await sql`INSERT INTO commands (meeting_id, seat_id, command_id) VALUES ('m', 's', 'after')`.execute(
      kysely,
    );
    expect(db.prepare("SELECT count(*) FROM commands WHERE command_id = 'after'").pluck().get()).toBe(1);
  });
});

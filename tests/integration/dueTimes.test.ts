/**
 * Stored due times and their poller (SCALE-15), on both databases: a due row is acted on exactly
 * once whichever of two pollers (on PostgreSQL two storages on one database, as two processes
 * would be) finds it; acting runs in the claiming transaction, so a failure or a dead claimer
 * leaves the row due for the next poll; a meeting's purge takes its rows with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ManualClock } from '../../server/core/clock';
import { silentLogger } from '../../server/core/logger';
import { DuePoller } from '../../server/scale/duePoller';
import { newSeatToken, newToken } from '../../server/security/tokens';
import type { DueRow } from '../../server/storage/async/dueTimes';
import { openAsyncSqliteStorage, openPostgresStorage } from '../../server/storage/async/open';
import type { AsyncStorage, MeetingTransaction } from '../../server/storage/async/types';
import type { MeetingState } from '../../shared/meeting/state';
import { populatedLobby } from '../helpers/meetingFixtures';
import { pollUntil, pollUntilAsync } from '../helpers/poll';
import { startPostgres, type PostgresServer } from '../helpers/services';

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
});

let databases = 0;

interface Engine {
  name: string;
  /** Two storages on one fresh database (on SQLite the same storage twice: one process). */
  open(): Promise<{ a: AsyncStorage; b: AsyncStorage; url?: string }>;
}

const ENGINES: Engine[] = [
  {
    name: 'SQLite',
    async open() {
      const dir = mkdtempSync(path.join(tmpdir(), 'balint-due-'));
      const storage = openAsyncSqliteStorage({
        file: path.join(dir, 'balint-room.sqlite'),
        synchronous: 'NORMAL',
      });
      onTestFinished(async () => {
        await storage.close();
        rmSync(dir, { recursive: true, force: true });
      });
      return { a: storage, b: storage };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const url = await postgres.createDatabase(`due_${++databases}`);
      // Two processes of one host: one key folder.
      const keyFolder = mkdtempSync(path.join(tmpdir(), 'balint-due-keys-'));
      const a = await openPostgresStorage({ url, keyFolder });
      const b = await openPostgresStorage({ url, keyFolder });
      onTestFinished(async () => {
        await a.close();
        await b.close();
      });
      return { a, b, url };
    },
  },
];

const T0 = Date.UTC(2031, 4, 6, 9, 30, 0);

async function insertMeetings(storage: AsyncStorage, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const state: MeetingState = { ...populatedLobby(), id: `m${i}` };
    await storage.insertMeeting(
      { state, joinCode: `CODE${i}`, lastActivityAt: T0 },
      { leaderToken: newSeatToken(state.id), projectorKey: newToken() },
    );
    ids.push(state.id);
  }
  return ids;
}

/** Acts by touching the meeting inside the claiming transaction, and counts in memory. */
function recorder() {
  const applied: string[] = [];
  return {
    applied,
    act: async (tx: MeetingTransaction, due: DueRow) => {
      await tx.touchMeeting(due.meetingId, due.dueAt);
      applied.push(`${due.meetingId}/${due.kind}`);
    },
  };
}

function poller(
  storage: AsyncStorage,
  clock: ManualClock,
  act: (tx: MeetingTransaction, due: DueRow) => Promise<void>,
) {
  const p = new DuePoller({ storage, clock, logger: silentLogger, act });
  onTestFinished(() => p.stop());
  return p;
}

describe.each(ENGINES)('stored due times on $name (SCALE-15)', (engine) => {
  it('SCALE-15: set, move and clear a due time; only what is due is claimed; the purge takes the rows', async () => {
    const { a } = await engine.open();
    await insertMeetings(a, 2);
    await a.setDue('m0', 'phase', T0 + 60_000);
    await a.setDue('m0', 'inactivity', T0 + 3_600_000);
    await a.setDue('m0', 'phase', T0 + 30_000);
    await a.setDue('m1', 'release:1', T0 + 10_000);
    expect(await a.listDue('m0')).toEqual([
      { meetingId: 'm0', kind: 'phase', dueAt: T0 + 30_000 },
      { meetingId: 'm0', kind: 'inactivity', dueAt: T0 + 3_600_000 },
    ]);
    await a.setDue('m0', 'inactivity', null);

    const clock = new ManualClock(T0 + 20_000);
    const r = recorder();
    const p = poller(a, clock, r.act);
    expect(await p.poll()).toBe(1);
    expect(r.applied).toEqual(['m1/release:1']);
    clock.advance(10_000);
    expect(await p.poll()).toBe(1);
    expect(await p.poll()).toBe(0);
    expect(r.applied).toEqual(['m1/release:1', 'm0/phase']);
    expect(await a.listDue('m0')).toEqual([]);

    await a.setDue('m1', 'phase', T0 + 99_000);
    await a.purgeMeeting('m1');
    expect(await a.listDue('m1')).toEqual([]);
  });

  it('SCALE-15: several due times of a meeting set, moved and cleared at once in a transaction', async () => {
    const { a } = await engine.open();
    await insertMeetings(a, 2);
    await a.setDue('m0', 'phase', T0 + 60_000);
    await a.setDue('m0', 'inactivity', T0 + 3_600_000);
    await a.setDue('m1', 'phase', T0 + 1_000);
    await a.transaction((tx) =>
      tx.setDues('m0', [
        { kind: 'phase', at: T0 + 40_000 },
        { kind: 'inactivity', at: null },
        { kind: 'release:0', at: T0 + 50_000 },
      ]),
    );
    expect(await a.listDue('m0')).toEqual([
      { meetingId: 'm0', kind: 'phase', dueAt: T0 + 40_000 },
      { meetingId: 'm0', kind: 'release:0', dueAt: T0 + 50_000 },
    ]);
    await a.transaction((tx) => tx.setDues('m0', [{ kind: 'phase', at: null }]));
    expect(await a.listDue('m0')).toEqual([{ meetingId: 'm0', kind: 'release:0', dueAt: T0 + 50_000 }]);
    // Another meeting's rows are untouched.
    expect(await a.listDue('m1')).toEqual([{ meetingId: 'm1', kind: 'phase', dueAt: T0 + 1_000 }]);
  });

  it('SCALE-15: a row that `act` arms again for later stays, at its new time', async () => {
    const { a } = await engine.open();
    await insertMeetings(a, 1);
    await a.setDue('m0', 'phase', T0);
    const clock = new ManualClock(T0);
    const p = poller(a, clock, async (tx, due) => {
      await tx.setDue(due.meetingId, 'phase', due.dueAt + 60_000);
    });
    expect(await p.poll()).toBe(1);
    expect(await a.listDue('m0')).toEqual([{ meetingId: 'm0', kind: 'phase', dueAt: T0 + 60_000 }]);
  });

  it('SCALE-15: two pollers polling at once act on each of 40 due rows exactly once', async () => {
    const { a, b } = await engine.open();
    const ids = await insertMeetings(a, 20);
    for (const id of ids) {
      await a.setDue(id, 'phase', T0 - 1_000);
      await a.setDue(id, 'inactivity', T0);
    }
    const clock = new ManualClock(T0);
    const r = recorder();
    const pa = poller(a, clock, r.act);
    const pb = poller(b, clock, r.act);
    const [na, nb] = await Promise.all([pa.poll(), pb.poll()]);
    expect(na + nb).toBe(40);
    expect([...r.applied].sort()).toEqual(ids.flatMap((id) => [`${id}/inactivity`, `${id}/phase`]).sort());
    expect(await Promise.all([pa.poll(), pb.poll()])).toEqual([0, 0]);
  });

  it('SCALE-15: a failure inside `act` rolls its writes back and leaves the row due for the next poll', async () => {
    const { a, b } = await engine.open();
    await insertMeetings(a, 2);
    await a.setDue('m0', 'phase', T0);
    await a.setDue('m1', 'phase', T0);
    const clock = new ManualClock(T0);
    let fail = true;
    const r = recorder();
    const pa = poller(a, clock, async (tx, due) => {
      await tx.touchMeeting(due.meetingId, T0 + 5);
      if (due.meetingId === 'm0' && fail) throw new Error('storage away');
      await r.act(tx, due);
    });
    // The failed row is not tried again within the same poll; the other is acted on.
    expect(await pa.poll()).toBe(1);
    expect(r.applied).toEqual(['m1/phase']);
    const m0 = (await b.loadLiveMeetings()).find((m) => m.state.id === 'm0');
    expect(m0?.lastActivityAt).toBe(T0);
    expect(await b.listDue('m0')).toEqual([{ meetingId: 'm0', kind: 'phase', dueAt: T0 }]);
    fail = false;
    const pb = poller(b, clock, r.act);
    expect(await pb.poll()).toBe(1);
    expect(r.applied).toEqual(['m1/phase', 'm0/phase']);
  });

  it('SCALE-15: start() polls by itself until stopped', async () => {
    const { a } = await engine.open();
    await insertMeetings(a, 1);
    const clock = new ManualClock(T0);
    const r = recorder();
    const p = new DuePoller({ storage: a, clock, logger: silentLogger, act: r.act, everyMs: 20 });
    onTestFinished(() => p.stop());
    p.start();
    await a.setDue('m0', 'phase', T0);
    await pollUntil(() => r.applied.length === 1, 5_000, 'the poller to find the due row');
    await p.stop();
    await a.setDue('m0', 'phase', T0);
    expect(await p.poll()).toBe(0);
    expect(await a.listDue('m0')).toHaveLength(1);
  });
});

describe('a claimer that dies (SCALE-15, PostgreSQL)', () => {
  it("SCALE-15: while one process holds a due row the other skips it without waiting; when the holder's connection dies, the other applies it", async () => {
    const { a, b, url } = await ENGINES[1]!.open();
    await insertMeetings(a, 2);
    await a.setDue('m0', 'phase', T0);
    await a.setDue('m1', 'phase', T0 + 1);
    const clock = new ManualClock(T0 + 1);

    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    let thaw!: () => void;
    const thawed = new Promise<void>((resolve) => (thaw = resolve));
    const stuck = poller(a, clock, async (tx, due) => {
      await tx.touchMeeting(due.meetingId, T0 + 7);
      holding();
      // A process that froze mid-act, until the test lets it go on after its connection died.
      await thawed;
      await tx.touchMeeting(due.meetingId, T0 + 8);
    });
    const stuckPoll = stuck.poll().catch((error: unknown) => error);
    await held;

    const r = recorder();
    const other = poller(b, clock, r.act);
    // m0 is held: skipped at once, not waited for; m1 is applied.
    expect(await other.poll()).toBe(1);
    expect(r.applied).toEqual(['m1/phase']);

    // The holder dies: PostgreSQL ends its backend, its transaction rolls back.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    onTestFinished(() => admin.end());
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()",
    );
    await pollUntilAsync(
      async () => (await other.poll()) === 1,
      10_000,
      "the other poller to apply the dead claimer's row",
    );
    expect(r.applied).toEqual(['m1/phase', 'm0/phase']);
    // The frozen one wakes up on a dead connection: its act fails, nothing of it is stored.
    thaw();
    expect(await stuckPoll).toBe(0);
    const m0 = (await b.loadLiveMeetings()).find((m) => m.state.id === 'm0');
    expect(m0?.lastActivityAt).toBe(T0);
    expect(await b.listDue('m0')).toEqual([]);
  });
});

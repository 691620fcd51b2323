/**
 * SCALE-60: a case's delayed release (REL-1) is a stored due time on PostgreSQL, so that the
 * batch leaves on time when the process that armed the delay died. Real child processes on one
 * real PostgreSQL and one real Redis, on the real clock: A takes the notes and arms the delay and
 * is killed; B never armed anything (its only link to the meeting is a board connection, which
 * loads the meeting there on demand) and releases the batch through its poller.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MIN_BATCH, RELEASE_DELAY_MAX_MS, RELEASE_DELAY_MIN_MS } from '../../server/board/release';
import { DUE_POLL_MS } from '../../server/scale/duePoller';
import { notesMap, readBoard } from '../../shared/board/schema';
import { goToPhase, type RecordingClient } from '../helpers/board-fixture';
import { envFor } from '../helpers/confidential';
import { pollUntil, pollUntilAsync } from '../helpers/poll';
import { spawnServer, tempDataDir } from '../helpers/server-process';
import { startPostgres, startRedis } from '../helpers/services';

const TEST_MS = 120_000;
/**
 * How late after its due time the batch may reach B's board: one poll period, plus the claim,
 * the meeting's load and the release on a 2-core machine shared with other test files.
 */
const LATE_MS = DUE_POLL_MS + 2_000;

describe('the delayed release across processes (PostgreSQL and Redis)', () => {
  it(
    'SCALE-60: a delay armed by a process that is killed is released by another one through the stored due time, on time and once',
    async () => {
      const [pgServer, redis] = await Promise.all([startPostgres(), startRedis()]);
      const databaseUrl = await pgServer.createDatabase('release_due');
      // The test reads the rows an admin could: due times and note states hold no content.
      const db = new pg.Client({ connectionString: databaseUrl });
      await db.connect();
      onTestFinished(() => db.end());
      const dueRows = async (meetingId: string) =>
        (
          await db.query<{ kind: string; due_at: string }>(
            'SELECT kind, due_at FROM due_times WHERE meeting_id = $1 ORDER BY kind',
            [meetingId],
          )
        ).rows.map((r) => ({ kind: r.kind, dueAt: Number(r.due_at) }));
      const noteStates = async (meetingId: string) =>
        (
          await db.query<{ status: string; batch: number | null }>(
            'SELECT status, batch FROM notes WHERE meeting_id = $1',
            [meetingId],
          )
        ).rows;

      const dataDir = tempDataDir();
      const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url };
      const a = await spawnServer({ dataDir, env });
      const b = await spawnServer({ dataDir, env });
      const onA = envFor(a.url);
      const onB = envFor(b.url);

      const m = await onA.api.createMeeting({ title: 'Delayed', anonymity: 'anonymous' });
      const leader = await onA.connect(m.leaderToken, 'leader on A');
      const members: RecordingClient[] = [];
      for (let i = 0; i < MIN_BATCH; i++)
        members.push(await onA.connect((await onA.api.join(m.joinCode, `Member ${i}`)).token, `member ${i}`));
      await goToPhase(leader, 'speculation');

      const armedFrom = Date.now();
      for (const [i, member] of members.entries()) {
        const ack = await member.send<{ status: string }>('note:add', {
          secret: randomUUID().replace(/-/g, ''),
          kind: 'association',
          text: `an association ${i}`,
        });
        expect(ack.ok && ack.value.status).toBe('waiting');
      }
      const armedBy = Date.now();
      // A stored the third note's delay with it, as its own timer has it (REL-1's range).
      const due = (await dueRows(m.meetingId)).find((r) => r.kind === 'release:0');
      expect(due, 'the stored delay').toBeDefined();
      const dueAt = (due as { dueAt: number }).dueAt;
      expect(dueAt).toBeGreaterThanOrEqual(armedFrom + RELEASE_DELAY_MIN_MS);
      expect(dueAt).toBeLessThanOrEqual(armedBy + RELEASE_DELAY_MAX_MS);

      // B's board, connected before the delay ends: B holds the meeting but armed no delay.
      const boardOnB = onB.openBoard(m.leaderToken, m.meetingId, 0, 'leader board on B');
      await boardOnB.synced();
      expect(readBoard(boardOnB.doc).notes).toHaveLength(0);
      const added = new Map<string, number>();
      notesMap(boardOnB.doc).observe((event) => {
        for (const [id, change] of event.changes.keys)
          if (change.action === 'add') added.set(id, (added.get(id) ?? 0) + 1);
      });

      // A dies with its timer; only the stored row is left of the delay.
      expect(Date.now()).toBeLessThan(dueAt);
      await a.stop('SIGKILL');
      expect((await noteStates(m.meetingId)).map((n) => n.status)).toEqual(['waiting', 'waiting', 'waiting']);

      await pollUntil(
        () => readBoard(boardOnB.doc).notes.length === MIN_BATCH,
        dueAt - Date.now() + LATE_MS,
        'the batch on B',
      );
      const seenAt = Date.now();
      // Not before the delay passed, and within about a poll after it.
      expect(seenAt).toBeGreaterThanOrEqual(dueAt);
      expect(seenAt - dueAt).toBeLessThanOrEqual(LATE_MS);

      // One batch, stored once, each note on B's board once; the due row went with the batch.
      await pollUntilAsync(
        async () => (await dueRows(m.meetingId)).every((r) => r.kind !== 'release:0'),
        LATE_MS,
        'the release row gone',
      );
      expect(await noteStates(m.meetingId)).toEqual([
        { status: 'released', batch: 0 },
        { status: 'released', batch: 0 },
        { status: 'released', batch: 0 },
      ]);
      expect([...added.values()]).toEqual([1, 1, 1]);
      expect(readBoard(boardOnB.doc).notes.map((n) => n.batch)).toEqual([0, 0, 0]);
    },
    TEST_MS,
  );
});

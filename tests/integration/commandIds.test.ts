/**
 * WIRE-1: a command id belongs to the seat that sent it. The duplicate check is keyed by
 * (meeting, seat, command id): a seat's own retry is acked again whatever its role now, and
 * another seat's id is a new command to it, judged by the permission table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openAsyncSqliteStorage } from '../../server/storage/async/open';
import { MIN, startServer } from '../helpers/server-fixture';

async function meetingWithCoLeader() {
  const fx = await startServer();
  const m = await fx.api.createMeeting({ leaderName: 'Lea' });
  const leader = await fx.connect(m.leaderToken, 'leader');
  const coSeat = await fx.api.join(m.joinCode, 'Cora');
  const memberSeat = await fx.api.join(m.joinCode, 'Ida');
  const coLeader = await fx.connect(coSeat.token, 'co-leader');
  const member = await fx.connect(memberSeat.token, 'member');
  expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
  expect(await leader.command({ type: 'seat:setRole', seatId: coLeader.seatId, role: 'co-leader' })).toEqual({
    ok: true,
  });
  await Promise.all([leader.barrier(), coLeader.barrier(), member.barrier()]);
  const endsAt = () => {
    const cur = fx.app.hub.state(m.meetingId)?.current;
    if (cur?.timing.state !== 'running') throw new Error('no running phase');
    return cur.timing.endsAt;
  };
  return { fx, m, leader, coLeader, member, endsAt };
}

describe('command ids per seat (WIRE-1)', () => {
  it("WIRE-1: a participant replaying a leader's command id is forbidden and changes nothing", async () => {
    const { fx, m, leader, member, endsAt } = await meetingWithCoLeader();
    expect(await leader.command({ type: 'timer:adjust', minutes: 1 }, 'leader-adjust-1')).toEqual({
      ok: true,
    });
    const before = endsAt();
    const stateBefore = JSON.stringify(fx.app.hub.state(m.meetingId));
    const replay = await member.command({ type: 'timer:adjust', minutes: 5 }, 'leader-adjust-1');
    expect(replay).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(endsAt()).toBe(before);
    expect(JSON.stringify(fx.app.hub.state(m.meetingId))).toBe(stateBefore);
    // The leader's own retry of that id is still recognised.
    expect(await leader.command({ type: 'timer:adjust', minutes: 1 }, 'leader-adjust-1')).toEqual({
      ok: true,
    });
    expect(endsAt()).toBe(before);
  });

  it('WIRE-1: a co-leader sending an id the leader already used has its own command applied', async () => {
    const { leader, coLeader, endsAt } = await meetingWithCoLeader();
    const start = endsAt();
    expect(await leader.command({ type: 'timer:adjust', minutes: 1 }, 'same-id-for-two')).toEqual({
      ok: true,
    });
    expect(await coLeader.command({ type: 'timer:adjust', minutes: 2 }, 'same-id-for-two')).toEqual({
      ok: true,
    });
    expect(endsAt()).toBe(start + 3 * MIN);
    // Each seat's retry of it is acked and applied no more.
    expect(await coLeader.command({ type: 'timer:adjust', minutes: 2 }, 'same-id-for-two')).toEqual({
      ok: true,
    });
    expect(await leader.command({ type: 'timer:adjust', minutes: 1 }, 'same-id-for-two')).toEqual({
      ok: true,
    });
    expect(endsAt()).toBe(start + 3 * MIN);
  });

  it('WIRE-1: a co-leader who stepped down is acked its own retry, but not a new command, nor a replay by another member', async () => {
    const { fx, m, coLeader, member, endsAt } = await meetingWithCoLeader();
    const start = endsAt();
    expect(await coLeader.command({ type: 'timer:adjust', minutes: 4 }, 'co-adjust-before')).toEqual({
      ok: true,
    });
    expect(
      await coLeader.command(
        { type: 'seat:setRole', seatId: coLeader.seatId, role: 'participant' },
        'co-steps-down-1',
      ),
    ).toEqual({ ok: true });
    expect(fx.app.hub.state(m.meetingId)?.seats.find((s) => s.id === coLeader.seatId)?.role).toBe(
      'participant',
    );
    // The retry after a lost ack: the seat's own applied command, acked again, applied once.
    expect(await coLeader.command({ type: 'timer:adjust', minutes: 4 }, 'co-adjust-before')).toEqual({
      ok: true,
    });
    expect(endsAt()).toBe(start + 4 * MIN);
    expect(await coLeader.command({ type: 'timer:adjust', minutes: 4 }, 'co-adjust-after')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await member.command({ type: 'timer:adjust', minutes: 4 }, 'co-adjust-before')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(endsAt()).toBe(start + 4 * MIN);
  });
});

describe('the commands table migration (WIRE-1)', () => {
  it('WIRE-1: a file from before keeps working: its seatless ids are dropped, and ids are then kept per seat', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'balint-cmd-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'old.sqlite');
    await openAsyncSqliteStorage({ file, synchronous: 'NORMAL' }).close();
    // The file as the previous release left it: version 2, command ids with no seat.
    const db = new Database(file);
    db.exec(`DROP TABLE commands;
      CREATE TABLE commands (meeting_id TEXT NOT NULL, command_id TEXT NOT NULL,
        PRIMARY KEY (meeting_id, command_id)) WITHOUT ROWID;
      INSERT INTO commands VALUES ('meeting-1', 'old-command-1');
      ALTER TABLE notes DROP COLUMN layout;
      ALTER TABLE notes DROP COLUMN resonance;
      ALTER TABLE meetings DROP COLUMN join_code_sealed;
      ALTER TABLE meetings DROP COLUMN version;
      DROP TABLE due_times;`);
    db.pragma('user_version = 2');
    db.close();

    const storage = openAsyncSqliteStorage({ file, synchronous: 'NORMAL' });
    onTestFinished(() => storage.close());
    expect(await storage.hasCommand('meeting-1', 'seat-a', 'old-command-1')).toBe(false);
    await storage.recordCommand('meeting-1', 'seat-a', 'new-command-1');
    expect(await storage.hasCommand('meeting-1', 'seat-a', 'new-command-1')).toBe(true);
    expect(await storage.hasCommand('meeting-1', 'seat-b', 'new-command-1')).toBe(false);
    const reader = new Database(file, { readonly: true });
    onTestFinished(() => void reader.close());
    const columns = (reader.pragma('table_info(commands)') as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['meeting_id', 'seat_id', 'command_id']);
    expect(
      reader.prepare('SELECT COUNT(*) FROM commands WHERE command_id = ?').pluck().get('old-command-1'),
    ).toBe(0);
  });
});

/**
 * Commands carry a client-made id: the same id sent again (a retry after a lost ack, a reconnect)
 * is acknowledged and applied once.
 */
import { describe, expect, it } from 'vitest';
import { MIN, startServer } from '../helpers/server-fixture';

async function runningMeeting() {
  const fx = await startServer();
  const m = await fx.api.createMeeting({ leaderName: 'Lea' });
  const seat = await fx.api.join(m.joinCode, 'Ida');
  const leader = await fx.connect(m.leaderToken, 'leader');
  const member = await fx.connect(seat.token, 'member');
  expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
  await Promise.all([leader.barrier(), member.barrier()]);
  const endsAt = () => {
    const cur = fx.app.hub.state(m.meetingId)?.current;
    if (cur?.timing.state !== 'running') throw new Error('no running phase');
    return cur.timing.endsAt;
  };
  return { fx, m, leader, member, endsAt };
}

describe('idempotent commands (DUR-2)', () => {
  it('DUR-2: timer:adjust +1 sent twice with the same id moves the deadline once', async () => {
    const { leader, member, endsAt } = await runningMeeting();
    const before = endsAt();
    expect(await leader.command({ type: 'timer:adjust', minutes: 1 }, 'adjust-plus-one')).toEqual({
      ok: true,
    });
    await Promise.all([leader.barrier(), member.barrier()]);
    const counts = [leader.states.length, member.states.length];
    expect(await leader.command({ type: 'timer:adjust', minutes: 1 }, 'adjust-plus-one')).toEqual({
      ok: true,
    });
    expect(endsAt()).toBe(before + MIN);
    expect(leader.view.timer?.endsAt).toBe(before + MIN);
    // The retry was acknowledged, not applied: nobody got a new snapshot for it.
    await Promise.all([leader.barrier(), member.barrier()]);
    expect([leader.states.length, member.states.length]).toEqual(counts);
  });

  it('DUR-2: duplicates sent back to back, without waiting for the first ack, apply once', async () => {
    const { leader, endsAt } = await runningMeeting();
    const before = endsAt();
    const acks = await Promise.all(
      Array.from({ length: 5 }, () => leader.command({ type: 'timer:adjust', minutes: 2 }, 'burst-0000001')),
    );
    expect(acks).toEqual(Array.from({ length: 5 }, () => ({ ok: true })));
    expect(endsAt()).toBe(before + 2 * MIN);
  });

  it('DUR-2: a retry after a reconnect, on a new connection of the same seat, applies once', async () => {
    const { fx, m, leader, endsAt } = await runningMeeting();
    const before = endsAt();
    expect(await leader.command({ type: 'timer:adjust', minutes: -3 }, 'before-the-drop')).toEqual({
      ok: true,
    });
    leader.close();
    const again = await fx.connect(m.leaderToken, 'leader again');
    expect(await again.command({ type: 'timer:adjust', minutes: -3 }, 'before-the-drop')).toEqual({
      ok: true,
    });
    expect(endsAt()).toBe(before - 3 * MIN);
    // A new id is a new command.
    expect(await again.command({ type: 'timer:adjust', minutes: -3 }, 'after-the-drop')).toEqual({
      ok: true,
    });
    expect(endsAt()).toBe(before - 6 * MIN);
  });

  it('DUR-2: ids are scoped to their meeting', async () => {
    const fx = await startServer();
    const a = await fx.api.createMeeting({});
    const b = await fx.api.createMeeting({});
    const leaderA = await fx.connect(a.leaderToken, 'leader A');
    const leaderB = await fx.connect(b.leaderToken, 'leader B');
    expect(await leaderA.command({ type: 'meeting:start' }, 'shared-id-0001')).toEqual({ ok: true });
    expect(await leaderB.command({ type: 'meeting:start' }, 'shared-id-0001')).toEqual({ ok: true });
    expect(fx.app.hub.state(a.meetingId)?.status).toBe('running');
    expect(fx.app.hub.state(b.meetingId)?.status).toBe('running');
  });
});

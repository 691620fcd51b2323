/**
 * Server-owned time with a ManualClock: auto-advance at the stored deadlines, overtime without
 * it, and the inactivity purge. The test moves the clock; nothing sleeps.
 */
import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { MIN, nextEvent, refusedHandshake, startServer } from '../helpers/server-fixture';

const HOUR = 60 * MIN;

async function stepBackMeeting(body: Record<string, unknown>, opts: { inactivityLimitMs?: number } = {}) {
  const fx = await startServer(opts);
  const clock = fx.clock as ManualClock;
  const m = await fx.api.createMeeting({ templateId: 'step-back-30', title: 'Tuesday consult', ...body });
  const seat = await fx.api.join(m.joinCode, 'Mira Member');
  const leader = await fx.connect(m.leaderToken, 'leader');
  const member = await fx.connect(seat.token, 'member');
  await Promise.all([leader.barrier(), member.barrier()]);
  return { fx, clock, m, leader, member };
}

describe('auto-advance at the stored deadlines (TIME-6)', () => {
  it('TIME-6: moves to the next phase exactly at the deadline, and catches up over several', async () => {
    const { fx, clock, m, leader, member } = await stepBackMeeting({ autoAdvance: true });
    expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    const t0 = clock.now();
    await Promise.all([leader.barrier(), member.barrier()]);

    // Just before the deadline: nothing happens, nobody is told anything.
    const counts = [leader.states.length, member.states.length];
    await fx.advance(10 * MIN - 1);
    await Promise.all([leader.barrier(), member.barrier()]);
    expect([leader.states.length, member.states.length]).toEqual(counts);

    const moved = [leader, member].map((c) => c.nextState((v) => v.currentIndex === 1));
    await fx.advance(1);
    const [lv, mv] = await Promise.all(moved);
    expect(lv?.timer).toEqual({
      state: 'running',
      startedAt: t0 + 10 * MIN,
      endsAt: t0 + 15 * MIN,
      remainingMs: null,
    });
    expect(lv?.serverNow).toBe(t0 + 10 * MIN);
    expect(mv?.timer).toBeUndefined();

    // Twenty minutes at once: phase 2 ends at +15, phase 3 at +25; the last phase is current.
    const last = leader.nextState((v) => v.currentIndex === 3);
    await fx.advance(20 * MIN);
    expect((await last).timer).toMatchObject({ startedAt: t0 + 25 * MIN, endsAt: t0 + 30 * MIN });

    // The last phase does not end by itself: overtime, still running.
    await fx.advance(30 * MIN);
    await leader.barrier();
    expect(fx.app.hub.state(m.meetingId)).toMatchObject({ status: 'running', current: { index: 3 } });
  });

  it('TIME-6, TIME-5: a paused phase does not advance; after resume the new deadline counts', async () => {
    const { fx, clock, leader } = await stepBackMeeting({ autoAdvance: true });
    expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    await fx.advance(4 * MIN);
    expect(await leader.command({ type: 'timer:pause' })).toEqual({ ok: true });
    await fx.advance(HOUR);
    await leader.barrier();
    expect(leader.view).toMatchObject({ currentIndex: 0, timer: { state: 'paused', remainingMs: 6 * MIN } });
    expect(await leader.command({ type: 'timer:resume' })).toEqual({ ok: true });
    const resumedAt = clock.now();
    const next = leader.nextState((v) => v.currentIndex === 1);
    await fx.advance(6 * MIN);
    expect((await next).timer?.startedAt).toBe(resumedAt + 6 * MIN);
  });

  it('TIME-1, TIME-2: without auto-advance a phase runs into overtime and +N still moves its deadline', async () => {
    const { fx, m, leader } = await stepBackMeeting({});
    expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    const endsAt = leader.view.timer?.endsAt as number;
    await fx.advance(25 * MIN);
    expect(await leader.command({ type: 'timer:adjust', minutes: 5 })).toEqual({ ok: true });
    expect(leader.view).toMatchObject({ currentIndex: 0, timer: { endsAt: endsAt + 5 * MIN } });
    expect((leader.view.timer?.endsAt as number) - leader.view.serverNow).toBe(-10 * MIN);
    expect(fx.app.hub.state(m.meetingId)?.current?.index).toBe(0);
  });
});

describe('a leader leaves the phase overdue under auto-advance (TIME-9)', () => {
  it('TIME-9: shortening past zero moves on at once, the next phase gets its full duration', async () => {
    const { fx, clock, m, leader, member } = await stepBackMeeting({
      autoAdvance: true,
      timerVisibility: 'everyone',
    });
    expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    await fx.advance(3 * MIN);
    const moved = [leader, member].map((c) => c.nextState((v) => v.currentIndex === 1));
    expect(await leader.command({ type: 'timer:adjust', minutes: -8 })).toEqual({ ok: true });
    for (const v of await Promise.all(moved)) {
      expect(v.timer).toEqual({
        state: 'running',
        startedAt: clock.now(),
        endsAt: clock.now() + 5 * MIN,
        remainingMs: null,
      });
    }
    // And the new phase's deadline is armed like any other.
    const next = leader.nextState((v) => v.currentIndex === 2);
    await fx.advance(5 * MIN);
    expect((await next).timer?.startedAt).toBe(clock.now());
    expect(fx.app.hub.state(m.meetingId)?.current?.index).toBe(2);
  });
});

describe('the inactivity purge (DUR-6, DUR-7)', () => {
  it('DUR-6, DUR-7: ends and deletes a meeting after the limit without activity, counted from the last command', async () => {
    const { fx, m, leader, member } = await stepBackMeeting(
      { autoAdvance: true },
      { inactivityLimitMs: HOUR },
    );
    await fx.advance(HOUR - MIN);
    expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    // Auto-advance ticks are no activity; the limit counts from the start command.
    await fx.advance(HOUR - 1);
    await leader.barrier();
    expect(fx.app.hub.state(m.meetingId)?.current?.index).toBe(3);

    const endings = [leader, member].map((c) =>
      Promise.all([nextEvent(c.socket, 'meeting:ended'), nextEvent<[string]>(c.socket, 'disconnect')]),
    );
    await fx.advance(1);
    for (const [[info], [reason]] of await Promise.all(endings)) {
      expect(info).toEqual({ meetingId: m.meetingId });
      expect(reason).toBe('io server disconnect');
    }
    expect(fx.app.hub.state(m.meetingId)).toBeNull();
    for (const token of [leader.token, member.token]) {
      expect(await refusedHandshake(fx.url, { token, protocolVersion: PROTOCOL_VERSION })).toBe(
        'unauthenticated',
      );
    }
    expect((await fx.api.request('POST', '/api/join', { code: m.joinCode, name: 'Late' })).status).toBe(404);

    // Gone from the database file and its WAL, not just unlinked.
    for (const file of [fx.dbFile, `${fx.dbFile}-wal`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      for (const secret of ['Tuesday consult', 'Mira Member', m.meetingId]) {
        expect(bytes.includes(Buffer.from(secret, 'utf8')), `${file} still holds ${secret}`).toBe(false);
      }
    }
  });

  it('DUR-6: counts from the planned start for a meeting created ahead', async () => {
    const fx = await startServer({ inactivityLimitMs: HOUR });
    const clock = fx.clock as ManualClock;
    const plannedStartAt = clock.now() + 3 * 24 * HOUR;
    const m = await fx.api.createMeeting({ plannedStartAt });
    const leader = await fx.connect(m.leaderToken, 'leader');
    await fx.advance(3 * 24 * HOUR + HOUR - 1);
    await leader.barrier();
    expect(fx.app.hub.state(m.meetingId)?.status).toBe('lobby');
    const ended = nextEvent(leader.socket, 'meeting:ended');
    await fx.advance(1);
    await ended;
    expect(fx.app.hub.state(m.meetingId)).toBeNull();
  });
});

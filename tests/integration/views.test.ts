/**
 * Per-role views on the wire: what a role must not see is absent from every payload its socket
 * received, not merely empty. Checks read the raw JSON each client recorded.
 */
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import type { MeetingView } from '../../shared/meeting/view';
import { NAMES, startCast, startServer, type Cast, type TestClient } from '../helpers/server-fixture';

const LEADER_ONLY = ['waiting', 'connections', 'projectedEndAt'] as const;

/** Every snapshot the client received, parsed back from the recorded raw JSON. */
function receivedViews(c: TestClient): MeetingView[] {
  return c.received
    .filter((r) => r.event === 'meeting:state')
    .map((r) => (JSON.parse(r.json) as [MeetingView])[0]);
}

/** Starts the cast with a waiting seat, a running phase and a few changes, all recorded. */
async function runningMeeting(body: Record<string, unknown> = {}) {
  const fx = await startServer();
  const cast = await startCast(fx, body);
  const { leader } = cast;
  const ok = { ok: true };
  expect(
    await leader.command({ type: 'seat:setRole', seatId: cast.coLeader.seatId, role: 'co-leader' }),
  ).toEqual(ok);
  expect(
    await leader.command({ type: 'presenter:set', caseIndex: 0, seatId: cast.presenter.seatId }),
  ).toEqual(ok);
  expect(await leader.command({ type: 'settings:update', locked: true })).toEqual(ok);
  const waitingSeat = await fx.api.join(cast.meeting.joinCode, NAMES.late);
  const waiting = await fx.connect(waitingSeat.token, 'waiting');
  expect(await leader.command({ type: 'meeting:start' })).toEqual(ok);
  (fx.clock as ManualClock).advance(60_000);
  expect(await leader.command({ type: 'timer:adjust', minutes: 2 })).toEqual(ok);
  expect(await leader.command({ type: 'timer:pause' })).toEqual(ok);
  expect(await leader.command({ type: 'timer:resume' })).toEqual(ok);
  const all = [...cast.everyone, waiting];
  await Promise.all(all.map((c) => c.barrier()));
  return { fx, cast, waiting, all, waitingSeat };
}

/** Keeps failure messages short: the payloads themselves can be long. */
function expectAbsent(json: string, needle: string, where: string): void {
  expect(json.includes(needle), `${where} contains ${JSON.stringify(needle)}`).toBe(false);
}

function allTokens(cast: Cast, waiting: TestClient): string[] {
  return [...cast.everyone, waiting].map((c) => c.token).concat(cast.meeting.projectorKey);
}

describe('views per role on the wire (VIEW-2..6)', () => {
  it('VIEW-2..6: members see no hidden timer, no waiting list, no connections, no projection, no join code', async () => {
    const { cast, waiting } = await runningMeeting();
    for (const member of [cast.alice, cast.bob, cast.presenter, cast.observer, waiting]) {
      const views = receivedViews(member);
      expect(views.length).toBeGreaterThan(3);
      for (const v of views) {
        for (const key of [...LEADER_ONLY, 'timer', 'joinCode'] as const) {
          expect(Object.keys(v), `${member.label} got ${key}`).not.toContain(key);
        }
      }
      const json = member.allJson();
      expectAbsent(json, cast.meeting.joinCode, member.label);
      expectAbsent(json, 'endsAt', member.label);
      // The waiting list's names stay with the leaders.
      if (member !== waiting) expectAbsent(json, NAMES.late, member.label);
    }
    // Everyone admitted sees who is present and in which role; observers are shown as observers.
    const seats = cast.alice.view.seats ?? [];
    expect(seats.find((s) => s.id === cast.observer.seatId)).toMatchObject({
      name: NAMES.observer,
      role: 'observer',
      effectiveRole: 'observer',
      connected: true,
    });
    expect(seats.find((s) => s.id === cast.coLeader.seatId)?.role).toBe('co-leader');
    expect(seats.find((s) => s.id === cast.presenter.seatId)?.effectiveRole).toBe('presenter');
    // A seat in the waiting list sees the meeting's outline, but nobody in it.
    expect(waiting.view.seats).toBeUndefined();
    for (const name of Object.values(NAMES).filter((n) => n !== NAMES.late)) {
      expectAbsent(waiting.allJson(), name, 'waiting');
    }
  });

  it('VIEW-3..5: leaders and the co-leader see timer, waiting list, connections, projected end and join code', async () => {
    const { cast, waitingSeat } = await runningMeeting();
    for (const lead of [cast.leader, cast.coLeader]) {
      const v = lead.view;
      expect(v.timer?.state).toBe('running');
      expect(v.joinCode).toBe(cast.meeting.joinCode);
      expect(v.waiting).toEqual([expect.objectContaining({ id: waitingSeat.seatId, name: NAMES.late })]);
      expect(typeof v.projectedEndAt).toBe('number');
      expect(v.connections?.[cast.alice.seatId]).toBe(1);
      expect(v.connections?.[waitingSeat.seatId]).toBe(1);
    }
  });

  it('VIEW-3, VIEW-5, VIEW-6: the projector gets timer and join code, and no name of anyone in any payload', async () => {
    const { fx, cast, waiting } = await runningMeeting({ timerVisibility: 'leaders' });
    const { projector } = cast;
    // More changes that carry names elsewhere: a rename-free role change and a removed seat.
    expect(
      await cast.leader.command({ type: 'seat:setRole', seatId: cast.bob.seatId, role: 'observer' }),
    ).toEqual({
      ok: true,
    });
    expect(await cast.leader.command({ type: 'seat:admit', seatId: waiting.seatId })).toEqual({ ok: true });
    expect(await cast.leader.command({ type: 'phase:next' })).toEqual({ ok: true });
    await projector.barrier();

    const views = receivedViews(projector);
    expect(views.length).toBeGreaterThan(5);
    for (const v of views) {
      expect(v.seats).toBeUndefined();
      for (const key of LEADER_ONLY) expect(Object.keys(v)).not.toContain(key);
      expect(v.you.name).toBe('');
    }
    expect(projector.view.timer?.state).toBe('running');
    expect(projector.view.joinCode).toBe(cast.meeting.joinCode);
    expect(projector.view.presence).toEqual({ connected: 8, total: 8 });

    const json = projector.allJson();
    const names = fx.app.hub
      .state(cast.meeting.meetingId)
      ?.seats.map((s) => s.name)
      .filter((n) => n !== '');
    expect(names?.sort()).toEqual(Object.values(NAMES).sort());
    for (const name of Object.values(NAMES)) {
      // Not the name, nor a part of one (first or last name alone).
      for (const part of [name, ...name.split(' ')]) expectAbsent(json, part, 'projector');
    }
  });

  it('API-7: no payload to anyone carries a seat token or the projector key', async () => {
    const { cast, waiting, all } = await runningMeeting();
    const secrets = allTokens(cast, waiting);
    for (const c of all) for (const secret of secrets) expectAbsent(c.allJson(), secret, c.label);
  });

  it("VIEW-3: timerVisibility 'everyone' shows the timer to members; 'leaders' takes it away again", async () => {
    const { fx, cast } = await runningMeeting();
    const members = [cast.alice, cast.presenter, cast.observer];
    const shown = members.map((c) => c.nextState((v) => v.timerVisibility === 'everyone'));
    expect(await cast.leader.command({ type: 'settings:update', timerVisibility: 'everyone' })).toEqual({
      ok: true,
    });
    const leaderEndsAt = cast.leader.view.timer?.endsAt;
    for (const v of await Promise.all(shown)) {
      expect(v.timer).toEqual(cast.leader.view.timer);
      expect(v.timer?.endsAt).toBe(leaderEndsAt);
      for (const key of LEADER_ONLY) expect(Object.keys(v)).not.toContain(key);
    }

    const hidden = members.map((c) => c.nextState((v) => v.timerVisibility === 'leaders'));
    expect(await cast.leader.command({ type: 'settings:update', timerVisibility: 'leaders' })).toEqual({
      ok: true,
    });
    for (const v of await Promise.all(hidden)) expect(Object.keys(v)).not.toContain('timer');
    expect(fx.app.hub.state(cast.meeting.meetingId)?.settings.timerVisibility).toBe('leaders');
  });
});

/**
 * A whole meeting from lobby to end on the real server, with every role connected through a real
 * socket.io-client. The clock is a ManualClock: each step moves it by a second first, so a
 * snapshot stamped with the new `serverNow` can only be the answer to that step.
 */
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import type { MeetingCommand } from '../../shared/meeting/commands';
import type { MeetingView } from '../../shared/meeting/view';
import {
  fragmentParam,
  MIN,
  NAMES,
  nextEvent,
  refusedHandshake,
  startCast,
  startServer,
  type TestClient,
} from '../helpers/server-fixture';
import { PROTOCOL_VERSION } from '../../shared/protocol';

const SEC = 1_000;

describe('a whole meeting, lobby to end (MEET-1, TIME-1..5, TIME-7, ROLE-1, ROLE-3, ROLE-4, ROLE-6, API-9, API-12)', () => {
  it('runs with leader, co-leader, presenter, participants, observer, projector and a late joiner', async () => {
    const fx = await startServer();
    const clock = fx.clock as ManualClock;

    // API-1: create answers 201 with the links; secrets ride in the fragment, never in the query.
    const cast = await startCast(fx, { templateId: 'classic-90-one-case' });
    const { meeting, leader, coLeader, presenter, alice, observer, projector } = cast;
    for (const link of [meeting.leaderLink, meeting.joinLink, meeting.projectorLink]) {
      expect(new URL(link).search).toBe('');
      expect(new URL(link).hash).not.toBe('');
    }
    expect(fragmentParam(meeting.joinLink, 'code')).toBe(meeting.joinCode);
    const everyone: TestClient[] = [...cast.everyone];

    expect(leader.view.status).toBe('lobby');
    expect(leader.view.you.role).toBe('leader');
    expect(leader.view.joinCode).toBe(meeting.joinCode);
    expect(leader.view.seats?.map((s) => s.name).sort()).toEqual(
      [NAMES.leader, NAMES.coLeader, NAMES.presenter, NAMES.alice, NAMES.bob, NAMES.observer, ''].sort(),
    );
    expect(observer.view.you.role).toBe('observer');
    expect(projector.view.you.role).toBe('projector');

    /**
     * One step: move the clock, send the command as `actor`, and wait until every connected
     * client has a snapshot stamped with the new time that also satisfies `check`.
     */
    const step = async (
      actor: TestClient,
      command: MeetingCommand,
      check: (v: MeetingView, c: TestClient) => boolean = () => true,
    ): Promise<Map<TestClient, MeetingView>> => {
      clock.advance(SEC);
      const now = clock.now();
      const waits = everyone.map((c) => c.nextState((v) => v.serverNow === now && check(v, c)));
      const ack = await actor.command(command);
      expect(ack, `${command.type} by ${actor.label}`).toEqual({ ok: true });
      const views = await Promise.all(waits);
      for (const v of views) expect(typeof v.serverNow).toBe('number');
      return new Map(everyone.map((c, i) => [c, views[i] as MeetingView]));
    };
    const leaderTimer = () => {
      const t = leader.view.timer;
      if (!t) throw new Error('the leader sees no timer');
      return t;
    };

    // MEET-7, ROLE-6, VIEW-2: lock, then a late joiner waits in the waiting list until admitted.
    await step(leader, { type: 'settings:update', locked: true }, (v) => v.locked);
    clock.advance(SEC);
    const lateSeat = await fx.api.join(meeting.joinCode, NAMES.late);
    const lateJoinAt = clock.now();
    await leader.waitFor((v) => v.waiting?.some((w) => w.id === lateSeat.seatId) ?? false);
    const late = await fx.connect(lateSeat.token, 'late');
    expect(late.view.seats).toBeUndefined();
    expect(late.view.timer).toBeUndefined();
    expect(late.view.joinCode).toBeUndefined();
    expect(leader.view.waiting).toEqual([{ id: lateSeat.seatId, name: NAMES.late, joinedAt: lateJoinAt }]);
    expect(alice.view.seats?.some((s) => s.id === lateSeat.seatId)).toBe(false);
    everyone.push(late);

    await step(
      leader,
      { type: 'seat:admit', seatId: lateSeat.seatId },
      (v) => v.presence.total === 8 && (v.waiting === undefined || v.waiting.length === 0),
    );
    expect(late.view.seats?.some((s) => s.id === lateSeat.seatId && s.name === NAMES.late)).toBe(true);
    expect(leader.view.waiting).toEqual([]);

    // ROLE-3, VIEW-8: a participant promoted to co-leader gets the leaders' view and rights.
    await step(leader, { type: 'seat:setRole', seatId: coLeader.seatId, role: 'co-leader' }, (v) =>
      v.seats === undefined ? true : v.seats.some((s) => s.id === coLeader.seatId && s.role === 'co-leader'),
    );
    expect(coLeader.view.you.role).toBe('co-leader');
    expect(coLeader.view.waiting).toEqual([]);
    expect(coLeader.view.joinCode).toBe(meeting.joinCode);

    // ROLE-4: the co-leader names the presenter of the first case.
    await step(coLeader, { type: 'presenter:set', caseIndex: 0, seatId: presenter.seatId }, (v) => {
      return v.cases[0]?.presenterSeatId === presenter.seatId;
    });
    expect(presenter.view.you.effectiveRole).toBe('presenter');
    expect(alice.view.seats?.find((s) => s.id === presenter.seatId)?.effectiveRole).toBe('presenter');

    // MEET-1, TIME-4, TIME-7: start; the first phase's deadline is now + its planned duration.
    const phases = leader.view.phases;
    const [p1, p2, , p4] = phases;
    if (!p1 || !p2 || !p4) throw new Error('the template has phases');
    await step(leader, { type: 'meeting:start' }, (v) => v.status === 'running' && v.currentIndex === 0);
    let startedAt = clock.now();
    expect(leaderTimer()).toEqual({
      state: 'running',
      startedAt,
      endsAt: startedAt + p1.plannedMs,
      remainingMs: null,
    });
    expect(alice.view.timer).toBeUndefined();
    expect(projector.view.timer?.endsAt).toBe(startedAt + p1.plannedMs);
    expect(leader.view.projectedEndAt).toBe(startedAt + phases.reduce((sum, p) => sum + p.plannedMs, 0));

    // TIME-5: pause freezes the time left; resume sets a new deadline from it.
    clock.advance(MIN - SEC);
    await step(leader, { type: 'timer:pause' }, (v, c) => c !== leader || v.timer?.state === 'paused');
    expect(leaderTimer()).toMatchObject({ state: 'paused', endsAt: null, remainingMs: p1.plannedMs - MIN });
    clock.advance(10 * MIN - SEC);
    await step(coLeader, { type: 'timer:resume' }, (v, c) => c !== leader || v.timer?.state === 'running');
    startedAt += 10 * MIN;
    expect(leaderTimer()).toEqual({
      state: 'running',
      startedAt,
      endsAt: clock.now() + p1.plannedMs - MIN,
      remainingMs: null,
    });

    // TIME-1 / TIME-2: +N moves the deadline by N minutes, -N by N minutes.
    let endsAt = leaderTimer().endsAt as number;
    await step(
      leader,
      { type: 'timer:adjust', minutes: 3 },
      (v, c) => c !== leader || v.timer?.endsAt !== endsAt,
    );
    expect(leaderTimer().endsAt).toBe(endsAt + 3 * MIN);
    endsAt += 3 * MIN;
    await step(
      leader,
      { type: 'timer:adjust', minutes: -2 },
      (v, c) => c !== leader || v.timer?.endsAt !== endsAt,
    );
    expect(leaderTimer().endsAt).toBe(endsAt - 2 * MIN);

    // TIME-3: a new planned duration for the running phase: the deadline is start + new duration.
    await step(leader, { type: 'phase:setDuration', phaseId: p1.id, minutes: 7 }, (v) => {
      return v.phases[0]?.plannedMs === 7 * MIN;
    });
    expect(leaderTimer().endsAt).toBe(startedAt + 7 * MIN);

    // TIME-4: next, previous and jump start the target phase afresh with its planned duration.
    await step(coLeader, { type: 'phase:next' }, (v) => v.currentIndex === 1);
    expect(leaderTimer()).toMatchObject({ startedAt: clock.now(), endsAt: clock.now() + p2.plannedMs });
    clock.advance(2 * MIN);
    await step(leader, { type: 'phase:previous' }, (v) => v.currentIndex === 0);
    expect(leaderTimer()).toMatchObject({ startedAt: clock.now(), endsAt: clock.now() + 7 * MIN });
    await step(leader, { type: 'phase:jump', phaseId: p4.id }, (v) => v.currentIndex === 3);
    expect(leaderTimer()).toMatchObject({ startedAt: clock.now(), endsAt: clock.now() + p4.plannedMs });

    // MEET-6: a second case repeats the case phases before the closing phase.
    await step(leader, { type: 'case:add' }, (v) => v.cases.length === 2);
    const after = leader.view.phases;
    expect(after).toHaveLength(phases.length + 5);
    expect(after.at(-1)?.kind).toBe('closing');
    expect(after.filter((p) => p.caseIndex === 1).map((p) => p.kind)).toEqual(
      phases.filter((p) => p.caseIndex === 0).map((p) => p.kind),
    );

    // MEET-1, API-12: end. Everyone gets a last snapshot, then 'meeting:ended', then the connection closes.
    clock.advance(SEC);
    const endedWaits = everyone.map((c) =>
      Promise.all([
        c.nextState((v) => v.status === 'ended'),
        nextEvent<[{ meetingId: string }]>(c.socket, 'meeting:ended'),
        nextEvent<[string]>(c.socket, 'disconnect'),
      ]),
    );
    expect(await leader.command({ type: 'meeting:end' })).toEqual({ ok: true });
    for (const [, [info], [reason]] of await Promise.all(endedWaits)) {
      expect(info).toEqual({ meetingId: meeting.meetingId });
      expect(reason).toBe('io server disconnect');
    }

    // API-12, DUR-7: tokens, the join code and the projector key stop working; nothing is left.
    for (const c of everyone) {
      expect(await refusedHandshake(fx.url, { token: c.token, protocolVersion: PROTOCOL_VERSION })).toBe(
        'unauthenticated',
      );
    }
    expect(
      (await fx.api.request('POST', '/api/join', { code: meeting.joinCode, name: 'Too Late' })).status,
    ).toBe(404);
    const projectorAgain = await fx.api.request('POST', `/api/meetings/${meeting.meetingId}/projector`, {
      key: meeting.projectorKey,
    });
    expect(projectorAgain.status).toBe(401);
    expect(fx.app.hub.state(meeting.meetingId)).toBeNull();
    expect(await fx.storage.loadLiveMeetings()).toEqual([]);
  });
});

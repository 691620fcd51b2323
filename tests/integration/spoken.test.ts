/**
 * The spoken work on the real server with real Socket.IO clients (SPEC.md INTAKE-n, HANDS-n,
 * ROUND-n, FORMAT-n, VIEW-6): every person's own snapshot, and what it must not hold.
 */
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import type { MeetingCommand } from '../../shared/meeting/commands';
import { NAMES, startCast, startServer } from '../helpers/server-fixture';

const roundStart: Extract<MeetingCommand, { type: 'round:start' }> = {
  type: 'round:start',
  order: 'seating',
  turnSeconds: 40,
  turnTimeFor: 'speaker',
  addSeatIds: [],
  addNames: ['Nadia Nophone'],
};

describe('case intake with real clients', () => {
  it('INTAKE-2, INTAKE-3, INTAKE-4, INTAKE-5: volunteers in order, a name-only entry, the pick presents, labels only for leaders until shown', async () => {
    const fx = await startServer();
    const cast = await startCast(fx, { format: 'hybrid' });
    expect(await cast.leader.command({ type: 'intake:open' })).toEqual({ ok: true });
    await cast.alice.waitFor((v) => v.spoken?.intake?.open === true);
    expect(
      await cast.alice.command({ type: 'intake:volunteer', label: 'the father who keeps calling' }),
    ).toEqual({
      ok: true,
    });
    expect(await cast.bob.command({ type: 'intake:volunteer' })).toEqual({ ok: true });
    expect(await cast.leader.command({ type: 'intake:add', name: 'Nadia Nophone' })).toEqual({ ok: true });
    expect(await cast.observer.command({ type: 'intake:volunteer' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    const lead = await cast.leader.waitFor((v) => v.spoken?.intake?.volunteers.length === 3);
    expect(lead.spoken?.intake?.volunteers.map((v) => [v.name, v.label])).toEqual([
      [NAMES.alice, 'the father who keeps calling'],
      [NAMES.bob, undefined],
      ['Nadia Nophone', undefined],
    ]);
    const seen = await cast.bob.waitFor((v) => v.spoken?.intake?.volunteers.length === 3);
    expect(seen.spoken?.intake?.volunteers.map((v) => v.name)).toEqual([
      NAMES.alice,
      NAMES.bob,
      'Nadia Nophone',
    ]);
    expect(JSON.stringify(seen)).not.toContain('keeps calling');
    await cast.projector.barrier();
    expect(cast.projector.allJson()).not.toContain('keeps calling');
    expect(cast.projector.view.spoken?.intake).toBeUndefined();

    expect(await cast.leader.command({ type: 'intake:showLabels', shown: true })).toEqual({ ok: true });
    const shown = await cast.bob.waitFor((v) => v.spoken?.intake?.labelsShown === true);
    expect(shown.spoken?.intake?.volunteers[0]?.label).toBe('the father who keeps calling');
    await cast.projector.barrier();
    expect(cast.projector.allJson()).not.toContain('keeps calling');

    const nadia = lead.spoken?.intake?.volunteers[2];
    if (!nadia) throw new Error('Nadia volunteered');
    expect(await cast.leader.command({ type: 'intake:pick', volunteerId: nadia.id, caseIndex: 0 })).toEqual({
      ok: true,
    });
    const picked = await cast.alice.waitFor((v) => v.spoken?.presenterNames?.[0] === 'Nadia Nophone');
    expect(picked.cases[0]?.presenterSeatId).toBeNull();
    expect(picked.seats?.map((s) => s.effectiveRole)).not.toContain('presenter');
    // The others stay for the next case; one withdraws.
    expect(picked.spoken?.intake?.volunteers.map((v) => v.name)).toEqual([NAMES.alice, NAMES.bob]);
    expect(await cast.bob.command({ type: 'intake:withdraw' })).toEqual({ ok: true });
    const left = await cast.leader.waitFor((v) => v.spoken?.intake?.volunteers.length === 1);
    const alma = left.spoken?.intake?.volunteers[0];
    if (!alma) throw new Error('Alma stays');
    expect(await cast.leader.command({ type: 'intake:pick', volunteerId: alma.id, caseIndex: 0 })).toEqual({
      ok: true,
    });
    const me = await cast.alice.waitFor((v) => v.you.effectiveRole === 'presenter');
    expect(me.spoken?.presenterNames?.[0]).toBeNull();
  });
});

describe('raised hands with real clients', () => {
  it('HANDS-2, HANDS-4, HANDS-7: ordered hands; members see count and place, leaders the order; a hand survives its seat disconnecting', async () => {
    const fx = await startServer();
    const cast = await startCast(fx, { format: 'online' });
    expect(await cast.leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    await cast.bob.waitFor((v) => v.status === 'running' && v.spoken?.handsEnabled === true);
    expect(await cast.bob.command({ type: 'hand:raise' })).toEqual({ ok: true });
    expect(await cast.alice.command({ type: 'hand:raise' })).toEqual({ ok: true });
    const alice = await cast.alice.waitFor((v) => v.spoken?.hands?.count === 2);
    expect(alice.spoken?.hands).toEqual({ count: 2, yourPlace: 2, called: null });
    expect(JSON.stringify(alice.spoken)).not.toContain(NAMES.bob);
    const lead = await cast.leader.waitFor((v) => v.spoken?.hands?.count === 2);
    expect(lead.spoken?.hands?.queue?.map((h) => h.name)).toEqual([NAMES.bob, NAMES.alice]);

    // Bob's phone drops: his hand stays up, first in line.
    const bobToken = cast.bob.token;
    cast.bob.close();
    await cast.leader.waitFor((v) => v.seats?.find((s) => s.name === NAMES.bob)?.connected === false);
    expect(cast.leader.view.spoken?.hands?.queue?.map((h) => h.name)).toEqual([NAMES.bob, NAMES.alice]);
    const back = await fx.connect(bobToken, 'bob again');
    expect((await back.waitFor((v) => v.spoken !== undefined)).spoken?.hands?.yourPlace).toBe(1);

    expect(await cast.coLeader.command({ type: 'hands:next' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await cast.leader.command({ type: 'hands:next' })).toEqual({ ok: true });
    const called = await cast.observer.waitFor(
      (v) => v.spoken?.hands?.called !== null && v.spoken?.hands?.called !== undefined,
    );
    expect(called.spoken?.hands).toMatchObject({ count: 1, called: { name: NAMES.bob } });
    // HANDS-5: the phase ends, the hands drop.
    expect(await cast.leader.command({ type: 'phase:next' })).toEqual({ ok: true });
    const dropped = await cast.alice.waitFor((v) => v.currentIndex === 1);
    expect(dropped.spoken?.hands).toEqual({ count: 0, yourPlace: null, called: null });
  });
});

describe('rounds with real clients', () => {
  it('ROUND-1, ROUND-4, ROUND-5, ROUND-6, VIEW-6: whose turn and who is next on every screen; the projector gets exactly the two names; the turn time for leaders and the speaker', async () => {
    const fx = await startServer();
    const clock = fx.clock as ManualClock;
    const cast = await startCast(fx, { format: 'online' });
    for (const c of [cast.coLeader, cast.presenter, cast.alice, cast.bob]) {
      await c.waitFor((v) => v.seats !== undefined);
    }
    expect(
      await cast.leader.command({
        type: 'seating:set',
        seatIds: [cast.bob.seatId, cast.alice.seatId, cast.presenter.seatId, cast.coLeader.seatId],
      }),
    ).toEqual({ ok: true });
    expect(await cast.leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    expect(await cast.leader.command(roundStart)).toEqual({ ok: true });
    const startedAt = clock.now();

    const lead = await cast.leader.waitFor((v) => v.spoken?.round != null);
    expect(lead.spoken?.round?.entries?.map((e) => e.name)).toEqual([
      NAMES.bob,
      NAMES.alice,
      NAMES.presenter,
      NAMES.coLeader,
      'Nadia Nophone',
    ]);
    expect(lead.spoken?.round).toMatchObject({
      speakerName: NAMES.bob,
      nextName: NAMES.alice,
      turnMs: 40_000,
      totalMs: 200_000,
      turnTimer: { state: 'running', endsAt: startedAt + 40_000 },
    });
    const bob = await cast.bob.waitFor((v) => v.spoken?.round != null);
    expect(bob.spoken?.round).toMatchObject({ yourTurn: true, turnTimer: { endsAt: startedAt + 40_000 } });
    const alice = await cast.alice.waitFor((v) => v.spoken?.round != null);
    expect(alice.spoken?.round).toMatchObject({
      yourTurn: false,
      speakerName: NAMES.bob,
      nextName: NAMES.alice,
    });
    expect(alice.spoken?.round).not.toHaveProperty('turnTimer');
    const proj = await cast.projector.waitFor((v) => v.spoken?.round != null);
    expect(proj.spoken).toEqual({
      format: 'online',
      handsEnabled: true,
      round: { speakerName: NAMES.bob, nextName: NAMES.alice },
    });
    expect(proj.seats).toBeUndefined();
    for (const absent of [NAMES.presenter, NAMES.coLeader, NAMES.observer, 'Nadia Nophone']) {
      expect(JSON.stringify(proj)).not.toContain(absent);
    }

    // Raising a hand waits while the round runs.
    expect(await cast.alice.command({ type: 'hand:raise' })).toMatchObject({
      ok: false,
      error: { code: 'wrong-status' },
    });
    // "I pass": only the speaker, and the stone stays.
    expect(await cast.alice.command({ type: 'round:pass' })).toMatchObject({
      ok: false,
      error: { code: 'wrong-status' },
    });
    expect(await cast.bob.command({ type: 'round:pass' })).toEqual({ ok: true });
    const passed = await cast.leader.waitFor((v) => v.spoken?.round?.entries?.[0]?.passed === true);
    expect(passed.spoken?.round?.speakerName).toBe(NAMES.bob);
    // Bob is not connected any more: the stone does not skip him; the leader moves it on.
    cast.bob.close();
    await cast.leader.waitFor((v) => v.seats?.find((s) => s.name === NAMES.bob)?.connected === false);
    expect(cast.leader.view.spoken?.round?.speakerName).toBe(NAMES.bob);
    clock.advance(50_000);
    expect(await cast.leader.command({ type: 'round:next' })).toEqual({ ok: true });
    const next = await cast.alice.waitFor((v) => v.spoken?.round?.yourTurn === true);
    expect(next.spoken?.round).toMatchObject({ speakerName: NAMES.alice, nextName: NAMES.presenter });
    expect(next.spoken?.round?.turnTimer).toMatchObject({ endsAt: clock.now() + 40_000 });
    await cast.projector.waitFor((v) => v.spoken?.round?.speakerName === NAMES.alice);

    // ROUND-7: a paused phase pauses the turn.
    clock.advance(10_000);
    expect(await cast.leader.command({ type: 'timer:pause' })).toEqual({ ok: true });
    const paused = await cast.alice.waitFor((v) => v.spoken?.round?.turnTimer?.state === 'paused');
    expect(paused.spoken?.round?.turnTimer?.remainingMs).toBe(30_000);
    expect(await cast.leader.command({ type: 'round:end' })).toEqual({ ok: true });
    expect((await cast.projector.waitFor((v) => v.spoken?.round === null)).spoken?.round).toBeNull();
  });

  it("ROUND-2: a shuffled order comes from the server's injected random source, the same on every screen", async () => {
    const fx = await startServer();
    const cast = await startCast(fx);
    expect(await cast.leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    expect(await cast.leader.command({ ...roundStart, order: 'shuffled', addNames: [] })).toEqual({
      ok: true,
    });
    const lead = await cast.leader.waitFor((v) => v.spoken?.round != null);
    const alice = await cast.alice.waitFor((v) => v.spoken?.round != null);
    const names = lead.spoken?.round?.entries?.map((e) => e.name) ?? [];
    expect([...names].sort()).toEqual([NAMES.alice, NAMES.bob, NAMES.coLeader, NAMES.presenter].sort());
    expect(alice.spoken?.round?.entries?.map((e) => e.name)).toEqual(names);
  });

  it('FORMAT-1: the format is chosen at creation and refused when unknown', async () => {
    const fx = await startServer();
    const online = await fx.api.createMeeting({ format: 'online' });
    const leader = await fx.connect(online.leaderToken, 'leader');
    expect((await leader.waitFor((v) => v.spoken !== undefined)).spoken).toMatchObject({
      format: 'online',
      handsEnabled: true,
    });
    const bad = await fetch(`${fx.url}/api/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'moon' }),
    });
    expect(bad.status).toBe(400);
  });
});

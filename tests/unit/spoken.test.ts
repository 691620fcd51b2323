/**
 * The spoken work in the pure transition (SPEC.md FORMAT-n, INTAKE-n, HANDS-n, ROUND-n, VIEW-6):
 * case intake, raised hands, rounds and the meeting's format, through `transition` and
 * `projectView` only.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES as E } from '../../shared/errors';
import type { MeetingCommand } from '../../shared/meeting/commands';
import { createMeetingState } from '../../shared/meeting/create';
import { projectView } from '../../shared/meeting/project';
import { effectiveRole, findSeat } from '../../shared/meeting/roles';
import type { MeetingState } from '../../shared/meeting/state';
import { findBuiltInTemplate } from '../../shared/meeting/templates';
import { transition } from '../../shared/meeting/transition';
import { by, MIN, must, SEAT, situations, T0 } from '../helpers/meetingFixtures';

const S = situations();
const ctx = { now: T0, connections: new Map<string, number>(), joinCode: 'ABCD-EFGH' };
const viewOf = (s: MeetingState, seatId: string) => {
  const v = projectView(s, seatId, ctx);
  if (!v) throw new Error('no view');
  return v;
};
const run = (
  s: MeetingState,
  c: MeetingCommand,
  seatId: string = SEAT.leader,
  now = T0 + 10 * MIN,
  random?: () => number,
) => must(transition(s, c, now, by(seatId), random));
const refused = (s: MeetingState, c: MeetingCommand, seatId: string = SEAT.leader, now = T0 + 10 * MIN) => {
  const r = transition(s, c, now, by(seatId));
  return r.ok ? 'ok' : r.error.code;
};
type RoundStart = Extract<MeetingCommand, { type: 'round:start' }>;
const startRound = (over: Partial<RoundStart> = {}): RoundStart => ({
  type: 'round:start',
  order: 'seating',
  turnSeconds: null,
  turnTimeFor: 'leaders',
  addSeatIds: [],
  addNames: [],
  ...over,
});

/** Running in the presentation (case 0), hands on. */
const online = () => run(S.running.state, { type: 'meeting:setFormat', format: 'online' });

describe('FORMAT: in the room, online or hybrid', () => {
  it('FORMAT-1: a new meeting is in the room unless told otherwise; hands are off in the room only', () => {
    const template = findBuiltInTemplate('classic-90-one-case');
    if (!template) throw new Error('template');
    const base = { id: 'm', title: 't', template, leaderSeatId: 'l', leaderName: 'L', now: T0 };
    expect(createMeetingState(base).spoken).toMatchObject({ format: 'room', hands: { enabled: false } });
    expect(createMeetingState({ ...base, format: 'online' }).spoken).toMatchObject({
      format: 'online',
      hands: { enabled: true },
    });
    expect(createMeetingState({ ...base, format: 'hybrid' }).spoken?.hands.enabled).toBe(true);
  });

  it('FORMAT-1: a meeting stored before protocol 3 (no spoken state) loads, reads as in the room, and takes the new commands', () => {
    const old = structuredClone(S.running.state);
    delete old.spoken;
    expect(viewOf(old, SEAT.participant).spoken).toMatchObject({
      format: 'room',
      handsEnabled: false,
      round: null,
    });
    const opened = run(old, { type: 'intake:open' });
    expect(opened.spoken?.intake.open).toBe(true);
  });

  it('FORMAT-2: changing the format while the meeting runs brings its defaults; hands up drop when it becomes the room', () => {
    const s = online();
    const raised = run(s, { type: 'hand:raise' }, SEAT.participant);
    expect(raised.spoken?.hands.queue).toEqual([SEAT.participant]);
    const room = run(raised, { type: 'meeting:setFormat', format: 'room' });
    expect(room.spoken?.hands).toMatchObject({ enabled: false, queue: [] });
    expect(viewOf(room, SEAT.presenter).spoken?.format).toBe('room');
  });
});

describe('INTAKE: who has a case', () => {
  const open = () => run(S.lobby.state, { type: 'intake:open' });

  it('INTAKE-2: participants volunteer from their own seat, in order, once; withdraw takes them out', () => {
    let s = open();
    s = run(s, { type: 'intake:volunteer', label: '  the father who keeps calling ' }, SEAT.participant);
    s = run(s, { type: 'intake:volunteer' }, SEAT.presenter);
    expect(s.spoken?.intake.queue.map((v) => [v.seatId, v.label])).toEqual([
      [SEAT.participant, 'the father who keeps calling'],
      [SEAT.presenter, ''],
    ]);
    expect(refused(s, { type: 'intake:volunteer' }, SEAT.participant)).toBe(E.WRONG_STATUS);
    expect(refused(s, { type: 'intake:volunteer' }, SEAT.observer)).toBe(E.FORBIDDEN);
    expect(refused(s, { type: 'intake:volunteer' }, SEAT.leader)).toBe(E.FORBIDDEN);
    s = run(s, { type: 'intake:withdraw' }, SEAT.participant);
    expect(s.spoken?.intake.queue.map((v) => v.seatId)).toEqual([SEAT.presenter]);
    const closed = run(s, { type: 'intake:close' });
    expect(refused(closed, { type: 'intake:volunteer' }, SEAT.participant)).toBe(E.WRONG_STATUS);
    expect(closed.spoken?.intake.queue).toHaveLength(1);
  });

  it('INTAKE-1: a label longer than 80 characters is refused by the wire schema', async () => {
    const { meetingCommandSchema } = await import('../../shared/meeting/commands');
    expect(meetingCommandSchema.safeParse({ type: 'intake:volunteer', label: 'x'.repeat(81) }).success).toBe(
      false,
    );
    expect(meetingCommandSchema.safeParse({ type: 'intake:add', seatId: 'a', name: 'b' }).success).toBe(
      false,
    );
    expect(meetingCommandSchema.safeParse({ type: 'intake:add' }).success).toBe(false);
  });

  it('INTAKE-3, INTAKE-4: a leader enters a seat or a name; the pick presents the case, the others stay', () => {
    let s = open();
    s = run(s, { type: 'intake:add', name: 'Ada' });
    s = run(s, { type: 'intake:add', seatId: SEAT.participant });
    expect(refused(s, { type: 'intake:add', seatId: SEAT.participant })).toBe(E.WRONG_STATUS);
    const [ada, max] = s.spoken?.intake.queue ?? [];
    if (!ada || !max) throw new Error('queue');
    const picked = run(s, { type: 'intake:pick', volunteerId: max.id, caseIndex: 0 });
    expect(picked.cases[0]?.presenterSeatId).toBe(SEAT.participant);
    expect(picked.spoken?.intake.queue.map((v) => v.name)).toEqual(['Ada']);
    expect(picked.spoken?.intake.open).toBe(false);
    const seat = findSeat(picked, SEAT.participant);
    if (!seat) throw new Error('seat');
    expect(effectiveRole(picked, seat)).toBe('presenter');
  });

  it('INTAKE-4: picking a name-only volunteer makes a presenter without a device: no seat presents, nobody listens', () => {
    let s = run(S.running.state, { type: 'intake:add', name: 'Ada' });
    const ada = s.spoken?.intake.queue[0];
    if (!ada) throw new Error('queue');
    s = run(s, { type: 'intake:pick', volunteerId: ada.id, caseIndex: 0 });
    expect(s.cases[0]?.presenterSeatId).toBeNull();
    expect(s.spoken?.presenterNames[0]).toBe('Ada');
    expect(s.seats.map((x) => effectiveRole(s, x))).not.toContain('presenter');
    expect(viewOf(s, SEAT.participant).spoken?.presenterNames).toEqual(['Ada']);
    // Naming a seat later replaces the name-only presenter.
    const named = run(s, { type: 'presenter:set', caseIndex: 0, seatId: SEAT.presenter });
    expect(named.spoken?.presenterNames[0]).toBeNull();
  });

  it('INTAKE-5: everyone but the projector sees who volunteered; labels only leaders, until a leader shows them', () => {
    let s = open();
    s = run(s, { type: 'intake:volunteer', label: 'the caller' }, SEAT.participant);
    expect(viewOf(s, SEAT.leader).spoken?.intake?.volunteers).toEqual([
      { id: 'v1', seatId: SEAT.participant, name: 'Max', label: 'the caller' },
    ]);
    expect(viewOf(s, SEAT.observer).spoken?.intake?.volunteers).toEqual([
      { id: 'v1', seatId: SEAT.participant, name: 'Max' },
    ]);
    expect(viewOf(s, SEAT.projector).spoken?.intake).toBeUndefined();
    expect(JSON.stringify(viewOf(s, SEAT.projector))).not.toContain('the caller');
    s = run(s, { type: 'intake:showLabels', shown: true });
    expect(viewOf(s, SEAT.observer).spoken?.intake?.volunteers[0]?.label).toBe('the caller');
    expect(JSON.stringify(viewOf(s, SEAT.projector))).not.toContain('the caller');
  });

  it('INTAKE-6: a removed or re-roled seat leaves the queue; the end of the meeting empties it', () => {
    let s = run(S.running.state, { type: 'intake:open' });
    s = run(s, { type: 'intake:volunteer', label: 'the caller' }, SEAT.participant);
    s = run(s, { type: 'intake:volunteer' }, SEAT.presenter);
    s = run(s, { type: 'intake:add', name: 'Ada' });
    const reroled = run(s, { type: 'seat:setRole', seatId: SEAT.presenter, role: 'observer' });
    expect(reroled.spoken?.intake.queue.map((v) => v.seatId)).toEqual([SEAT.participant, null]);
    const removed = run(reroled, { type: 'seat:remove', seatId: SEAT.participant });
    expect(removed.spoken?.intake.queue.map((v) => v.name)).toEqual(['Ada']);
    const ended = run(s, { type: 'meeting:end' });
    expect(ended.spoken?.intake.queue).toEqual([]);
    expect(JSON.stringify(ended)).not.toContain('the caller');
  });
});

describe('HANDS: raised hands', () => {
  it('HANDS-2: members see the count and their own place; leaders see the order with names', () => {
    let s = online();
    s = run(s, { type: 'hand:raise' }, SEAT.participant);
    s = run(s, { type: 'hand:raise' }, SEAT.presenter);
    expect(refused(s, { type: 'hand:raise' }, SEAT.participant)).toBe(E.WRONG_STATUS);
    expect(refused(s, { type: 'hand:raise' }, SEAT.observer)).toBe(E.FORBIDDEN);
    expect(viewOf(s, SEAT.presenter).spoken?.hands).toEqual({ count: 2, yourPlace: 2, called: null });
    expect(viewOf(s, SEAT.observer).spoken?.hands).toEqual({ count: 2, yourPlace: null, called: null });
    expect(viewOf(s, SEAT.coLeader).spoken?.hands?.queue).toEqual([
      { seatId: SEAT.participant, name: 'Max' },
      { seatId: SEAT.presenter, name: 'Pia' },
    ]);
    expect(viewOf(s, SEAT.projector).spoken?.hands).toBeUndefined();
    s = run(s, { type: 'hand:lower' }, SEAT.participant);
    expect(viewOf(s, SEAT.presenter).spoken?.hands?.yourPlace).toBe(1);
  });

  it('HANDS-1: hands are refused while off and outside a running phase', () => {
    expect(refused(S.running.state, { type: 'hand:raise' }, SEAT.participant)).toBe(E.WRONG_STATUS);
    const lobby = run(S.lobby.state, { type: 'hands:enable', enabled: true });
    expect(refused(lobby, { type: 'hand:raise' }, SEAT.participant)).toBe(E.WRONG_STATUS);
  });

  it('HANDS-4: a leader calls the next hand (it leaves the list) or clears them all', () => {
    let s = online();
    s = run(s, { type: 'hand:raise' }, SEAT.participant);
    s = run(s, { type: 'hand:raise' }, SEAT.presenter);
    s = run(s, { type: 'hands:next' });
    expect(s.spoken?.hands).toMatchObject({ queue: [SEAT.presenter], called: SEAT.participant });
    expect(viewOf(s, SEAT.observer).spoken?.hands?.called).toEqual({ seatId: SEAT.participant, name: 'Max' });
    s = run(s, { type: 'hands:clear' });
    expect(s.spoken?.hands).toMatchObject({ queue: [], called: null });
  });

  it('HANDS-5: hands drop when their phase ends', () => {
    let s = online();
    s = run(s, { type: 'hand:raise' }, SEAT.participant);
    s = run(s, { type: 'phase:next' });
    expect(s.spoken?.hands.queue).toEqual([]);
  });

  it('HANDS-6: the presenter cannot raise a hand while listening', () => {
    let s = online();
    s = run(s, { type: 'phase:jump', phaseId: 'p5' }); // speculation: the presenter listens
    expect(refused(s, { type: 'hand:raise' }, SEAT.presenter)).toBe(E.LISTENING);
    expect(refused(s, { type: 'hand:raise' }, SEAT.participant)).toBe('ok');
  });

  it('HANDS-3: while a round runs raising is paused, and hands already up keep their order', () => {
    let s = online();
    s = run(s, { type: 'hand:raise' }, SEAT.participant);
    s = run(s, startRound());
    expect(refused(s, { type: 'hand:raise' }, SEAT.presenter)).toBe(E.WRONG_STATUS);
    expect(s.spoken?.hands.queue).toEqual([SEAT.participant]);
    s = run(s, { type: 'round:end' });
    s = run(s, { type: 'hand:raise' }, SEAT.presenter);
    expect(s.spoken?.hands.queue).toEqual([SEAT.participant, SEAT.presenter]);
  });
});

describe('ROUND: the talking stone', () => {
  const names = (s: MeetingState) => viewOf(s, SEAT.leader).spoken?.round?.entries?.map((e) => e.name);

  it('ROUND-1: participants and the presenter (outside listening), then added seats and names', () => {
    let s = run(S.running.state, startRound({ addSeatIds: [SEAT.observer], addNames: ['Ada'] }));
    expect(names(s)).toEqual(['Pia', 'Max', 'Olga', 'Ada']);
    s = run(run(s, { type: 'round:end' }), { type: 'phase:jump', phaseId: 'p5' });
    expect(names(run(s, startRound()))).toEqual(['Max']);
    expect(refused(S.lobby.state, startRound())).toBe(E.WRONG_STATUS);
  });

  it('ROUND-2: the seating order the leaders arranged, new arrivals at the end; shuffled by the injected source; presenter last', () => {
    let s = run(S.running.state, { type: 'seating:set', seatIds: [SEAT.participant, SEAT.presenter] });
    s = must(
      transition(s, { type: 'seat:join', seatId: 'seat-new', role: 'participant', name: 'Nia' }, T0, {
        kind: 'server',
      }),
    );
    expect(names(run(s, startRound()))).toEqual(['Max', 'Pia', 'Nia']);
    expect(names(run(S.running.state, startRound({ order: 'presenter-last' })))).toEqual(['Max', 'Pia']);
    const a = run(s, startRound({ order: 'shuffled' }), SEAT.leader, T0, () => 0);
    const b = run(s, startRound({ order: 'shuffled' }), SEAT.leader, T0, () => 0);
    expect(names(a)).toEqual(names(b));
    expect(names(a)).toEqual(['Pia', 'Nia', 'Max']);
  });

  it('ROUND-4: only a leader moves the stone; past the last speaker the round is over; end ends it', () => {
    let s = run(S.running.state, startRound());
    expect(viewOf(s, SEAT.observer).spoken?.round).toMatchObject({ speakerName: 'Pia', nextName: 'Max' });
    expect(refused(s, { type: 'round:next' }, SEAT.presenter)).toBe(E.FORBIDDEN);
    s = run(s, { type: 'round:next' });
    expect(viewOf(s, SEAT.observer).spoken?.round).toMatchObject({ speakerName: 'Max', nextName: null });
    s = run(s, { type: 'round:next' });
    expect(s.spoken?.round).toBeNull();
    expect(run(run(S.running.state, startRound()), { type: 'round:end' }).spoken?.round).toBeNull();
  });

  it('ROUND-5: the speaker may pass (marked, the stone stays); nobody else can pass for them', () => {
    let s = run(S.running.state, startRound());
    expect(refused(s, { type: 'round:pass' }, SEAT.participant)).toBe(E.WRONG_STATUS);
    s = run(s, { type: 'round:pass' }, SEAT.presenter);
    expect(viewOf(s, SEAT.presenter).spoken?.round).toMatchObject({ speakerName: 'Pia', yourTurn: true });
    expect(viewOf(s, SEAT.leader).spoken?.round?.entries?.[0]?.passed).toBe(true);
  });

  it('ROUND-3: a leader adds a seat or a name during the round, at the end', () => {
    let s = run(S.running.state, startRound());
    s = run(s, { type: 'round:add', seatId: SEAT.coLeader });
    s = run(s, { type: 'round:add', name: 'Ada' });
    expect(names(s)).toEqual(['Pia', 'Max', 'Chris', 'Ada']);
    expect(refused(s, { type: 'round:add', seatId: SEAT.coLeader })).toBe(E.WRONG_STATUS);
  });

  it('ROUND-6, ROUND-7: a time per speaker is server-owned; pausing the phase pauses the turn', () => {
    const at = T0 + 10 * MIN;
    let s = run(S.running.state, startRound({ turnSeconds: 40 }), SEAT.leader, at);
    expect(s.spoken?.round?.turnTiming).toEqual({ state: 'running', endsAt: at + 40_000 });
    s = run(s, { type: 'timer:pause' }, SEAT.leader, at + 10_000);
    expect(s.spoken?.round?.turnTiming).toEqual({
      state: 'paused',
      remainingMs: 30_000,
      pausedAt: at + 10_000,
    });
    s = run(s, { type: 'timer:resume' }, SEAT.leader, at + 70_000);
    expect(s.spoken?.round?.turnTiming).toEqual({ state: 'running', endsAt: at + 100_000 });
    s = run(s, { type: 'round:next' }, SEAT.leader, at + 120_000);
    expect(s.spoken?.round?.turnTiming).toEqual({ state: 'running', endsAt: at + 160_000 });
    // Started while paused: the turn waits with its whole time.
    const paused = run(S.paused.state, startRound({ turnSeconds: 40 }), SEAT.leader, at);
    expect(paused.spoken?.round?.turnTiming).toEqual({ state: 'paused', remainingMs: 40_000, pausedAt: at });
  });

  it('ROUND-6: leaders see the turn time and the round total; the speaker only when the leader chose so; nobody else', () => {
    const s = run(S.running.state, startRound({ turnSeconds: 40 }));
    const lead = viewOf(s, SEAT.leader).spoken?.round;
    expect(lead).toMatchObject({ turnMs: 40_000, totalMs: 80_000, turnTimer: { state: 'running' } });
    expect(viewOf(s, SEAT.presenter).spoken?.round?.turnTimer).toBeUndefined();
    const shown = run(S.running.state, startRound({ turnSeconds: 40, turnTimeFor: 'speaker' }));
    expect(viewOf(shown, SEAT.presenter).spoken?.round?.turnTimer).toMatchObject({ state: 'running' });
    expect(viewOf(shown, SEAT.participant).spoken?.round?.turnTimer).toBeUndefined();
    expect(viewOf(shown, SEAT.participant).spoken?.round).not.toHaveProperty('totalMs');
  });

  it('ROUND-8: a phase change ends the round; a removed seat leaves it and the stone stays with its speaker', () => {
    let s = run(S.running.state, startRound({ addNames: ['Ada'] }));
    expect(run(s, { type: 'phase:next' }).spoken?.round).toBeNull();
    s = run(s, { type: 'round:next' }); // Max
    s = run(s, { type: 'seat:remove', seatId: SEAT.presenter });
    expect(viewOf(s, SEAT.leader).spoken?.round).toMatchObject({ speakerName: 'Max', nextName: 'Ada' });
    s = run(s, { type: 'seat:remove', seatId: SEAT.participant });
    expect(viewOf(s, SEAT.leader).spoken?.round).toMatchObject({ speakerName: 'Ada', nextName: null });
  });

  it('VIEW-6: the projector gets exactly the speaker and who is next, never more of the round', () => {
    const s = run(S.running.state, startRound({ turnSeconds: 40 }));
    expect(viewOf(s, SEAT.projector).spoken).toEqual({
      format: 'room',
      handsEnabled: false,
      round: { speakerName: 'Pia', nextName: 'Max' },
    });
    expect(viewOf(s, SEAT.projector).seats).toBeUndefined();
  });

  it('TPL-3: a round phase allows no notes and shows no board', () => {
    const s = run(S.running.state, {
      type: 'phase:add',
      kind: 'round',
      minutes: 8,
      afterPhaseId: 'p3',
      caseIndex: null,
    });
    const phase = s.phases.find((p) => p.kind === 'round');
    expect(phase?.rules).toEqual({ postKinds: [], boardVisible: false, presenterListens: false });
  });
});

import { describe, expect, it } from 'vitest';
import { transition } from '../../shared/meeting/transition';
import { nextDeadline, projectedEndAt, remainingMs } from '../../shared/meeting/time';
import type { MeetingState, Timing } from '../../shared/meeting/state';
import { apply, LEADER, MIN, must, newMeeting, SERVER, T0 } from '../helpers/meetingFixtures';

/** Classic one case: opening 5, case-choice 3, presentation 10, questions 10, speculation 40, return 12, closing 10. */
const PLANNED_MIN = [5, 3, 10, 10, 40, 12, 10];

function started(autoAdvance = false): MeetingState {
  return apply(newMeeting({ settings: { autoAdvance } }), [[{ type: 'meeting:start' }, T0]]);
}

function timing(s: MeetingState): Timing {
  if (!s.current) throw new Error('no current phase');
  return s.current.timing;
}

function endsAt(s: MeetingState): number {
  const t = timing(s);
  if (t.state !== 'running') throw new Error('not running');
  return t.endsAt;
}

const tick = (s: MeetingState, now: number) => must(transition(s, { type: 'clock:tick' }, now, SERVER));

describe('TIME-1: +N minutes moves the deadline by N', () => {
  it('TIME-1: +5 while running moves the deadline by 5 min', () => {
    const s = apply(started(), [[{ type: 'timer:adjust', minutes: 5 }, T0 + MIN]]);
    expect(endsAt(s)).toBe(T0 + 10 * MIN);
    expect(s.current?.startedAt).toBe(T0);
  });

  it('TIME-1: +1 twice adds up', () => {
    const s = apply(started(), [
      [{ type: 'timer:adjust', minutes: 1 }, T0 + MIN],
      [{ type: 'timer:adjust', minutes: 1 }, T0 + 2 * MIN],
    ]);
    expect(endsAt(s)).toBe(T0 + 7 * MIN);
  });

  it('TIME-1: +5 in overtime moves the deadline by 5 min, not to now + 5', () => {
    // Opening planned to end at T0 + 5; at T0 + 8 it is 3 min into overtime.
    const s = apply(started(), [[{ type: 'timer:adjust', minutes: 5 }, T0 + 8 * MIN]]);
    expect(endsAt(s)).toBe(T0 + 10 * MIN);
    expect(remainingMs(timing(s), T0 + 8 * MIN)).toBe(2 * MIN);
  });

  it('TIME-1: +2 in deep overtime leaves the phase in overtime', () => {
    const s = apply(started(), [[{ type: 'timer:adjust', minutes: 2 }, T0 + 20 * MIN]]);
    expect(endsAt(s)).toBe(T0 + 7 * MIN);
    expect(remainingMs(timing(s), T0 + 20 * MIN)).toBe(-13 * MIN);
  });

  it('TIME-1: +5 while paused adds 5 min to the time left, and resume honours it', () => {
    const s = apply(started(), [
      [{ type: 'timer:pause' }, T0 + 2 * MIN],
      [{ type: 'timer:adjust', minutes: 5 }, T0 + 4 * MIN],
    ]);
    expect(timing(s)).toEqual({ state: 'paused', remainingMs: 8 * MIN, pausedAt: T0 + 2 * MIN });
    const resumed = apply(s, [[{ type: 'timer:resume' }, T0 + 10 * MIN]]);
    expect(endsAt(resumed)).toBe(T0 + 18 * MIN);
  });

  it('TIME-1: +N makes no effects and leaves the phase and its start alone', () => {
    const before = started();
    const r = transition(before, { type: 'timer:adjust', minutes: 5 }, T0 + MIN, LEADER);
    expect(r.ok && r.effects).toEqual([]);
    expect(r.ok && r.state.current?.index).toBe(0);
  });
});

describe('TIME-2: shortening past zero is overtime', () => {
  it('TIME-2: -1 moves the deadline 1 min earlier', () => {
    const s = apply(started(), [[{ type: 'timer:adjust', minutes: -1 }, T0 + MIN]]);
    expect(endsAt(s)).toBe(T0 + 4 * MIN);
  });

  it('TIME-2: -5 with 2 min left puts the phase 3 min into overtime; it stays current', () => {
    const s = apply(started(), [[{ type: 'timer:adjust', minutes: -5 }, T0 + 3 * MIN]]);
    expect(s.current?.index).toBe(0);
    expect(remainingMs(timing(s), T0 + 3 * MIN)).toBe(-3 * MIN);
  });

  it('TIME-2: -5 with 2 min left while paused freezes -3 min', () => {
    const s = apply(started(), [
      [{ type: 'timer:pause' }, T0 + 3 * MIN],
      [{ type: 'timer:adjust', minutes: -5 }, T0 + 4 * MIN],
    ]);
    expect(timing(s)).toMatchObject({ state: 'paused', remainingMs: -3 * MIN });
  });

  it('TIME-2: without auto-advance a tick does not end a phase in overtime', () => {
    const s = apply(started(false), [[{ type: 'timer:adjust', minutes: -5 }, T0 + 3 * MIN]]);
    const ticked = tick(s, T0 + 30 * MIN);
    expect(ticked.current).toEqual(s.current);
  });
});

describe('TIME-3: changing the planned duration of the running phase', () => {
  it('TIME-3: moves the deadline to start + new duration', () => {
    const s = apply(started(), [[{ type: 'phase:setDuration', phaseId: 'p1', minutes: 12 }, T0 + 2 * MIN]]);
    expect(s.phases[0]?.plannedMs).toBe(12 * MIN);
    expect(endsAt(s)).toBe(T0 + 12 * MIN);
  });

  it('TIME-3: replaces earlier +/- adjustments of that phase', () => {
    const s = apply(started(), [
      [{ type: 'timer:adjust', minutes: 5 }, T0 + MIN],
      [{ type: 'phase:setDuration', phaseId: 'p1', minutes: 7 }, T0 + 2 * MIN],
    ]);
    expect(endsAt(s)).toBe(T0 + 7 * MIN);
  });

  it('TIME-3: shorter than the time already spent puts the phase into overtime', () => {
    const s = apply(started(), [[{ type: 'phase:setDuration', phaseId: 'p1', minutes: 1 }, T0 + 3 * MIN]]);
    expect(remainingMs(timing(s), T0 + 3 * MIN)).toBe(-2 * MIN);
  });

  it('TIME-3: counts from the start shifted by earlier pauses', () => {
    const s = apply(started(), [
      [{ type: 'timer:pause' }, T0 + MIN],
      [{ type: 'timer:resume' }, T0 + 4 * MIN],
      [{ type: 'phase:setDuration', phaseId: 'p1', minutes: 10 }, T0 + 5 * MIN],
    ]);
    expect(s.current?.startedAt).toBe(T0 + 3 * MIN);
    expect(endsAt(s)).toBe(T0 + 13 * MIN);
  });

  it('TIME-3: while paused, the time left follows (new duration - time spent before the pause)', () => {
    const s = apply(started(), [
      [{ type: 'timer:pause' }, T0 + 2 * MIN],
      [{ type: 'phase:setDuration', phaseId: 'p1', minutes: 8 }, T0 + 9 * MIN],
    ]);
    expect(timing(s)).toEqual({ state: 'paused', remainingMs: 6 * MIN, pausedAt: T0 + 2 * MIN });
    expect(endsAt(apply(s, [[{ type: 'timer:resume' }, T0 + 20 * MIN]]))).toBe(T0 + 26 * MIN);
  });

  it('TIME-3: another phase only gets its planned duration; the current deadline stays', () => {
    const before = started();
    const s = apply(before, [[{ type: 'phase:setDuration', phaseId: 'p5', minutes: 30 }, T0 + MIN]]);
    expect(s.phases[4]?.plannedMs).toBe(30 * MIN);
    expect(s.current).toEqual(before.current);
  });

  it('TIME-3: in the lobby only the plan changes', () => {
    const s = apply(newMeeting(), [[{ type: 'phase:setDuration', phaseId: 'p2', minutes: 4 }, T0]]);
    expect(s.phases[1]?.plannedMs).toBe(4 * MIN);
    expect(s.current).toBeNull();
  });

  it('TIME-3: makes no effects', () => {
    const r = transition(started(), { type: 'phase:setDuration', phaseId: 'p1', minutes: 9 }, T0, LEADER);
    expect(r.ok && r.effects).toEqual([]);
  });
});

describe('TIME-4: going back or jumping starts the target phase afresh', () => {
  const inQuestions = () => apply(started(), [[{ type: 'phase:jump', phaseId: 'p4' }, T0 + 2 * MIN]]); // questions from T0+2

  it('TIME-4: jump starts the target at now with its planned duration', () => {
    const s = inQuestions();
    expect(s.current).toEqual({
      index: 3,
      startedAt: T0 + 2 * MIN,
      timing: { state: 'running', endsAt: T0 + 12 * MIN },
    });
  });

  it('TIME-4: previous starts the earlier phase afresh, forgetting its old adjustments', () => {
    const s = apply(started(), [
      [{ type: 'timer:adjust', minutes: 10 }, T0 + MIN],
      [{ type: 'phase:next' }, T0 + 2 * MIN],
      [{ type: 'phase:previous' }, T0 + 3 * MIN],
    ]);
    expect(s.current).toEqual({
      index: 0,
      startedAt: T0 + 3 * MIN,
      timing: { state: 'running', endsAt: T0 + 8 * MIN },
    });
  });

  it('TIME-4: next starts the following phase afresh too', () => {
    const s = apply(started(), [[{ type: 'phase:next' }, T0 + 9 * MIN]]);
    expect(s.current).toEqual({
      index: 1,
      startedAt: T0 + 9 * MIN,
      timing: { state: 'running', endsAt: T0 + 12 * MIN },
    });
  });

  it('TIME-4: moving while paused starts the target running', () => {
    for (const cmd of [
      { type: 'phase:next' },
      { type: 'phase:previous' },
      { type: 'phase:jump', phaseId: 'p6' },
    ] as const) {
      const paused = apply(inQuestions(), [[{ type: 'timer:pause' }, T0 + 3 * MIN]]);
      const s = apply(paused, [[cmd, T0 + 7 * MIN]]);
      expect(timing(s).state).toBe('running');
      expect(s.current?.startedAt).toBe(T0 + 7 * MIN);
      const planned = s.phases[s.current?.index ?? -1]?.plannedMs ?? 0;
      expect(endsAt(s)).toBe(T0 + 7 * MIN + planned);
    }
  });

  it('TIME-4: jumping to the current phase restarts it', () => {
    const s = apply(inQuestions(), [
      [{ type: 'timer:adjust', minutes: -3 }, T0 + 4 * MIN],
      [{ type: 'phase:jump', phaseId: 'p4' }, T0 + 6 * MIN],
    ]);
    expect(s.current).toEqual({
      index: 3,
      startedAt: T0 + 6 * MIN,
      timing: { state: 'running', endsAt: T0 + 16 * MIN },
    });
  });

  it('TIME-4: a planned duration changed before entering is used', () => {
    const s = apply(started(), [
      [{ type: 'phase:setDuration', phaseId: 'p2', minutes: 7 }, T0],
      [{ type: 'phase:next' }, T0 + 5 * MIN],
    ]);
    expect(endsAt(s)).toBe(T0 + 12 * MIN);
  });

  it('TIME-4: meeting:start enters the first phase at now with its planned duration', () => {
    const s = started();
    expect(s.current).toEqual({
      index: 0,
      startedAt: T0,
      timing: { state: 'running', endsAt: T0 + 5 * MIN },
    });
  });
});

describe('TIME-5: pause freezes the time left; resume sets a new deadline from it', () => {
  it('TIME-5: pause stores the time left and when it paused', () => {
    const s = apply(started(), [[{ type: 'timer:pause' }, T0 + 2 * MIN]]);
    expect(timing(s)).toEqual({ state: 'paused', remainingMs: 3 * MIN, pausedAt: T0 + 2 * MIN });
  });

  it('TIME-5: the time left does not move while paused', () => {
    const s = apply(started(), [[{ type: 'timer:pause' }, T0 + 2 * MIN]]);
    for (const later of [T0 + 2 * MIN, T0 + 30 * MIN, T0 + 24 * 60 * MIN]) {
      expect(remainingMs(timing(s), later)).toBe(3 * MIN);
    }
  });

  it('TIME-5: resume sets deadline = resume time + time left, and shifts the start by the pause', () => {
    const s = apply(started(), [
      [{ type: 'timer:pause' }, T0 + 2 * MIN],
      [{ type: 'timer:resume' }, T0 + 9 * MIN],
    ]);
    expect(s.current).toEqual({
      index: 0,
      startedAt: T0 + 7 * MIN,
      timing: { state: 'running', endsAt: T0 + 12 * MIN },
    });
  });

  it('TIME-5: deadline - start stays planned + adjustments across pauses', () => {
    const s = apply(started(), [
      [{ type: 'timer:adjust', minutes: 2 }, T0 + MIN],
      [{ type: 'timer:pause' }, T0 + 2 * MIN],
      [{ type: 'timer:resume' }, T0 + 5 * MIN],
      [{ type: 'timer:pause' }, T0 + 6 * MIN],
      [{ type: 'timer:adjust', minutes: -1 }, T0 + 7 * MIN],
      [{ type: 'timer:resume' }, T0 + 11 * MIN],
    ]);
    expect(endsAt(s) - (s.current?.startedAt ?? 0)).toBe(6 * MIN);
    expect(endsAt(s)).toBe(T0 + 11 * MIN + 3 * MIN);
  });

  it('TIME-5: pausing in overtime freezes a negative time left', () => {
    const s = apply(started(), [[{ type: 'timer:pause' }, T0 + 7 * MIN]]);
    expect(timing(s)).toMatchObject({ state: 'paused', remainingMs: -2 * MIN });
    expect(endsAt(apply(s, [[{ type: 'timer:resume' }, T0 + 20 * MIN]]))).toBe(T0 + 18 * MIN);
  });

  it('TIME-5: pause and resume make no effects', () => {
    const paused = transition(started(), { type: 'timer:pause' }, T0 + MIN, LEADER);
    expect(paused.ok && paused.effects).toEqual([]);
    if (!paused.ok) return;
    const resumed = transition(paused.state, { type: 'timer:resume' }, T0 + 2 * MIN, LEADER);
    expect(resumed.ok && resumed.effects).toEqual([]);
  });
});

describe('TIME-6: auto-advance from the stored deadlines', () => {
  it('TIME-6: a tick before the deadline changes nothing', () => {
    const s = started(true);
    const r = transition(s, { type: 'clock:tick' }, T0 + 5 * MIN - 1, SERVER);
    expect(r.ok && r.state).toEqual(s);
    expect(r.ok && r.effects).toEqual([]);
  });

  it('TIME-6: a tick at the deadline starts the next phase at that deadline', () => {
    const r = transition(started(true), { type: 'clock:tick' }, T0 + 5 * MIN, SERVER);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.state.current).toEqual({
      index: 1,
      startedAt: T0 + 5 * MIN,
      timing: { state: 'running', endsAt: T0 + 8 * MIN },
    });
    expect(r.effects).toEqual([
      { type: 'phase-left', phaseIndex: 0, caseIndex: null },
      { type: 'phase-entered', phaseIndex: 1, caseIndex: 0 },
      { type: 'case-changed', fromCase: null, toCase: 0 },
    ]);
  });

  it('TIME-6: a late tick starts the next phase at the previous deadline, not when the server woke', () => {
    const s = tick(started(true), T0 + 6 * MIN + 30_000);
    expect(s.current).toEqual({
      index: 1,
      startedAt: T0 + 5 * MIN,
      timing: { state: 'running', endsAt: T0 + 8 * MIN },
    });
  });

  it('TIME-6: after a server restart the phases are caught up exactly, several at once', () => {
    // Down from T0 + 4 to T0 + 30: opening ended at 5, case-choice at 8, presentation at 18,
    // questions at 28; speculation started at 28 and ends at 68.
    const s = tick(started(true), T0 + 30 * MIN);
    expect(s.current).toEqual({
      index: 4,
      startedAt: T0 + 28 * MIN,
      timing: { state: 'running', endsAt: T0 + 68 * MIN },
    });
  });

  it('TIME-6: catching up reports every phase left and entered, in order', () => {
    const r = transition(started(true), { type: 'clock:tick' }, T0 + 18 * MIN, SERVER);
    expect(r.ok && r.effects.map((e) => `${e.type}:${'phaseIndex' in e ? e.phaseIndex : ''}`)).toEqual([
      'phase-left:0',
      'phase-entered:1',
      'case-changed:',
      'phase-left:1',
      'phase-entered:2',
      'phase-left:2',
      'phase-entered:3',
    ]);
  });

  it('TIME-6: the same deadlines come out whether ticked every minute or once at the end', () => {
    let stepwise = started(true);
    for (let m = 1; m <= 100; m++) stepwise = tick(stepwise, T0 + m * MIN);
    expect(stepwise.current).toEqual(tick(started(true), T0 + 100 * MIN).current);
  });

  it('TIME-6: the last phase never ends by itself, it goes into overtime', () => {
    const total = PLANNED_MIN.reduce((a, b) => a + b, 0);
    const s = tick(started(true), T0 + (total + 45) * MIN);
    expect(s.status).toBe('running');
    expect(s.current).toEqual({
      index: 6,
      startedAt: T0 + (total - 10) * MIN,
      timing: { state: 'running', endsAt: T0 + total * MIN },
    });
    expect(remainingMs(timing(s), T0 + (total + 45) * MIN)).toBe(-45 * MIN);
    expect(nextDeadline(s)).toBeNull();
  });

  it('TIME-6: a paused phase is not advanced, however late', () => {
    const s = apply(started(true), [[{ type: 'timer:pause' }, T0 + MIN]]);
    expect(tick(s, T0 + 60 * MIN)).toEqual(s);
    expect(nextDeadline(s)).toBeNull();
  });

  it('TIME-6: with auto-advance off, ticks never move the phase', () => {
    const s = started(false);
    expect(tick(s, T0 + 60 * MIN)).toEqual(s);
    expect(nextDeadline(s)).toBeNull();
  });

  it('TIME-6: a tick in the lobby changes nothing', () => {
    const s = newMeeting({ settings: { autoAdvance: true } });
    expect(tick(s, T0)).toEqual(s);
    expect(nextDeadline(s)).toBeNull();
  });

  it('TIME-6: adjustments move the moment of the advance', () => {
    const s = apply(started(true), [[{ type: 'timer:adjust', minutes: 2 }, T0 + MIN]]);
    expect(nextDeadline(s)).toBe(T0 + 7 * MIN);
    expect(tick(s, T0 + 6 * MIN).current?.index).toBe(0);
    expect(tick(s, T0 + 7 * MIN).current?.startedAt).toBe(T0 + 7 * MIN);
  });

  it('TIME-9: turning auto-advance on in overtime moves on at once, the next phase starting now', () => {
    const r = transition(
      started(false),
      { type: 'settings:update', autoAdvance: true },
      T0 + 9 * MIN,
      LEADER,
    );
    expect(r.ok && r.state.current).toEqual({
      index: 1,
      startedAt: T0 + 9 * MIN,
      timing: { state: 'running', endsAt: T0 + 12 * MIN },
    });
  });

  it('TIME-9: shortening past zero with auto-advance on starts the next phase now, with its full time', () => {
    const r = transition(started(true), { type: 'timer:adjust', minutes: -5 }, T0 + 3 * MIN, LEADER);
    expect(r.ok && r.state.current).toEqual({
      index: 1,
      startedAt: T0 + 3 * MIN,
      timing: { state: 'running', endsAt: T0 + 6 * MIN },
    });
    expect(r.ok && r.effects.filter((e) => e.type === 'phase-entered').map((e) => e.phaseIndex)).toEqual([1]);
  });

  it('TIME-9: resuming a phase paused in overtime with auto-advance on moves on at once', () => {
    const s = apply(started(true), [[{ type: 'timer:pause' }, T0 + 7 * MIN]]);
    const r = transition(s, { type: 'timer:resume' }, T0 + 20 * MIN, LEADER);
    expect(r.ok && r.state.current).toMatchObject({ index: 1, startedAt: T0 + 20 * MIN });
  });

  it('TIME-9: without auto-advance, shortening past zero stays in overtime (TIME-2)', () => {
    const r = transition(started(false), { type: 'timer:adjust', minutes: -5 }, T0 + 3 * MIN, LEADER);
    expect(r.ok && r.state.current?.index).toBe(0);
    expect(r.ok && r.state.current?.timing).toEqual({ state: 'running', endsAt: T0 });
  });

  it('TIME-6: nextDeadline is the running deadline while there is a later phase', () => {
    expect(nextDeadline(started(true))).toBe(T0 + 5 * MIN);
    const ended = apply(started(true), [[{ type: 'meeting:end' }, T0 + MIN]]);
    expect(nextDeadline(ended)).toBeNull();
  });
});

describe('TIME-7: projected end of the meeting', () => {
  const TOTAL = 90 * MIN;

  it('TIME-7: in the lobby it is now + every planned duration', () => {
    expect(projectedEndAt(newMeeting(), T0 - 10 * MIN)).toBe(T0 - 10 * MIN + TOTAL);
  });

  it('TIME-7: while running it is now + time left + later phases', () => {
    // Opening ends at T0 + 5; at T0 + 2 there are 3 min left and 85 planned after it.
    expect(projectedEndAt(started(), T0 + 2 * MIN)).toBe(T0 + 2 * MIN + 3 * MIN + 85 * MIN);
  });

  it('TIME-7: a phase in overtime counts as ending now', () => {
    expect(projectedEndAt(started(), T0 + 9 * MIN)).toBe(T0 + 9 * MIN + 85 * MIN);
  });

  it('TIME-7: while paused the frozen time left counts', () => {
    const s = apply(started(), [[{ type: 'timer:pause' }, T0 + MIN]]);
    expect(projectedEndAt(s, T0 + 20 * MIN)).toBe(T0 + 20 * MIN + 4 * MIN + 85 * MIN);
  });

  it('TIME-7: follows edits of later phases and +N', () => {
    const s = apply(started(), [
      [{ type: 'timer:adjust', minutes: 5 }, T0 + MIN],
      [{ type: 'phase:setDuration', phaseId: 'p5', minutes: 30 }, T0 + MIN],
    ]);
    expect(projectedEndAt(s, T0 + 2 * MIN)).toBe(T0 + 2 * MIN + 8 * MIN + 75 * MIN);
  });

  it('TIME-7: in the last phase it is the end of that phase (or now in overtime)', () => {
    const s = apply(started(), [[{ type: 'phase:jump', phaseId: 'p7' }, T0]]);
    expect(projectedEndAt(s, T0 + MIN)).toBe(T0 + 10 * MIN);
    expect(projectedEndAt(s, T0 + 15 * MIN)).toBe(T0 + 15 * MIN);
  });

  it('TIME-7: after the end it is when the meeting ended', () => {
    const s = apply(started(), [[{ type: 'meeting:end' }, T0 + 33 * MIN]]);
    expect(projectedEndAt(s, T0 + 50 * MIN)).toBe(T0 + 33 * MIN);
  });
});

describe('remainingMs', () => {
  it('TIME-5: remainingMs is deadline - now while running and the frozen value while paused', () => {
    expect(remainingMs({ state: 'running', endsAt: 1_000 }, 400)).toBe(600);
    expect(remainingMs({ state: 'running', endsAt: 1_000 }, 1_500)).toBe(-500);
    expect(remainingMs({ state: 'paused', remainingMs: 250, pausedAt: 0 }, 99_999)).toBe(250);
  });
});

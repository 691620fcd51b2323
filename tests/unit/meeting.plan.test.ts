import { describe, expect, it } from 'vitest';
import { ERROR_CODES as E } from '../../shared/errors';
import type { MeetingCommand } from '../../shared/meeting/commands';
import { defaultRules, MAX_PHASES, MINUTE_MS } from '../../shared/meeting/phases';
import type { MeetingState } from '../../shared/meeting/state';
import { transition } from '../../shared/meeting/transition';
import { apply, LEADER, MIN, must, newMeeting, SERVER, T0 } from '../helpers/meetingFixtures';

const run = (s: MeetingState, c: MeetingCommand, now = T0) => transition(s, c, now, LEADER);
const kinds = (s: MeetingState) =>
  s.phases.map((p) => `${p.kind}${p.caseIndex === null ? '' : `#${p.caseIndex}`}`);
const ids = (s: MeetingState) => s.phases.map((p) => p.id);
const started = () => apply(newMeeting(), [[{ type: 'meeting:start' }, T0]]);
const currentId = (s: MeetingState) => (s.current ? s.phases[s.current.index]?.id : undefined);

describe('MEET-1: lobby -> running -> ended', () => {
  it('MEET-1: start moves the lobby to running in the first phase and reports it', () => {
    const r = run(newMeeting(), { type: 'meeting:start' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.state.status).toBe('running');
    expect(r.state.current?.index).toBe(0);
    expect(r.effects).toEqual([{ type: 'phase-entered', phaseIndex: 0, caseIndex: null }]);
  });

  it('MEET-1: a template whose first phase belongs to a case reports the case starting', () => {
    const r = run(newMeeting({ templateId: 'step-back-30' }), { type: 'meeting:start' });
    expect(r.ok && r.effects).toEqual([
      { type: 'phase-entered', phaseIndex: 0, caseIndex: 0 },
      { type: 'case-changed', fromCase: null, toCase: 0 },
    ]);
  });

  it('MEET-1: end while running leaves the phase, clears it and stamps the end', () => {
    const r = run(started(), { type: 'meeting:end' }, T0 + 40 * MIN);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.state).toMatchObject({ status: 'ended', current: null, endedAt: T0 + 40 * MIN });
    expect(r.effects).toEqual([
      { type: 'phase-left', phaseIndex: 0, caseIndex: null },
      { type: 'meeting-ended' },
    ]);
  });

  it('MEET-1: end from the lobby (the meeting never ran) is allowed and leaves no phase', () => {
    const r = run(newMeeting(), { type: 'meeting:end' }, T0);
    expect(r.ok && r.effects).toEqual([{ type: 'meeting-ended' }]);
    expect(r.ok && r.state.status).toBe('ended');
  });

  it('MEET-1: end while paused works too', () => {
    const s = apply(started(), [[{ type: 'timer:pause' }, T0 + MIN]]);
    expect(must(run(s, { type: 'meeting:end' }, T0 + 2 * MIN)).status).toBe('ended');
  });

  it('MEET-1: start a second time is wrong-status', () => {
    const r = run(started(), { type: 'meeting:start' });
    expect(!r.ok && r.error.code).toBe(E.WRONG_STATUS);
  });

  it('MEET-1: a meeting with no phases cannot start (no-such-phase)', () => {
    const empty: MeetingState = { ...newMeeting(), phases: [] };
    const r = run(empty, { type: 'meeting:start' });
    expect(!r.ok && r.error.code).toBe(E.NO_SUCH_PHASE);
  });
});

describe('MEET-2: next and previous stay inside the plan', () => {
  it('MEET-2: next at the last phase is no-such-phase; it does not end the meeting', () => {
    const s = apply(started(), [[{ type: 'phase:jump', phaseId: 'p7' }, T0]]);
    const r = run(s, { type: 'phase:next' });
    expect(!r.ok && r.error.code).toBe(E.NO_SUCH_PHASE);
  });

  it('MEET-2: previous at the first phase is no-such-phase', () => {
    const r = run(started(), { type: 'phase:previous' });
    expect(!r.ok && r.error.code).toBe(E.NO_SUCH_PHASE);
  });

  it('MEET-2: next walks the whole plan in order', () => {
    let s = started();
    const seen = [currentId(s)];
    for (let i = 1; i < 7; i++) {
      s = must(run(s, { type: 'phase:next' }, T0 + i * MIN));
      seen.push(currentId(s));
    }
    expect(seen).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
  });
});

describe('MEET-3: an ended meeting refuses every command', () => {
  const ended = apply(started(), [[{ type: 'meeting:end' }, T0 + MIN]]);
  const all: (MeetingCommand | { type: 'clock:tick' })[] = [
    { type: 'meeting:start' },
    { type: 'meeting:end' },
    { type: 'settings:update', title: 'again' },
    { type: 'phase:setDuration', phaseId: 'p1', minutes: 3 },
  ];
  for (const c of all) {
    it(`MEET-3: ${c.type} after the end is wrong-status`, () => {
      const actor = c.type === 'clock:tick' ? SERVER : LEADER;
      const r = transition(ended, c, T0 + 2 * MIN, actor);
      expect(!r.ok && r.error.code).toBe(E.WRONG_STATUS);
    });
  }
  it('MEET-3: a seat joining after the end is wrong-status', () => {
    const r = transition(
      ended,
      { type: 'seat:join', seatId: 'x', role: 'participant', name: 'X' },
      T0,
      SERVER,
    );
    expect(!r.ok && r.error.code).toBe(E.WRONG_STATUS);
  });
});

describe('MEET-4: phase:add', () => {
  it('MEET-4: inserts after the named phase with a fresh id, default rules and its duration', () => {
    const s = must(
      run(newMeeting(), {
        type: 'phase:add',
        kind: 'questions',
        minutes: 4,
        afterPhaseId: 'p4',
        caseIndex: 0,
      }),
    );
    expect(ids(s)).toEqual(['p1', 'p2', 'p3', 'p4', 'p8', 'p5', 'p6', 'p7']);
    expect(s.phases[4]).toEqual({
      id: 'p8',
      kind: 'questions',
      plannedMs: 4 * MINUTE_MS,
      caseIndex: 0,
      rules: defaultRules('questions'),
    });
    expect(s.nextPhaseSeq).toBe(8);
  });

  it('MEET-4: afterPhaseId null inserts at the very start', () => {
    const s = must(
      run(newMeeting(), {
        type: 'phase:add',
        kind: 'opening',
        minutes: 2,
        afterPhaseId: null,
        caseIndex: null,
      }),
    );
    expect(ids(s)[0]).toBe('p8');
  });

  it('MEET-4: after the last phase appends', () => {
    const s = must(
      run(newMeeting(), {
        type: 'phase:add',
        kind: 'closing',
        minutes: 2,
        afterPhaseId: 'p7',
        caseIndex: null,
      }),
    );
    expect(ids(s).at(-1)).toBe('p8');
  });

  it('MEET-4: ids never repeat, also after removals', () => {
    let s = newMeeting();
    s = must(run(s, { type: 'phase:remove', phaseId: 'p7' }));
    s = must(run(s, { type: 'phase:add', kind: 'closing', minutes: 2, afterPhaseId: 'p6', caseIndex: null }));
    s = must(run(s, { type: 'phase:remove', phaseId: 'p8' }));
    s = must(run(s, { type: 'phase:add', kind: 'closing', minutes: 2, afterPhaseId: 'p6', caseIndex: null }));
    expect(ids(s)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p9']);
  });

  it('MEET-4: inserting before or at the current position keeps the same phase current', () => {
    const s0 = apply(started(), [[{ type: 'phase:jump', phaseId: 'p4' }, T0]]);
    const before = must(
      run(s0, { type: 'phase:add', kind: 'opening', minutes: 2, afterPhaseId: null, caseIndex: null }),
    );
    expect(before.current?.index).toBe(4);
    expect(currentId(before)).toBe('p4');
    const rightBefore = must(
      run(s0, { type: 'phase:add', kind: 'opening', minutes: 2, afterPhaseId: 'p3', caseIndex: 0 }),
    );
    expect(currentId(rightBefore)).toBe('p4');
    const after = must(
      run(s0, { type: 'phase:add', kind: 'opening', minutes: 2, afterPhaseId: 'p4', caseIndex: 0 }),
    );
    expect(after.current?.index).toBe(3);
    expect(currentId(after)).toBe('p4');
    expect(after.current?.timing).toEqual(s0.current?.timing);
  });

  it(`MEET-4: at most ${MAX_PHASES} phases (limit-reached)`, () => {
    let s = newMeeting();
    while (s.phases.length < MAX_PHASES) {
      s = must(
        run(s, { type: 'phase:add', kind: 'questions', minutes: 1, afterPhaseId: 'p4', caseIndex: 0 }),
      );
    }
    const r = run(s, { type: 'phase:add', kind: 'questions', minutes: 1, afterPhaseId: 'p4', caseIndex: 0 });
    expect(!r.ok && r.error.code).toBe(E.LIMIT_REACHED);
  });

  it('MEET-4: caseIndex must name an existing case (bad-request)', () => {
    const r = run(newMeeting(), {
      type: 'phase:add',
      kind: 'questions',
      minutes: 1,
      afterPhaseId: 'p4',
      caseIndex: 1,
    });
    expect(!r.ok && r.error.code).toBe(E.BAD_REQUEST);
    const two = newMeeting({ templateId: 'classic-90-two-cases' });
    expect(
      run(two, { type: 'phase:add', kind: 'questions', minutes: 1, afterPhaseId: 'p6', caseIndex: 1 }).ok,
    ).toBe(true);
  });

  it('MEET-4: plan edits make no effects', () => {
    const r = run(started(), {
      type: 'phase:add',
      kind: 'questions',
      minutes: 1,
      afterPhaseId: 'p4',
      caseIndex: 0,
    });
    expect(r.ok && r.effects).toEqual([]);
  });
});

describe('MEET-5: phase:remove', () => {
  it('MEET-5: removes the named phase', () => {
    const s = must(run(newMeeting(), { type: 'phase:remove', phaseId: 'p1' }));
    expect(ids(s)).toEqual(['p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
  });

  it('MEET-5: the current phase cannot be removed (wrong-status), also while paused', () => {
    const s = apply(started(), [[{ type: 'phase:jump', phaseId: 'p3' }, T0]]);
    expect(!run(s, { type: 'phase:remove', phaseId: 'p3' }).ok).toBe(true);
    const paused = apply(s, [[{ type: 'timer:pause' }, T0 + MIN]]);
    const r = run(paused, { type: 'phase:remove', phaseId: 'p3' });
    expect(!r.ok && r.error.code).toBe(E.WRONG_STATUS);
  });

  it('MEET-5: the last remaining phase cannot be removed (wrong-status)', () => {
    let s = newMeeting({ templateId: 'step-back-30' });
    for (const id of ['p1', 'p2', 'p3']) s = must(run(s, { type: 'phase:remove', phaseId: id }));
    const r = run(s, { type: 'phase:remove', phaseId: 'p4' });
    expect(!r.ok && r.error.code).toBe(E.WRONG_STATUS);
  });

  it('MEET-5: removing before the current phase keeps the same phase current; after it changes nothing', () => {
    const s0 = apply(started(), [[{ type: 'phase:jump', phaseId: 'p4' }, T0]]);
    const before = must(run(s0, { type: 'phase:remove', phaseId: 'p2' }));
    expect(before.current?.index).toBe(2);
    expect(currentId(before)).toBe('p4');
    expect(before.current?.timing).toEqual(s0.current?.timing);
    const after = must(run(s0, { type: 'phase:remove', phaseId: 'p6' }));
    expect(after.current).toEqual(s0.current);
  });

  it('MEET-5: removing the phase right after the current one makes the current one last', () => {
    const s0 = apply(started(), [[{ type: 'phase:jump', phaseId: 'p6' }, T0]]);
    const s = must(run(s0, { type: 'phase:remove', phaseId: 'p7' }));
    const r = run(s, { type: 'phase:next' });
    expect(!r.ok && r.error.code).toBe(E.NO_SUCH_PHASE);
  });
});

describe('MEET-6: case:add', () => {
  it('MEET-6: repeats case-choice..return of the case before the closing, as case 1', () => {
    const s = must(run(newMeeting(), { type: 'case:add' }));
    expect(kinds(s)).toEqual([
      'opening',
      'case-choice#0',
      'presentation#0',
      'questions#0',
      'speculation#0',
      'return#0',
      'case-choice#1',
      'presentation#1',
      'questions#1',
      'speculation#1',
      'return#1',
      'closing',
    ]);
    expect(ids(s).slice(6, 11)).toEqual(['p8', 'p9', 'p10', 'p11', 'p12']);
    expect(s.cases).toEqual([
      { presenterSeatId: null, parkingLot: 'leaders', resonanceShown: false },
      { presenterSeatId: null, parkingLot: 'leaders', resonanceShown: false },
    ]);
    expect(s.phases.reduce((a, p) => a + p.plannedMs, 0)).toBe((90 + 75) * MIN);
  });

  it('MEET-6: copies the edited durations, and only case kinds of the last case', () => {
    let s = newMeeting();
    s = must(run(s, { type: 'phase:setDuration', phaseId: 'p5', minutes: 25 }));
    s = must(run(s, { type: 'phase:add', kind: 'opening', minutes: 3, afterPhaseId: 'p3', caseIndex: 0 }));
    s = must(run(s, { type: 'case:add' }));
    const second = s.phases.filter((p) => p.caseIndex === 1);
    expect(second.map((p) => [p.kind, p.plannedMs / MIN])).toEqual([
      ['case-choice', 3],
      ['presentation', 10],
      ['questions', 10],
      ['speculation', 25],
      ['return', 12],
    ]);
    expect(second.map((p) => p.rules)).toEqual(second.map((p) => defaultRules(p.kind)));
  });

  it('MEET-6: with no closing phase the copies go at the end', () => {
    const s = must(run(newMeeting({ templateId: 'step-back-30' }), { type: 'case:add' }));
    expect(kinds(s)).toEqual([
      'presentation#0',
      'questions#0',
      'speculation#0',
      'return#0',
      'presentation#1',
      'questions#1',
      'speculation#1',
      'return#1',
    ]);
  });

  it('MEET-6: at most 2 cases (limit-reached)', () => {
    const s = must(run(newMeeting(), { type: 'case:add' }));
    const r = run(s, { type: 'case:add' });
    expect(!r.ok && r.error.code).toBe(E.LIMIT_REACHED);
    const two = run(newMeeting({ templateId: 'classic-90-two-cases' }), { type: 'case:add' });
    expect(!two.ok && two.error.code).toBe(E.LIMIT_REACHED);
  });

  it('MEET-6: refused (no-such-phase) when the last case has no case phases left', () => {
    let s = newMeeting();
    for (const id of ['p2', 'p3', 'p4', 'p5', 'p6']) s = must(run(s, { type: 'phase:remove', phaseId: id }));
    const r = run(s, { type: 'case:add' });
    expect(!r.ok && r.error.code).toBe(E.NO_SUCH_PHASE);
  });

  it('MEET-6: refused (limit-reached) when the copies would pass the phase limit', () => {
    let s = newMeeting();
    while (s.phases.length < MAX_PHASES - 4) {
      s = must(
        run(s, { type: 'phase:add', kind: 'opening', minutes: 1, afterPhaseId: null, caseIndex: null }),
      );
    }
    const r = run(s, { type: 'case:add' });
    expect(!r.ok && r.error.code).toBe(E.LIMIT_REACHED);
  });

  it('MEET-6: during the closing, the closing stays current after the copies are inserted', () => {
    const s0 = apply(started(), [[{ type: 'phase:jump', phaseId: 'p7' }, T0]]);
    const s = must(run(s0, { type: 'case:add' }, T0 + MIN));
    expect(s.current?.index).toBe(11);
    expect(currentId(s)).toBe('p7');
    expect(s.current?.timing).toEqual(s0.current?.timing);
  });

  it('MEET-6: during the first case the current phase keeps its index', () => {
    const s0 = apply(started(), [[{ type: 'phase:jump', phaseId: 'p6' }, T0]]);
    const s = must(run(s0, { type: 'case:add' }, T0 + MIN));
    expect(s.current).toEqual(s0.current);
  });

  it('PURE-2, MEET-6: moving into the second case reports the case change; back reports it too', () => {
    const s0 = apply(started(), [
      [{ type: 'case:add' }, T0],
      [{ type: 'phase:jump', phaseId: 'p6' }, T0],
    ]);
    const r = run(s0, { type: 'phase:next' }, T0 + MIN);
    expect(r.ok && r.effects).toEqual([
      { type: 'phase-left', phaseIndex: 5, caseIndex: 0 },
      { type: 'phase-entered', phaseIndex: 6, caseIndex: 1 },
      { type: 'case-changed', fromCase: 0, toCase: 1 },
    ]);
    if (!r.ok) return;
    const back = run(r.state, { type: 'phase:previous' }, T0 + 2 * MIN);
    expect(back.ok && back.effects.at(-1)).toEqual({ type: 'case-changed', fromCase: 1, toCase: 0 });
  });

  it('PURE-2, MEET-6: the closing after a case belongs to that case for case changes (no change reported)', () => {
    const s0 = apply(started(), [[{ type: 'phase:jump', phaseId: 'p6' }, T0]]);
    const r = run(s0, { type: 'phase:next' }, T0 + MIN);
    expect(r.ok && r.effects).toEqual([
      { type: 'phase-left', phaseIndex: 5, caseIndex: 0 },
      { type: 'phase-entered', phaseIndex: 6, caseIndex: null },
    ]);
  });
});

describe('MEET-7: settings:update', () => {
  it('MEET-7: sets only the fields given', () => {
    const s = must(
      run(newMeeting(), { type: 'settings:update', timerVisibility: 'everyone', autoAdvance: true }),
    );
    expect(s.settings).toEqual({ ...newMeeting().settings, timerVisibility: 'everyone', autoAdvance: true });
  });

  it('MEET-7: sets the title', () => {
    expect(must(run(newMeeting(), { type: 'settings:update', title: 'Case night' })).title).toBe(
      'Case night',
    );
  });

  it('MEET-7: anonymity can change in the lobby only', () => {
    expect(must(run(newMeeting(), { type: 'settings:update', anonymity: 'named' })).settings.anonymity).toBe(
      'named',
    );
    const r = run(started(), { type: 'settings:update', anonymity: 'named', locked: true });
    expect(!r.ok && r.error.code).toBe(E.WRONG_STATUS);
  });

  it('MEET-7: boardOpen and release changes report board-rules-changed; others do not', () => {
    const board = run(started(), { type: 'settings:update', boardOpen: false });
    expect(board.ok && board.effects).toEqual([{ type: 'board-rules-changed' }]);
    const release = run(started(), { type: 'settings:update', release: 'screening' });
    expect(release.ok && release.effects).toEqual([{ type: 'board-rules-changed' }]);
    const other = run(started(), { type: 'settings:update', locked: true, title: 'T' });
    expect(other.ok && other.effects).toEqual([]);
  });
});

describe('MEET-8: joinCode:rotate', () => {
  it('MEET-8: bumps the join code version and asks the server to rotate', () => {
    const r = run(started(), { type: 'joinCode:rotate' });
    expect(r.ok && r.state.joinCodeVersion).toBe(1);
    expect(r.ok && r.effects).toEqual([{ type: 'rotate-join-code' }]);
  });
});

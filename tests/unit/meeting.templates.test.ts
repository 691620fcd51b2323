import { describe, expect, it } from 'vitest';
import { createMeetingState, DEFAULT_SETTINGS } from '../../shared/meeting/create';
import {
  CASE_PHASE_KINDS,
  defaultRules,
  MAX_CASES,
  MAX_PHASE_MS,
  MAX_PHASES,
  MINUTE_MS,
  PHASE_KINDS,
} from '../../shared/meeting/phases';
import {
  BUILT_IN_TEMPLATES,
  DEFAULT_TEMPLATE_ID,
  findBuiltInTemplate,
  planFromTemplate,
  type Template,
} from '../../shared/meeting/templates';
import { invariantViolations, SEAT, T0 } from '../helpers/meetingFixtures';

const minutes = (t: Template) => t.phases.reduce((a, p) => a + p.minutes, 0);
const shape = (t: Template) =>
  t.phases.map((p) => `${p.kind}${p.caseIndex === null ? '' : `#${p.caseIndex}`}:${p.minutes}`);

function template(id: string): Template {
  const t = findBuiltInTemplate(id);
  if (!t) throw new Error(`no template ${id}`);
  return t;
}

describe('TPL-1: the built-in templates follow DOMAIN.md', () => {
  it('TPL-1: there are three, with unique ids and a message key each; the default is one of them', () => {
    expect(BUILT_IN_TEMPLATES.map((t) => t.id)).toEqual([
      'classic-90-one-case',
      'classic-90-two-cases',
      'step-back-30',
    ]);
    for (const t of BUILT_IN_TEMPLATES) expect(t.nameKey).toMatch(/^template\./);
    expect(findBuiltInTemplate(DEFAULT_TEMPLATE_ID)?.id).toBe(DEFAULT_TEMPLATE_ID);
    expect(findBuiltInTemplate('nope')).toBeUndefined();
  });

  it('TPL-1: they sum to 90, 90 and 30 minutes', () => {
    expect(BUILT_IN_TEMPLATES.map(minutes)).toEqual([90, 90, 30]);
  });

  it('TPL-1: classic 90, one case: open 5, case 3, presentation 10, questions 10, push-back 40, return 12, close 10', () => {
    expect(shape(template('classic-90-one-case'))).toEqual([
      'opening:5',
      'case-choice#0:3',
      'presentation#0:10',
      'questions#0:10',
      'speculation#0:40',
      'return#0:12',
      'closing:10',
    ]);
  });

  it('TPL-1: classic 90, two cases: per case 8/7/22/6, close 4', () => {
    expect(shape(template('classic-90-two-cases'))).toEqual([
      'presentation#0:8',
      'questions#0:7',
      'speculation#0:22',
      'return#0:6',
      'presentation#1:8',
      'questions#1:7',
      'speculation#1:22',
      'return#1:6',
      'closing:4',
    ]);
  });

  it('TPL-1: step-back 30: presentation 10, questions 5, step back 10, return 5', () => {
    expect(shape(template('step-back-30'))).toEqual([
      'presentation#0:10',
      'questions#0:5',
      'speculation#0:10',
      'return#0:5',
    ]);
  });

  it('TPL-1: every template keeps the limits: phases, cases, whole minutes within a phase maximum', () => {
    for (const t of BUILT_IN_TEMPLATES) {
      expect(t.phases.length).toBeLessThanOrEqual(MAX_PHASES);
      for (const p of t.phases) {
        expect(Number.isInteger(p.minutes) && p.minutes >= 1).toBe(true);
        expect(p.minutes * MINUTE_MS).toBeLessThanOrEqual(MAX_PHASE_MS);
        expect(p.caseIndex === null || p.caseIndex < MAX_CASES).toBe(true);
        // Case phases carry a case, opening and closing do not.
        expect(p.caseIndex !== null, `${t.id} ${p.kind}`).toBe(CASE_PHASE_KINDS.includes(p.kind));
      }
    }
  });
});

describe('TPL-2: planFromTemplate', () => {
  it('TPL-2: copies kind and case, turns minutes into ms, gives ids and default rules', () => {
    const plan = planFromTemplate(template('step-back-30'), (i) => `x${i}`);
    expect(plan[1]).toEqual({
      id: 'x1',
      kind: 'questions',
      plannedMs: 5 * MINUTE_MS,
      caseIndex: 0,
      rules: defaultRules('questions'),
    });
    expect(plan.map((p) => p.id)).toEqual(['x0', 'x1', 'x2', 'x3']);
  });

  it('TPL-2: the plan does not share rule arrays with other phases or calls', () => {
    const a = planFromTemplate(template('classic-90-two-cases'), (i) => `p${i}`);
    const b = planFromTemplate(template('classic-90-two-cases'), (i) => `p${i}`);
    a[2]?.rules.postKinds.push('question');
    expect(b[2]?.rules.postKinds).not.toContain('question');
    expect(a[6]?.rules.postKinds).not.toContain('question');
  });
});

describe('TPL-3: default phase rules', () => {
  it('TPL-3: notes only in questions (questions) and speculation (the six lenses); the board shows in speculation and return; the presenter listens in speculation; a round phase has no notes and no board', () => {
    const table = Object.fromEntries(PHASE_KINDS.map((k) => [k, defaultRules(k)]));
    expect(table).toEqual({
      opening: { postKinds: [], boardVisible: false, presenterListens: false },
      'case-choice': { postKinds: [], boardVisible: false, presenterListens: false },
      presentation: { postKinds: [], boardVisible: false, presenterListens: false },
      questions: { postKinds: ['question'], boardVisible: false, presenterListens: false },
      speculation: {
        postKinds: ['association', 'feeling', 'image', 'patient-view', 'doctor-view', 'relationship'],
        boardVisible: true,
        presenterListens: true,
      },
      return: { postKinds: [], boardVisible: true, presenterListens: false },
      closing: { postKinds: [], boardVisible: false, presenterListens: false },
      round: { postKinds: [], boardVisible: false, presenterListens: false },
      'follow-up': { postKinds: [], boardVisible: false, presenterListens: false },
    });
  });
});

describe('MEET-10: createMeetingState', () => {
  const make = (id: string, settings?: Parameters<typeof createMeetingState>[0]['settings']) =>
    createMeetingState({
      id: 'm1',
      title: 'Group',
      template: template(id),
      leaderSeatId: SEAT.leader,
      leaderName: 'Lena',
      now: T0,
      ...(settings ? { settings } : {}),
    });

  it('MEET-10: a new meeting is a lobby with the leader seat only, ids p1..pN and the defaults', () => {
    const s = make('classic-90-one-case');
    expect(s).toMatchObject({
      id: 'm1',
      title: 'Group',
      createdAt: T0,
      plannedStartAt: null,
      status: 'lobby',
      current: null,
      joinCodeVersion: 0,
      endedAt: null,
      nextPhaseSeq: 7,
    });
    expect(s.seats).toEqual([
      { id: SEAT.leader, role: 'leader', name: 'Lena', admitted: true, joinedAt: T0 },
    ]);
    expect(s.phases.map((p) => p.id)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    expect(s.cases).toEqual([{ presenterSeatId: null, parkingLot: 'leaders', resonanceShown: false }]);
    expect(invariantViolations(s)).toEqual([]);
  });

  it('MEET-10: defaults: anonymous, batch release, timer for leaders, no auto-advance, unlocked, board open, projector not blank', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      anonymity: 'anonymous',
      release: 'batch',
      timerVisibility: 'leaders',
      autoAdvance: false,
      locked: false,
      boardOpen: true,
      projectorBlank: false,
    });
    expect(make('step-back-30').settings).toEqual(DEFAULT_SETTINGS);
  });

  it('MEET-10: given settings override the defaults one by one', () => {
    expect(make('step-back-30', { autoAdvance: true, locked: true }).settings).toEqual({
      ...DEFAULT_SETTINGS,
      autoAdvance: true,
      locked: true,
    });
  });

  it('MEET-10: one case per case index in the template', () => {
    expect(make('classic-90-two-cases').cases).toHaveLength(2);
    expect(make('step-back-30').cases).toHaveLength(1);
  });

  it('MEET-10: a planned start is kept', () => {
    const s = createMeetingState({
      id: 'm',
      title: 't',
      template: template('step-back-30'),
      leaderSeatId: 'l',
      leaderName: 'L',
      now: T0,
      plannedStartAt: T0 + 3_600_000,
    });
    expect(s.plannedStartAt).toBe(T0 + 3_600_000);
  });

  it('MEET-10: the built-in templates are not changed by creating meetings', () => {
    const before = structuredClone(BUILT_IN_TEMPLATES);
    const s = make('classic-90-one-case');
    for (const phase of s.phases) {
      phase.plannedMs = 1;
      phase.rules.postKinds.push('feeling');
    }
    expect(BUILT_IN_TEMPLATES).toEqual(before);
  });
});

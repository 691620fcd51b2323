import { describe, expect, it } from 'vitest';
import { ERROR_CODES as E } from '../../shared/errors';
import { meetingCommandSchema, type MeetingCommand } from '../../shared/meeting/commands';
import { projectView } from '../../shared/meeting/project';
import { MAX_OWN_PROMPTS, PROMPT_TEXT_MAX } from '../../shared/meeting/promptIds';
import type { MeetingState } from '../../shared/meeting/state';
import { transition } from '../../shared/meeting/transition';
import { apply, by, LEADER, MIN, must, SEAT, SERVER, situations, T0 } from '../helpers/meetingFixtures';

const S = situations();
/** Push-back (speculation, p5) of the classic one-case template, timer running. */
const PUSH_BACK_AT = T0 + 20 * MIN;
const pushBack = apply(S.running.state, [[{ type: 'phase:jump', phaseId: 'p5' }, PUSH_BACK_AT]]);
const pausedPushBack = apply(pushBack, [[{ type: 'timer:pause' }, PUSH_BACK_AT + MIN]]);
const NOW = PUSH_BACK_AT + 2 * MIN;

const SHIPPED: MeetingCommand = { type: 'prompt:show', prompt: { kind: 'shipped', id: 'be-patient' } };
const OWN: MeetingCommand = { type: 'prompt:show', prompt: { kind: 'own', text: 'Who is not in the room?' } };
const withShipped = apply(pushBack, [[SHIPPED, NOW]]);

const ctx = { now: NOW, connections: new Map<string, number>(), joinCode: 'ABCD-EFGH-JK' };
const viewOf = (s: MeetingState, seatId: string) => projectView(s, seatId, ctx);

const MEMBERS = [
  ['a participant', SEAT.participant],
  ['the presenter', SEAT.presenter],
  ['an observer', SEAT.observer],
  ['the projector', SEAT.projector],
  ['a waiting seat', SEAT.waiting],
] as const;

describe('PROMPT-1: a leader shows a prompt during push-back only', () => {
  const commands: MeetingCommand[] = [
    SHIPPED,
    OWN,
    { type: 'prompt:clear' },
    { type: 'prompt:save', text: 'Who is missing?' },
    { type: 'prompt:forget', text: 'Who is missing?' },
  ];
  for (const [who, seatId] of MEMBERS) {
    it(`PROMPT-1 / ROLE-1: ${who} may send no prompt command, and nothing changes`, () => {
      for (const state of [pushBack, withShipped, pausedPushBack]) {
        for (const c of commands) {
          const r = transition(state, c, NOW, by(seatId));
          expect(r.ok ? 'ok' : r.error.code).toBe(E.FORBIDDEN);
        }
      }
    });
  }

  for (const [who, actor] of [
    ['the leader', LEADER],
    ['the co-leader', by(SEAT.coLeader)],
  ] as const) {
    it(`PROMPT-1: ${who} shows a shipped or an own prompt in push-back, running or paused`, () => {
      for (const state of [pushBack, pausedPushBack]) {
        expect(must(transition(state, SHIPPED, NOW, actor)).prompts?.shown).toEqual(
          SHIPPED.type === 'prompt:show' ? SHIPPED.prompt : null,
        );
        const own = must(transition(state, OWN, NOW, actor));
        expect(own.prompts).toEqual({
          shown: { kind: 'own', text: 'Who is not in the room?' },
          own: ['Who is not in the room?'],
        });
      }
    });
  }

  it('PROMPT-1: outside push-back (every other phase, the lobby) it is wrong-status; ended too', () => {
    const phases = ['p1', 'p2', 'p3', 'p4', 'p6', 'p7'];
    for (const phaseId of phases) {
      const s = apply(pushBack, [[{ type: 'phase:jump', phaseId }, NOW]]);
      const r = transition(s, SHIPPED, NOW, LEADER);
      expect(r.ok ? 'ok' : r.error.code, phaseId).toBe(E.WRONG_STATUS);
    }
    for (const s of [S.lobby.state, S.ended.state]) {
      const r = transition(s, OWN, NOW, LEADER);
      expect(r.ok ? 'ok' : r.error.code).toBe(E.WRONG_STATUS);
    }
  });

  it('PROMPT-1: the server cannot be asked by a member to show one, and the schema refuses bad prompts', () => {
    const bad = [
      { type: 'prompt:show', prompt: { kind: 'shipped', id: 'not-a-prompt' } },
      { type: 'prompt:show', prompt: { kind: 'own', text: '   ' } },
      { type: 'prompt:show', prompt: { kind: 'own', text: 'x'.repeat(PROMPT_TEXT_MAX + 1) } },
      { type: 'prompt:show', prompt: { kind: 'own', text: 'a\u0007b' } },
      { type: 'prompt:show', prompt: { kind: 'own', text: 'ok', extra: 1 } },
      { type: 'prompt:show' },
      { type: 'prompt:clear', text: 'x' },
      { type: 'prompt:save', text: '' },
    ];
    for (const c of bad) expect(meetingCommandSchema.safeParse(c).success, JSON.stringify(c)).toBe(false);
    const trimmed = meetingCommandSchema.parse({ type: 'prompt:save', text: '  Who is missing?  ' });
    expect(trimmed).toEqual({ type: 'prompt:save', text: 'Who is missing?' });
    expect(
      meetingCommandSchema.safeParse({ type: 'prompt:save', text: 'x'.repeat(PROMPT_TEXT_MAX) }).success,
    ).toBe(true);
  });
});

describe('PROMPT-2: one prompt at a time, on every screen', () => {
  it('PROMPT-2: showing another replaces it; clear takes it off; clearing nothing is wrong-status', () => {
    const replaced = must(transition(withShipped, OWN, NOW, LEADER));
    expect(replaced.prompts?.shown).toEqual({ kind: 'own', text: 'Who is not in the room?' });
    const cleared = must(transition(replaced, { type: 'prompt:clear' }, NOW, LEADER));
    expect(cleared.prompts?.shown).toBeNull();
    expect(cleared.prompts?.own).toEqual(['Who is not in the room?']);
    const again = transition(cleared, { type: 'prompt:clear' }, NOW, LEADER);
    expect(again.ok ? 'ok' : again.error.code).toBe(E.WRONG_STATUS);
  });

  it('PROMPT-2: every admitted seat and the projector see it; a waiting seat does not; own prompts are for leaders', () => {
    const s = must(transition(withShipped, { type: 'prompt:save', text: 'Draft' }, NOW, LEADER));
    for (const seatId of [
      SEAT.leader,
      SEAT.coLeader,
      SEAT.presenter,
      SEAT.participant,
      SEAT.observer,
      SEAT.projector,
    ]) {
      expect(viewOf(s, seatId)?.prompt, seatId).toEqual({ kind: 'shipped', id: 'be-patient' });
    }
    expect(viewOf(s, SEAT.waiting)).not.toHaveProperty('prompt');
    expect(viewOf(s, SEAT.leader)?.ownPrompts).toEqual(['Draft']);
    expect(viewOf(s, SEAT.coLeader)?.ownPrompts).toEqual(['Draft']);
    for (const seatId of [SEAT.presenter, SEAT.participant, SEAT.observer, SEAT.projector, SEAT.waiting]) {
      expect(viewOf(s, seatId), seatId).not.toHaveProperty('ownPrompts');
      expect(JSON.stringify(viewOf(s, seatId)), seatId).not.toContain('Draft');
    }
    expect(viewOf(pushBack, SEAT.participant)?.prompt).toBeNull();
  });

  it('PROMPT-2: a meeting stored before prompts existed loads with none', () => {
    const old = structuredClone(pushBack);
    delete old.prompts;
    expect(viewOf(old, SEAT.participant)?.prompt).toBeNull();
    expect(viewOf(old, SEAT.leader)?.ownPrompts).toEqual([]);
    expect(must(transition(old, SHIPPED, NOW, LEADER)).prompts?.shown).toEqual({
      kind: 'shipped',
      id: 'be-patient',
    });
  });
});

describe('PROMPT-3: a prompt belongs to its push-back', () => {
  const moves: [string, MeetingCommand][] = [
    ['next', { type: 'phase:next' }],
    ['previous', { type: 'phase:previous' }],
    ['jump', { type: 'phase:jump', phaseId: 'p5' }],
  ];
  for (const [label, c] of moves) {
    it(`PROMPT-3: leaving the phase (${label}) takes the prompt off every screen; own prompts stay`, () => {
      const s = apply(withShipped, [[{ type: 'prompt:save', text: 'Draft' }, NOW]]);
      const after = must(transition(s, c, NOW + MIN, LEADER));
      expect(after.prompts?.shown).toBeNull();
      expect(after.prompts?.own).toEqual(['Draft']);
      expect(viewOf(after, SEAT.projector)?.prompt).toBeNull();
    });
  }

  it('PROMPT-3: auto-advance at the deadline clears it too', () => {
    const s = apply(withShipped, [[{ type: 'settings:update', autoAdvance: true }, NOW]]);
    const after = must(transition(s, { type: 'clock:tick' }, PUSH_BACK_AT + 41 * MIN, SERVER));
    expect(after.phases[after.current?.index ?? -1]?.kind).toBe('return');
    expect(after.prompts?.shown).toBeNull();
  });

  it('PROMPT-3: pausing or changing the time does not', () => {
    const s = apply(withShipped, [
      [{ type: 'timer:pause' }, NOW],
      [{ type: 'timer:adjust', minutes: 5 }, NOW],
      [{ type: 'timer:resume' }, NOW + MIN],
    ]);
    expect(s.prompts?.shown).toEqual({ kind: 'shipped', id: 'be-patient' });
  });
});

describe("PROMPT-4: the leaders' own prompts for this meeting", () => {
  it('PROMPT-4: kept once each, in the order written, in any status but ended; forgetting one clears it if shown', () => {
    const lobby = apply(S.lobby.state, [
      [{ type: 'prompt:save', text: 'First' }, T0 - MIN],
      [{ type: 'prompt:save', text: 'Second' }, T0 - MIN],
      [{ type: 'prompt:save', text: 'First' }, T0 - MIN],
    ]);
    expect(lobby.prompts?.own).toEqual(['First', 'Second']);
    const shown = apply(pushBack, [
      [{ type: 'prompt:save', text: 'First' }, NOW],
      [{ type: 'prompt:show', prompt: { kind: 'own', text: 'First' } }, NOW],
    ]);
    expect(shown.prompts?.own).toEqual(['First']);
    const forgotten = must(transition(shown, { type: 'prompt:forget', text: 'First' }, NOW, LEADER));
    expect(forgotten.prompts).toEqual({ shown: null, own: [] });
    const unknown = transition(forgotten, { type: 'prompt:forget', text: 'First' }, NOW, LEADER);
    expect(unknown.ok ? 'ok' : unknown.error.code).toBe(E.BAD_REQUEST);
  });

  it(`PROMPT-4: at most ${MAX_OWN_PROMPTS}; past that, limit-reached and nothing changes`, () => {
    let s = pushBack;
    for (let i = 0; i < MAX_OWN_PROMPTS; i++)
      s = must(transition(s, { type: 'prompt:save', text: `P${i}` }, NOW, LEADER));
    for (const c of [
      { type: 'prompt:save', text: 'one more' },
      { type: 'prompt:show', prompt: { kind: 'own', text: 'one more' } },
    ] as MeetingCommand[]) {
      const r = transition(s, c, NOW, LEADER);
      expect(r.ok ? 'ok' : r.error.code).toBe(E.LIMIT_REACHED);
    }
    // One already kept can still be shown.
    expect(
      must(transition(s, { type: 'prompt:show', prompt: { kind: 'own', text: 'P3' } }, NOW, LEADER)).prompts
        ?.shown,
    ).toEqual({
      kind: 'own',
      text: 'P3',
    });
  });
});

describe('PROMPT-5: nothing of it outlives the meeting', () => {
  it('PROMPT-5: meeting:end leaves no prompt and no own prompt in the state', () => {
    const s = apply(withShipped, [[{ type: 'prompt:save', text: 'Secret prompt' }, NOW]]);
    const ended = must(transition(s, { type: 'meeting:end' }, NOW, LEADER));
    expect(ended).not.toHaveProperty('prompts');
    expect(JSON.stringify(ended)).not.toContain('Secret prompt');
  });
});

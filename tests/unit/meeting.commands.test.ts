import { describe, expect, it } from 'vitest';
import { ERROR_CODES as E, type ErrorCode } from '../../shared/errors';
import type { Actor } from '../../shared/meeting/commands';
import { meetingCommandSchema } from '../../shared/meeting/commands';
import { transition } from '../../shared/meeting/transition';
import {
  type AnyCommand,
  invariantViolations,
  by,
  LEADER,
  SEAT,
  SERVER,
  situations,
  type SituationName,
} from '../helpers/meetingFixtures';

/**
 * Every command type against every situation, as a leader (or the server for server commands).
 * Situations: see `situations()`; "running" is the presentation (p3, index 2) of the classic
 * one-case template, "first" the opening (p1), "last" the closing (p7).
 */
type Outcome = 'ok' | ErrorCode;
type Expect = Record<SituationName, Outcome>;

interface Row {
  rule: string;
  label: string;
  command: AnyCommand;
  actor?: Actor;
  expect: Expect;
}

/** Same outcome everywhere except an ended meeting, which refuses everything (MEET-3). */
function exceptEnded(outcome: Outcome, overrides: Partial<Expect> = {}): Expect {
  return {
    lobby: outcome,
    running: outcome,
    paused: outcome,
    first: outcome,
    last: outcome,
    ended: E.WRONG_STATUS,
    ...overrides,
  };
}
const notInLobby = (outcome: Outcome, overrides: Partial<Expect> = {}) =>
  exceptEnded(outcome, { lobby: E.NOT_RUNNING, ...overrides });

const ok = 'ok' as const;

/** Keyed by command type, so the compiler insists every type of both unions has rows. */
const TABLE: { [K in AnyCommand['type']]: Row[] } = {
  'meeting:start': [
    {
      rule: 'MEET-1',
      label: 'start',
      command: { type: 'meeting:start' },
      expect: exceptEnded(E.WRONG_STATUS, { lobby: ok }),
    },
  ],
  'meeting:end': [
    { rule: 'MEET-1', label: 'end', command: { type: 'meeting:end' }, expect: exceptEnded(ok) },
  ],
  'timer:pause': [
    {
      rule: 'TIME-5',
      label: 'pause',
      command: { type: 'timer:pause' },
      expect: notInLobby(ok, { paused: E.NOT_RUNNING }),
    },
  ],
  'timer:resume': [
    {
      rule: 'TIME-5',
      label: 'resume',
      command: { type: 'timer:resume' },
      expect: notInLobby(E.NOT_PAUSED, { paused: ok }),
    },
  ],
  'timer:adjust': [
    { rule: 'TIME-1', label: '+5', command: { type: 'timer:adjust', minutes: 5 }, expect: notInLobby(ok) },
    { rule: 'TIME-2', label: '-30', command: { type: 'timer:adjust', minutes: -30 }, expect: notInLobby(ok) },
  ],
  'phase:next': [
    {
      rule: 'MEET-2',
      label: 'next',
      command: { type: 'phase:next' },
      expect: notInLobby(ok, { last: E.NO_SUCH_PHASE }),
    },
  ],
  'phase:previous': [
    {
      rule: 'MEET-2',
      label: 'previous',
      command: { type: 'phase:previous' },
      expect: notInLobby(ok, { first: E.NO_SUCH_PHASE }),
    },
  ],
  'phase:jump': [
    {
      rule: 'TIME-4',
      label: 'jump to p4',
      command: { type: 'phase:jump', phaseId: 'p4' },
      expect: exceptEnded(ok, { lobby: E.WRONG_STATUS }),
    },
    {
      rule: 'TIME-4',
      label: 'jump to an unknown phase',
      command: { type: 'phase:jump', phaseId: 'p99' },
      expect: exceptEnded(E.NO_SUCH_PHASE, { lobby: E.WRONG_STATUS }),
    },
  ],
  'phase:setDuration': [
    {
      rule: 'TIME-3',
      label: 'p4 to 15 min',
      command: { type: 'phase:setDuration', phaseId: 'p4', minutes: 15 },
      expect: exceptEnded(ok),
    },
    {
      rule: 'TIME-3',
      label: 'the current phase (p3) to 15 min',
      command: { type: 'phase:setDuration', phaseId: 'p3', minutes: 15 },
      expect: exceptEnded(ok),
    },
    {
      rule: 'TIME-3',
      label: 'an unknown phase',
      command: { type: 'phase:setDuration', phaseId: 'nope', minutes: 15 },
      expect: exceptEnded(E.NO_SUCH_PHASE),
    },
  ],
  'phase:add': [
    {
      rule: 'MEET-4',
      label: 'after p4',
      command: { type: 'phase:add', kind: 'questions', minutes: 5, afterPhaseId: 'p4', caseIndex: 0 },
      expect: exceptEnded(ok),
    },
    {
      rule: 'MEET-4',
      label: 'at the start',
      command: { type: 'phase:add', kind: 'opening', minutes: 5, afterPhaseId: null, caseIndex: null },
      expect: exceptEnded(ok),
    },
    {
      rule: 'MEET-4',
      label: 'after an unknown phase',
      command: { type: 'phase:add', kind: 'opening', minutes: 5, afterPhaseId: 'nope', caseIndex: null },
      expect: exceptEnded(E.NO_SUCH_PHASE),
    },
    {
      rule: 'MEET-4',
      label: 'into a case that does not exist',
      command: { type: 'phase:add', kind: 'questions', minutes: 5, afterPhaseId: 'p4', caseIndex: 1 },
      expect: exceptEnded(E.BAD_REQUEST),
    },
  ],
  'phase:remove': [
    {
      rule: 'MEET-5',
      label: 'p4 (never current here)',
      command: { type: 'phase:remove', phaseId: 'p4' },
      expect: exceptEnded(ok),
    },
    {
      rule: 'MEET-5',
      label: 'p3 (current while running or paused)',
      command: { type: 'phase:remove', phaseId: 'p3' },
      expect: exceptEnded(ok, { running: E.WRONG_STATUS, paused: E.WRONG_STATUS }),
    },
    {
      rule: 'MEET-5',
      label: 'an unknown phase',
      command: { type: 'phase:remove', phaseId: 'nope' },
      expect: exceptEnded(E.NO_SUCH_PHASE),
    },
  ],
  'phase:addFollowUp': [
    {
      rule: 'FOLLOW-5',
      label: 'a meeting without a group follows nothing up',
      command: { type: 'phase:addFollowUp' },
      expect: exceptEnded(E.WRONG_STATUS),
    },
  ],
  'case:add': [
    { rule: 'MEET-6', label: 'second case', command: { type: 'case:add' }, expect: exceptEnded(ok) },
  ],
  'case:showResonance': [
    {
      rule: 'BOARD-10',
      label: 'a leader takes the marks off the screens',
      command: { type: 'case:showResonance', caseIndex: 0, on: false },
      expect: exceptEnded(ok),
    },
    {
      rule: 'BOARD-10',
      label: "a leader cannot show the presenter's marks",
      command: { type: 'case:showResonance', caseIndex: 0, on: true },
      expect: exceptEnded(E.FORBIDDEN, { ended: E.FORBIDDEN }),
    },
  ],
  'case:setParkingLot': [
    {
      rule: 'BOARD-9',
      label: "the room sees case 0's parking lot",
      command: { type: 'case:setParkingLot', caseIndex: 0, parkingLot: 'room' },
      expect: exceptEnded(ok),
    },
    {
      rule: 'BOARD-9',
      label: 'a case that does not exist',
      command: { type: 'case:setParkingLot', caseIndex: 1, parkingLot: 'export' },
      expect: exceptEnded(E.BAD_REQUEST),
    },
  ],
  'presenter:set': [
    {
      rule: 'ROLE-4',
      label: 'a participant for case 0',
      command: { type: 'presenter:set', caseIndex: 0, seatId: SEAT.participant },
      expect: exceptEnded(ok),
    },
    {
      rule: 'ROLE-4',
      label: 'nobody for case 0',
      command: { type: 'presenter:set', caseIndex: 0, seatId: null },
      expect: exceptEnded(ok),
    },
    {
      rule: 'ROLE-4',
      label: 'for a case that does not exist',
      command: { type: 'presenter:set', caseIndex: 1, seatId: SEAT.participant },
      expect: exceptEnded(E.BAD_REQUEST),
    },
    {
      rule: 'ROLE-4',
      label: 'an observer',
      command: { type: 'presenter:set', caseIndex: 0, seatId: SEAT.observer },
      expect: exceptEnded(E.BAD_REQUEST),
    },
    {
      rule: 'ROLE-4',
      label: 'the co-leader',
      command: { type: 'presenter:set', caseIndex: 0, seatId: SEAT.coLeader },
      expect: exceptEnded(E.BAD_REQUEST),
    },
    {
      rule: 'ROLE-4',
      label: 'a waiting seat',
      command: { type: 'presenter:set', caseIndex: 0, seatId: SEAT.waiting },
      expect: exceptEnded(E.NO_SUCH_SEAT),
    },
    {
      rule: 'ROLE-4',
      label: 'an unknown seat',
      command: { type: 'presenter:set', caseIndex: 0, seatId: SEAT.unknown },
      expect: exceptEnded(E.NO_SUCH_SEAT),
    },
  ],
  'seat:setRole': [
    {
      rule: 'ROLE-3',
      label: 'participant to observer',
      command: { type: 'seat:setRole', seatId: SEAT.participant, role: 'observer' },
      expect: exceptEnded(ok),
    },
    {
      rule: 'ROLE-3',
      label: 'co-leader to participant',
      command: { type: 'seat:setRole', seatId: SEAT.coLeader, role: 'participant' },
      expect: exceptEnded(ok),
    },
    {
      rule: 'ROLE-3',
      label: 'the leader',
      command: { type: 'seat:setRole', seatId: SEAT.leader, role: 'participant' },
      expect: exceptEnded(E.FORBIDDEN),
    },
    {
      rule: 'ROLE-3',
      label: 'the projector',
      command: { type: 'seat:setRole', seatId: SEAT.projector, role: 'participant' },
      expect: exceptEnded(E.FORBIDDEN),
    },
    {
      rule: 'ROLE-3',
      label: 'a waiting seat',
      command: { type: 'seat:setRole', seatId: SEAT.waiting, role: 'observer' },
      expect: exceptEnded(E.NO_SUCH_SEAT),
    },
    {
      rule: 'ROLE-3',
      label: 'an unknown seat',
      command: { type: 'seat:setRole', seatId: SEAT.unknown, role: 'observer' },
      expect: exceptEnded(E.NO_SUCH_SEAT),
    },
  ],
  'seat:remove': [
    {
      rule: 'ROLE-5',
      label: 'a participant',
      command: { type: 'seat:remove', seatId: SEAT.participant },
      expect: exceptEnded(ok),
    },
    {
      rule: 'ROLE-6',
      label: 'a waiting seat',
      command: { type: 'seat:remove', seatId: SEAT.waiting },
      expect: exceptEnded(ok),
    },
    {
      rule: 'ROLE-3',
      label: 'the leader',
      command: { type: 'seat:remove', seatId: SEAT.leader },
      expect: exceptEnded(E.FORBIDDEN),
    },
    {
      rule: 'ROLE-5',
      label: 'an unknown seat',
      command: { type: 'seat:remove', seatId: SEAT.unknown },
      expect: exceptEnded(E.NO_SUCH_SEAT),
    },
  ],
  'seat:admit': [
    {
      rule: 'ROLE-6',
      label: 'a waiting seat',
      command: { type: 'seat:admit', seatId: SEAT.waiting },
      expect: exceptEnded(ok),
    },
    {
      rule: 'ROLE-6',
      label: 'an admitted seat',
      command: { type: 'seat:admit', seatId: SEAT.participant },
      expect: exceptEnded(E.WRONG_STATUS),
    },
    {
      rule: 'ROLE-6',
      label: 'an unknown seat',
      command: { type: 'seat:admit', seatId: SEAT.unknown },
      expect: exceptEnded(E.NO_SUCH_SEAT),
    },
  ],
  'joinCode:rotate': [
    { rule: 'MEET-8', label: 'rotate', command: { type: 'joinCode:rotate' }, expect: exceptEnded(ok) },
  ],
  'settings:update': [
    {
      rule: 'MEET-7',
      label: 'lock',
      command: { type: 'settings:update', locked: true },
      expect: exceptEnded(ok),
    },
    {
      rule: 'MEET-7',
      label: 'nothing',
      command: { type: 'settings:update' },
      expect: exceptEnded(ok),
    },
    {
      rule: 'MEET-7',
      label: 'change anonymity',
      command: { type: 'settings:update', anonymity: 'named', title: 'x' },
      expect: exceptEnded(E.WRONG_STATUS, { lobby: ok }),
    },
    {
      rule: 'MEET-7',
      label: 'anonymity unchanged, with other settings',
      command: { type: 'settings:update', anonymity: 'anonymous', timerVisibility: 'everyone' },
      expect: exceptEnded(ok),
    },
  ],
  // None of these situations is push-back; tests/unit/prompts.test.ts has the push-back rows.
  'prompt:show': [
    {
      rule: 'PROMPT-1',
      label: 'a shipped prompt outside push-back',
      command: { type: 'prompt:show', prompt: { kind: 'shipped', id: 'be-patient' } },
      expect: exceptEnded(E.WRONG_STATUS),
    },
  ],
  'prompt:clear': [
    {
      rule: 'PROMPT-2',
      label: 'clear with no prompt shown',
      command: { type: 'prompt:clear' },
      expect: exceptEnded(E.WRONG_STATUS),
    },
  ],
  'prompt:save': [
    {
      rule: 'PROMPT-4',
      label: 'keep an own prompt',
      command: { type: 'prompt:save', text: 'Who is missing?' },
      expect: exceptEnded(ok),
    },
  ],
  'prompt:forget': [
    {
      rule: 'PROMPT-4',
      label: 'forget a prompt never kept',
      command: { type: 'prompt:forget', text: 'Who is missing?' },
      expect: exceptEnded(E.BAD_REQUEST),
    },
  ],
  // The spoken work (shared/spoken/): a room-format meeting, so raised hands start off.
  'meeting:setFormat': [
    {
      rule: 'FORMAT-2',
      label: 'online',
      command: { type: 'meeting:setFormat', format: 'online' },
      expect: exceptEnded(ok),
    },
  ],
  'intake:open': [
    { rule: 'INTAKE-1', label: 'open', command: { type: 'intake:open' }, expect: exceptEnded(ok) },
  ],
  'intake:close': [
    { rule: 'INTAKE-1', label: 'close', command: { type: 'intake:close' }, expect: exceptEnded(ok) },
  ],
  'intake:volunteer': [
    {
      rule: 'INTAKE-2',
      label: 'a participant while intake is closed',
      command: { type: 'intake:volunteer', label: 'the caller' },
      actor: by(SEAT.participant),
      expect: exceptEnded(E.WRONG_STATUS),
    },
    {
      rule: 'INTAKE-2',
      label: 'an observer',
      command: { type: 'intake:volunteer' },
      actor: by(SEAT.observer),
      expect: exceptEnded(E.FORBIDDEN),
    },
    {
      rule: 'ROLE-1',
      label: 'the projector',
      command: { type: 'intake:volunteer' },
      actor: by(SEAT.projector),
      expect: exceptEnded(E.FORBIDDEN, { ended: E.FORBIDDEN }),
    },
  ],
  'intake:withdraw': [
    {
      rule: 'INTAKE-2',
      label: 'not volunteered',
      command: { type: 'intake:withdraw' },
      actor: by(SEAT.participant),
      expect: exceptEnded(E.WRONG_STATUS),
    },
  ],
  'intake:add': [
    {
      rule: 'INTAKE-3',
      label: 'a name only',
      command: { type: 'intake:add', name: 'Ada' },
      expect: exceptEnded(ok),
    },
    {
      rule: 'INTAKE-3',
      label: 'a participant seat',
      command: { type: 'intake:add', seatId: SEAT.participant },
      expect: exceptEnded(ok),
    },
    {
      rule: 'INTAKE-3',
      label: 'an observer seat',
      command: { type: 'intake:add', seatId: SEAT.observer },
      expect: exceptEnded(E.BAD_REQUEST),
    },
    {
      rule: 'INTAKE-3',
      label: 'a waiting seat',
      command: { type: 'intake:add', seatId: SEAT.waiting },
      expect: exceptEnded(E.NO_SUCH_SEAT),
    },
  ],
  'intake:pick': [
    {
      rule: 'INTAKE-4',
      label: 'no such volunteer',
      command: { type: 'intake:pick', volunteerId: 'v9', caseIndex: 0 },
      expect: exceptEnded(E.BAD_REQUEST),
    },
  ],
  'intake:remove': [
    {
      rule: 'INTAKE-3',
      label: 'no such volunteer',
      command: { type: 'intake:remove', volunteerId: 'v9' },
      expect: exceptEnded(E.BAD_REQUEST),
    },
  ],
  'intake:showLabels': [
    {
      rule: 'INTAKE-5',
      label: 'show',
      command: { type: 'intake:showLabels', shown: true },
      expect: exceptEnded(ok),
    },
  ],
  'hands:enable': [
    {
      rule: 'HANDS-1',
      label: 'on',
      command: { type: 'hands:enable', enabled: true },
      expect: exceptEnded(ok),
    },
  ],
  'hand:raise': [
    {
      rule: 'HANDS-1',
      label: 'hands off (in the room)',
      command: { type: 'hand:raise' },
      actor: by(SEAT.participant),
      expect: exceptEnded(E.WRONG_STATUS),
    },
    {
      rule: 'HANDS-2',
      label: 'the leader',
      command: { type: 'hand:raise' },
      expect: exceptEnded(E.FORBIDDEN),
    },
  ],
  'hand:lower': [
    {
      rule: 'HANDS-2',
      label: 'no hand up',
      command: { type: 'hand:lower' },
      actor: by(SEAT.participant),
      expect: exceptEnded(E.WRONG_STATUS),
    },
  ],
  'hands:next': [
    {
      rule: 'HANDS-4',
      label: 'no hand up',
      command: { type: 'hands:next' },
      expect: exceptEnded(E.WRONG_STATUS),
    },
  ],
  'hands:clear': [
    { rule: 'HANDS-4', label: 'clear', command: { type: 'hands:clear' }, expect: exceptEnded(ok) },
  ],
  'seating:set': [
    {
      rule: 'ROUND-2',
      label: 'an order',
      command: { type: 'seating:set', seatIds: [SEAT.participant, SEAT.presenter] },
      expect: exceptEnded(ok),
    },
    {
      rule: 'ROUND-2',
      label: 'a seat twice',
      command: { type: 'seating:set', seatIds: [SEAT.participant, SEAT.participant] },
      expect: exceptEnded(E.BAD_REQUEST),
    },
    {
      rule: 'ROUND-2',
      label: 'an unknown seat',
      command: { type: 'seating:set', seatIds: [SEAT.unknown] },
      expect: exceptEnded(E.NO_SUCH_SEAT),
    },
  ],
  'round:start': [
    {
      rule: 'ROUND-1',
      label: 'a round in seating order',
      command: {
        type: 'round:start',
        order: 'seating',
        turnSeconds: null,
        turnTimeFor: 'leaders',
        addSeatIds: [],
        addNames: [],
      },
      expect: exceptEnded(ok, { lobby: E.WRONG_STATUS }),
    },
    {
      rule: 'ROUND-1',
      label: 'adding an unknown seat',
      command: {
        type: 'round:start',
        order: 'shuffled',
        turnSeconds: 40,
        turnTimeFor: 'speaker',
        addSeatIds: [SEAT.unknown],
        addNames: [],
      },
      expect: exceptEnded(E.NO_SUCH_SEAT, { lobby: E.WRONG_STATUS }),
    },
  ],
  'round:add': [
    {
      rule: 'ROUND-3',
      label: 'no round',
      command: { type: 'round:add', name: 'Ada' },
      expect: exceptEnded(E.WRONG_STATUS),
    },
  ],
  'round:next': [
    {
      rule: 'ROUND-4',
      label: 'no round',
      command: { type: 'round:next' },
      expect: exceptEnded(E.WRONG_STATUS),
    },
  ],
  'round:pass': [
    {
      rule: 'ROUND-5',
      label: 'no round',
      command: { type: 'round:pass' },
      actor: by(SEAT.participant),
      expect: exceptEnded(E.WRONG_STATUS),
    },
  ],
  'round:end': [
    {
      rule: 'ROUND-4',
      label: 'no round',
      command: { type: 'round:end' },
      expect: exceptEnded(E.WRONG_STATUS),
    },
  ],
  'seat:join': [
    {
      rule: 'ROLE-6',
      label: 'a new seat (server)',
      command: { type: 'seat:join', seatId: 'seat-new', role: 'participant', name: 'Nia' },
      actor: SERVER,
      expect: exceptEnded(ok),
    },
    {
      rule: 'ROLE-6',
      label: 'an existing seat id (server)',
      command: { type: 'seat:join', seatId: SEAT.participant, role: 'participant', name: 'Max' },
      actor: SERVER,
      expect: exceptEnded(E.BAD_REQUEST),
    },
    {
      rule: 'ROLE-2',
      label: 'sent by the leader',
      command: { type: 'seat:join', seatId: 'seat-new', role: 'participant', name: 'Nia' },
      actor: LEADER,
      expect: exceptEnded(E.FORBIDDEN, { ended: E.FORBIDDEN }),
    },
  ],
  'clock:tick': [
    {
      rule: 'TIME-6',
      label: 'tick (server)',
      command: { type: 'clock:tick' },
      actor: SERVER,
      expect: exceptEnded(ok),
    },
    {
      rule: 'ROLE-2',
      label: 'tick sent by the leader',
      command: { type: 'clock:tick' },
      actor: LEADER,
      expect: exceptEnded(E.FORBIDDEN, { ended: E.FORBIDDEN }),
    },
  ],
};

const SITUATIONS = situations();

describe('every command in every situation', () => {
  it('the table covers every meeting command type of the wire schema, and both server commands', () => {
    const wire = meetingCommandSchema.options.map((o) => o.shape.type.value);
    expect(Object.keys(TABLE).sort()).toEqual([...wire, 'clock:tick', 'seat:join'].sort());
  });

  it('every situation is what its name says', () => {
    const { lobby, running, paused, first, last, ended } = SITUATIONS;
    expect(lobby.state.status).toBe('lobby');
    expect(running.state.current).toMatchObject({ index: 2, timing: { state: 'running' } });
    expect(paused.state.current).toMatchObject({ index: 2, timing: { state: 'paused' } });
    expect(first.state.current).toMatchObject({ index: 0, timing: { state: 'running' } });
    expect(last.state.current).toMatchObject({ index: 6, timing: { state: 'running' } });
    expect(ended.state.status).toBe('ended');
    for (const s of Object.values(SITUATIONS)) expect(invariantViolations(s.state)).toEqual([]);
  });

  for (const [type, rows] of Object.entries(TABLE)) {
    describe(type, () => {
      for (const row of rows) {
        for (const situation of Object.values(SITUATIONS)) {
          const expected = row.expect[situation.name];
          const actor = row.actor ?? (type === 'seat:join' || type === 'clock:tick' ? SERVER : LEADER);
          it(`PURE-1, ${row.rule}: ${row.label} when ${situation.describe} -> ${expected}`, () => {
            const input = situation.state;
            const before = structuredClone(input);
            const result = transition(input, row.command, situation.now, actor);
            expect(input).toEqual(before);
            if (expected === 'ok') {
              expect(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`).toBe(true);
              if (!result.ok) return;
              expect(result.state).not.toBe(input);
              expect(invariantViolations(result.state)).toEqual([]);
            } else {
              expect(result.ok).toBe(false);
              if (result.ok) return;
              expect(result.error.code).toBe(expected);
              expect(result.error.message.length).toBeGreaterThan(0);
            }
          });
        }
      }
    });
  }
});

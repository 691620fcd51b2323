import { describe, expect, it } from 'vitest';
import { ERROR_CODES as E } from '../../shared/errors';
import { meetingCommandSchema, type MeetingCommand } from '../../shared/meeting/commands';
import { currentCaseIndex, effectiveRole, findSeat, isLeaderRole } from '../../shared/meeting/roles';
import { COMMAND_ACCESS } from '../../shared/meeting/permissions';
import type { MeetingState, Seat } from '../../shared/meeting/state';
import { transition } from '../../shared/meeting/transition';
import {
  apply,
  by,
  LEADER,
  MIN,
  must,
  newMeeting,
  populatedLobby,
  SEAT,
  SERVER,
  situations,
  T0,
} from '../helpers/meetingFixtures';

/** One valid instance of every leader command, as the wire schema lists them. */
const SAMPLES: { [K in MeetingCommand['type']]: Extract<MeetingCommand, { type: K }> } = {
  'meeting:start': { type: 'meeting:start' },
  'meeting:end': { type: 'meeting:end' },
  'timer:pause': { type: 'timer:pause' },
  'timer:resume': { type: 'timer:resume' },
  'timer:adjust': { type: 'timer:adjust', minutes: 1 },
  'phase:next': { type: 'phase:next' },
  'phase:previous': { type: 'phase:previous' },
  'phase:jump': { type: 'phase:jump', phaseId: 'p4' },
  'phase:setDuration': { type: 'phase:setDuration', phaseId: 'p4', minutes: 12 },
  'phase:add': { type: 'phase:add', kind: 'questions', minutes: 5, afterPhaseId: 'p4', caseIndex: 0 },
  'phase:remove': { type: 'phase:remove', phaseId: 'p6' },
  'phase:addFollowUp': { type: 'phase:addFollowUp' },
  'case:add': { type: 'case:add' },
  'presenter:set': { type: 'presenter:set', caseIndex: 0, seatId: SEAT.participant },
  'case:showResonance': { type: 'case:showResonance', caseIndex: 1, on: false },
  'case:setParkingLot': { type: 'case:setParkingLot', caseIndex: 0, parkingLot: 'export' },
  'seat:setRole': { type: 'seat:setRole', seatId: SEAT.participant, role: 'observer' },
  'seat:remove': { type: 'seat:remove', seatId: SEAT.participant },
  'seat:admit': { type: 'seat:admit', seatId: SEAT.waiting },
  'joinCode:rotate': { type: 'joinCode:rotate' },
  'settings:update': { type: 'settings:update', timerVisibility: 'everyone' },
  'prompt:show': { type: 'prompt:show', prompt: { kind: 'shipped', id: 'be-patient' } },
  'prompt:clear': { type: 'prompt:clear' },
  'prompt:save': { type: 'prompt:save', text: 'Who is missing?' },
  'prompt:forget': { type: 'prompt:forget', text: 'Who is missing?' },
  'meeting:setFormat': { type: 'meeting:setFormat', format: 'online' },
  'intake:open': { type: 'intake:open' },
  'intake:close': { type: 'intake:close' },
  'intake:volunteer': { type: 'intake:volunteer', label: 'the caller' },
  'intake:withdraw': { type: 'intake:withdraw' },
  'intake:add': { type: 'intake:add', name: 'Ada' },
  'intake:pick': { type: 'intake:pick', volunteerId: 'v1', caseIndex: 0 },
  'intake:remove': { type: 'intake:remove', volunteerId: 'v1' },
  'intake:showLabels': { type: 'intake:showLabels', shown: true },
  'hands:enable': { type: 'hands:enable', enabled: true },
  'hand:raise': { type: 'hand:raise' },
  'hand:lower': { type: 'hand:lower' },
  'hands:next': { type: 'hands:next' },
  'hands:clear': { type: 'hands:clear' },
  'seating:set': { type: 'seating:set', seatIds: [SEAT.participant] },
  'round:start': {
    type: 'round:start',
    order: 'seating',
    turnSeconds: 40,
    turnTimeFor: 'leaders',
    addSeatIds: [],
    addNames: ['Ada'],
  },
  'round:add': { type: 'round:add', name: 'Ben' },
  'round:next': { type: 'round:next' },
  'round:pass': { type: 'round:pass' },
  'round:end': { type: 'round:end' },
};
const ALL_COMMANDS = Object.values(SAMPLES) as MeetingCommand[];
/** The leaders' commands of the permission table. */
const COMMANDS = ALL_COMMANDS.filter((c) => COMMAND_ACCESS[c.type] === 'leaders');
/** The members' commands: any admitted seat but the projector may send them. */
const MEMBER_COMMANDS = ALL_COMMANDS.filter((c) => COMMAND_ACCESS[c.type] === 'members');

const REFUSED: { who: string; seatId: string; code: string }[] = [
  { who: 'a participant', seatId: SEAT.participant, code: E.FORBIDDEN },
  { who: 'the presenter', seatId: SEAT.presenter, code: E.FORBIDDEN },
  { who: 'an observer', seatId: SEAT.observer, code: E.FORBIDDEN },
  { who: 'the projector', seatId: SEAT.projector, code: E.FORBIDDEN },
  { who: 'a waiting (not admitted) seat', seatId: SEAT.waiting, code: E.FORBIDDEN },
  { who: 'an unknown seat', seatId: SEAT.unknown, code: E.UNAUTHENTICATED },
];

const S = situations();
const PERMISSION_SITUATIONS = [S.lobby, S.running, S.paused, S.ended];

function seat(s: MeetingState, id: string): Seat {
  const found = findSeat(s, id);
  if (!found) throw new Error(`no seat ${id}`);
  return found;
}

describe('ROLE-1: the permission table', () => {
  it("ROLE-1: the members' commands are exactly volunteering, withdrawing, hands up and down, passing", () => {
    expect(MEMBER_COMMANDS.map((c) => c.type).sort()).toEqual(
      ['hand:lower', 'hand:raise', 'intake:volunteer', 'intake:withdraw', 'round:pass'].sort(),
    );
  });

  for (const situation of PERMISSION_SITUATIONS) {
    it(`ROLE-1: members' commands: projector and waiting seat forbidden, unknown unauthenticated (${situation.describe})`, () => {
      const before = structuredClone(situation.state);
      for (const command of MEMBER_COMMANDS) {
        for (const [seatId, code] of [
          [SEAT.projector, E.FORBIDDEN],
          [SEAT.waiting, E.FORBIDDEN],
          [SEAT.unknown, E.UNAUTHENTICATED],
        ] as const) {
          const r = transition(situation.state, command, situation.now, by(seatId));
          expect(!r.ok && r.error.code, `${seatId} ${command.type}`).toBe(code);
        }
      }
      expect(situation.state).toEqual(before);
    });

    it(`ROLE-1: members' commands are never refused by the table to a participant or the presenter (${situation.describe})`, () => {
      for (const command of MEMBER_COMMANDS) {
        for (const seatId of [SEAT.participant, SEAT.presenter]) {
          const r = transition(situation.state, command, situation.now, by(seatId));
          if (!r.ok)
            expect([E.FORBIDDEN, E.UNAUTHENTICATED], `${seatId} ${command.type}`).not.toContain(r.error.code);
        }
      }
    });
  }
});

describe("ROLE-1: every leaders' command is for admitted leaders only", () => {
  it('ROLE-1: the samples cover every command of the wire schema', () => {
    const wire = meetingCommandSchema.options.map((o) => o.shape.type.value);
    expect(Object.keys(SAMPLES).sort()).toEqual([...wire].sort());
    expect(Object.keys(COMMAND_ACCESS).sort()).toEqual([...wire].sort());
  });

  it('ROLE-1: the presenter really is the presenter while running in case 0', () => {
    expect(effectiveRole(S.running.state, seat(S.running.state, SEAT.presenter))).toBe('presenter');
    expect(seat(S.lobby.state, SEAT.waiting).admitted).toBe(false);
  });

  for (const situation of PERMISSION_SITUATIONS) {
    for (const { who, seatId, code } of REFUSED) {
      it(`ROLE-1: every leader command from ${who} is ${code} (${situation.describe}); state unchanged`, () => {
        const before = structuredClone(situation.state);
        for (const command of COMMANDS) {
          const r = transition(situation.state, command, situation.now, by(seatId));
          expect(r.ok, command.type).toBe(false);
          if (!r.ok) expect(r.error.code, command.type).toBe(code);
        }
        expect(situation.state).toEqual(before);
      });
    }

    for (const seatId of [SEAT.leader, SEAT.coLeader]) {
      it(`ROLE-1: ${seatId} is never refused for who it is (${situation.describe})`, () => {
        for (const command of COMMANDS) {
          const r = transition(situation.state, command, situation.now, by(seatId));
          if (!r.ok) expect([E.FORBIDDEN, E.UNAUTHENTICATED], command.type).not.toContain(r.error.code);
        }
      });
    }
  }

  it('ROLE-1: the co-leader has every power of the leader (same outcome for every command)', () => {
    for (const situation of PERMISSION_SITUATIONS) {
      for (const command of COMMANDS) {
        const asLeader = transition(situation.state, command, situation.now, LEADER);
        const asCo = transition(situation.state, command, situation.now, by(SEAT.coLeader));
        expect(asCo, `${situation.name} ${command.type}`).toEqual(asLeader);
      }
    }
  });

  it('ROLE-1: the server may send meeting commands too', () => {
    const r = transition(S.running.state, { type: 'meeting:end' }, S.running.now, SERVER);
    expect(r.ok).toBe(true);
  });

  it('ROLE-1: who may act is checked before the status (a participant gets forbidden on an ended meeting)', () => {
    const r = transition(S.ended.state, { type: 'meeting:start' }, S.ended.now, by(SEAT.participant));
    expect(!r.ok && r.error.code).toBe(E.FORBIDDEN);
    const l = transition(S.ended.state, { type: 'meeting:start' }, S.ended.now, LEADER);
    expect(!l.ok && l.error.code).toBe(E.WRONG_STATUS);
  });

  it('ROLE-1: a participant made co-leader gains the powers; a co-leader made participant loses them', () => {
    const promoted = apply(S.lobby.state, [
      [{ type: 'seat:setRole', seatId: SEAT.participant, role: 'co-leader' }, T0],
      [{ type: 'seat:setRole', seatId: SEAT.coLeader, role: 'participant' }, T0],
    ]);
    expect(transition(promoted, { type: 'meeting:start' }, T0, by(SEAT.participant)).ok).toBe(true);
    const r = transition(promoted, { type: 'meeting:start' }, T0, by(SEAT.coLeader));
    expect(!r.ok && r.error.code).toBe(E.FORBIDDEN);
  });

  it('ROLE-1: a leader-role seat that is not admitted is refused too (forbidden)', () => {
    // Not reachable through commands (only admitted seats are re-roled); the check is kept anyway.
    const s = structuredClone(S.lobby.state);
    const waiting = seat(s, SEAT.waiting);
    waiting.role = 'co-leader';
    const r = transition(s, { type: 'meeting:start' }, T0, by(SEAT.waiting));
    expect(!r.ok && r.error.code).toBe(E.FORBIDDEN);
  });

  it('ROLE-1: a removed seat is unknown (unauthenticated)', () => {
    const s = apply(S.lobby.state, [[{ type: 'seat:remove', seatId: SEAT.coLeader }, T0]]);
    const r = transition(s, { type: 'meeting:start' }, T0, by(SEAT.coLeader));
    expect(!r.ok && r.error.code).toBe(E.UNAUTHENTICATED);
  });
});

describe('ROLE-2: seat:join and clock:tick are server-only', () => {
  const seats = [SEAT.leader, SEAT.coLeader, SEAT.participant, SEAT.projector, SEAT.unknown];
  for (const situation of PERMISSION_SITUATIONS) {
    it(`ROLE-2: refused (forbidden) from any seat, leaders included (${situation.describe})`, () => {
      const before = structuredClone(situation.state);
      for (const seatId of seats) {
        for (const command of [
          { type: 'clock:tick' } as const,
          { type: 'seat:join', seatId: 'seat-x', role: 'participant', name: 'X' } as const,
        ]) {
          const r = transition(situation.state, command, situation.now, by(seatId));
          expect(!r.ok && r.error.code, `${seatId} ${command.type}`).toBe(E.FORBIDDEN);
        }
      }
      expect(situation.state).toEqual(before);
    });
  }
});

describe('ROLE-3: re-roling seats', () => {
  it('ROLE-3: the leader seat cannot be removed or re-roled (forbidden)', () => {
    for (const command of [
      { type: 'seat:remove', seatId: SEAT.leader },
      { type: 'seat:setRole', seatId: SEAT.leader, role: 'co-leader' },
    ] as const) {
      for (const actor of [LEADER, by(SEAT.coLeader)]) {
        const r = transition(S.lobby.state, command, T0, actor);
        expect(!r.ok && r.error.code).toBe(E.FORBIDDEN);
      }
    }
  });

  it('ROLE-3: the projector seat cannot be re-roled but can be removed', () => {
    const r = transition(
      S.lobby.state,
      { type: 'seat:setRole', seatId: SEAT.projector, role: 'observer' },
      T0,
      LEADER,
    );
    expect(!r.ok && r.error.code).toBe(E.FORBIDDEN);
    const removed = must(
      transition(S.lobby.state, { type: 'seat:remove', seatId: SEAT.projector }, T0, LEADER),
    );
    expect(findSeat(removed, SEAT.projector)).toBeUndefined();
  });

  it('ROLE-3: the wire schema only lets a role become co-leader, participant or observer', () => {
    for (const role of ['leader', 'projector', 'presenter']) {
      const parsed = meetingCommandSchema.safeParse({ type: 'seat:setRole', seatId: SEAT.participant, role });
      expect(parsed.success, role).toBe(false);
    }
  });

  it('ROLE-3: changing a role reports board-rules-changed', () => {
    const r = transition(
      S.lobby.state,
      { type: 'seat:setRole', seatId: SEAT.participant, role: 'observer' },
      T0,
      LEADER,
    );
    expect(r.ok && r.effects).toEqual([{ type: 'board-rules-changed' }]);
    expect(r.ok && findSeat(r.state, SEAT.participant)?.role).toBe('observer');
  });

  it('ROLE-3: a co-leader may step down themselves', () => {
    const r = transition(
      S.lobby.state,
      { type: 'seat:setRole', seatId: SEAT.coLeader, role: 'participant' },
      T0,
      by(SEAT.coLeader),
    );
    expect(r.ok && findSeat(r.state, SEAT.coLeader)?.role).toBe('participant');
  });
});

describe('ROLE-4: the presenter is a participant named per case', () => {
  const twoCases = () =>
    apply(populatedLobby(), [
      [{ type: 'case:add' }, T0],
      [{ type: 'presenter:set', caseIndex: 1, seatId: SEAT.participant }, T0],
      [{ type: 'meeting:start' }, T0],
    ]);

  it('ROLE-4: presenter:set names the seat and reports board-rules-changed', () => {
    const r = transition(
      S.lobby.state,
      { type: 'presenter:set', caseIndex: 0, seatId: SEAT.participant },
      T0,
      LEADER,
    );
    expect(r.ok && r.state.cases[0]).toEqual({
      presenterSeatId: SEAT.participant,
      parkingLot: 'leaders',
      resonanceShown: false,
    });
    expect(r.ok && r.effects).toEqual([{ type: 'board-rules-changed' }]);
  });

  it('ROLE-4: null clears the presenter', () => {
    const s = apply(S.lobby.state, [[{ type: 'presenter:set', caseIndex: 0, seatId: null }, T0]]);
    expect(s.cases[0]?.presenterSeatId).toBeNull();
    expect(effectiveRole(s, seat(s, SEAT.presenter))).toBe('participant');
  });

  it('ROLE-4: a seat is presenter only while the meeting is in its case', () => {
    let s = twoCases();
    const roleOf = (id: string) => effectiveRole(s, seat(s, id));
    // Opening (before any case phase) counts as case 0.
    expect([currentCaseIndex(s), roleOf(SEAT.presenter), roleOf(SEAT.participant)]).toEqual([
      0,
      'presenter',
      'participant',
    ]);
    s = apply(s, [[{ type: 'phase:jump', phaseId: 'p8' }, T0 + MIN]]); // case-choice of case 1
    expect([currentCaseIndex(s), roleOf(SEAT.presenter), roleOf(SEAT.participant)]).toEqual([
      1,
      'participant',
      'presenter',
    ]);
    s = apply(s, [[{ type: 'phase:jump', phaseId: 'p7' }, T0 + 2 * MIN]]); // closing, after case 1
    expect([currentCaseIndex(s), roleOf(SEAT.participant)]).toEqual([1, 'presenter']);
  });

  it('ROLE-4: in the lobby and after the end, case 0 counts', () => {
    const ended = apply(twoCases(), [
      [{ type: 'phase:jump', phaseId: 'p8' }, T0],
      [{ type: 'meeting:end' }, T0 + MIN],
    ]);
    expect(currentCaseIndex(ended)).toBe(0);
    expect(effectiveRole(ended, seat(ended, SEAT.presenter))).toBe('presenter');
    expect(currentCaseIndex(S.lobby.state)).toBe(0);
  });

  it('ROLE-4: seats that are not participants are never presenter', () => {
    for (const id of [SEAT.leader, SEAT.coLeader, SEAT.observer, SEAT.projector]) {
      const s = S.running.state;
      expect(effectiveRole(s, seat(s, id))).toBe(seat(s, id).role);
    }
  });

  it('ROLE-4: isLeaderRole is true for leader and co-leader only', () => {
    const all = ['leader', 'co-leader', 'participant', 'observer', 'projector', 'presenter'] as const;
    expect(all.filter((r) => isLeaderRole(r))).toEqual(['leader', 'co-leader']);
  });
});

describe('ROLE-5: a seat stops presenting when it is re-roled or removed', () => {
  const presenting = () =>
    apply(populatedLobby(), [
      [{ type: 'case:add' }, T0],
      [{ type: 'presenter:set', caseIndex: 1, seatId: SEAT.presenter }, T0],
    ]);

  for (const role of ['observer', 'co-leader'] as const) {
    it(`ROLE-5: re-roled to ${role}, it is cleared as presenter of every case`, () => {
      const s = apply(presenting(), [[{ type: 'seat:setRole', seatId: SEAT.presenter, role }, T0]]);
      expect(s.cases).toEqual([
        { presenterSeatId: null, parkingLot: 'leaders', resonanceShown: false },
        { presenterSeatId: null, parkingLot: 'leaders', resonanceShown: false },
      ]);
    });
  }

  it('ROLE-5: re-roled participant -> participant keeps presenting', () => {
    const s = apply(presenting(), [
      [{ type: 'seat:setRole', seatId: SEAT.presenter, role: 'participant' }, T0],
    ]);
    expect(s.cases.map((c) => c.presenterSeatId)).toEqual([SEAT.presenter, SEAT.presenter]);
  });

  it('ROLE-5: removed, it is cleared as presenter of every case and seat-removed is reported', () => {
    const r = transition(presenting(), { type: 'seat:remove', seatId: SEAT.presenter }, T0, LEADER);
    expect(r.ok && r.state.cases).toEqual([
      { presenterSeatId: null, parkingLot: 'leaders', resonanceShown: false },
      { presenterSeatId: null, parkingLot: 'leaders', resonanceShown: false },
    ]);
    expect(r.ok && findSeat(r.state, SEAT.presenter)).toBeUndefined();
    expect(r.ok && r.effects).toEqual([{ type: 'seat-removed', seatId: SEAT.presenter }]);
  });

  it('ROLE-5: removing another seat leaves the presenters alone', () => {
    const s = apply(presenting(), [[{ type: 'seat:remove', seatId: SEAT.observer }, T0]]);
    expect(s.cases.map((c) => c.presenterSeatId)).toEqual([SEAT.presenter, SEAT.presenter]);
  });
});

describe('ROLE-6: joining, the waiting list and admitting', () => {
  const join = (
    s: MeetingState,
    seatId: string,
    role: 'participant' | 'observer' | 'projector',
    name = 'N',
  ) => transition(s, { type: 'seat:join', seatId, role, name }, T0 + 3 * MIN, SERVER);

  it('ROLE-6: an unlocked meeting admits members at once', () => {
    for (const role of ['participant', 'observer'] as const) {
      const s = must(join(newMeeting(), 'seat-x', role, 'Xena'));
      expect(findSeat(s, 'seat-x')).toEqual({
        id: 'seat-x',
        role,
        name: 'Xena',
        admitted: true,
        joinedAt: T0 + 3 * MIN,
      });
    }
  });

  it('ROLE-6: a locked meeting puts members in the waiting list', () => {
    const locked = newMeeting({ settings: { locked: true } });
    for (const role of ['participant', 'observer'] as const) {
      expect(findSeat(must(join(locked, 'seat-x', role)), 'seat-x')?.admitted).toBe(false);
    }
  });

  it('ROLE-6: the projector is admitted at once, also when locked, and never keeps a name', () => {
    const s = must(join(newMeeting({ settings: { locked: true } }), 'seat-p', 'projector', 'Big screen'));
    expect(findSeat(s, 'seat-p')).toMatchObject({ admitted: true, name: '', role: 'projector' });
  });

  it('ROLE-6: joining with an existing seat id is bad-request', () => {
    const r = join(newMeeting(), SEAT.leader, 'participant');
    expect(!r.ok && r.error.code).toBe(E.BAD_REQUEST);
  });

  it('ROLE-6: joining makes no effects', () => {
    const r = join(newMeeting(), 'seat-x', 'participant');
    expect(r.ok && r.effects).toEqual([]);
  });

  it('ROLE-6: seat:admit admits a waiting seat; twice is wrong-status', () => {
    const s = apply(S.lobby.state, [[{ type: 'seat:admit', seatId: SEAT.waiting }, T0]]);
    expect(findSeat(s, SEAT.waiting)?.admitted).toBe(true);
    const r = transition(s, { type: 'seat:admit', seatId: SEAT.waiting }, T0, LEADER);
    expect(!r.ok && r.error.code).toBe(E.WRONG_STATUS);
  });

  it('ROLE-6: unlocking does not admit those already waiting', () => {
    expect(S.lobby.state.settings.locked).toBe(false);
    expect(findSeat(S.lobby.state, SEAT.waiting)?.admitted).toBe(false);
  });

  it('ROLE-6: seat:remove turns a waiting seat away', () => {
    const s = apply(S.lobby.state, [[{ type: 'seat:remove', seatId: SEAT.waiting }, T0]]);
    expect(findSeat(s, SEAT.waiting)).toBeUndefined();
  });

  it('ROLE-6: a waiting seat cannot be re-roled or named presenter (no-such-seat) until admitted', () => {
    for (const command of [
      { type: 'seat:setRole', seatId: SEAT.waiting, role: 'co-leader' },
      { type: 'presenter:set', caseIndex: 0, seatId: SEAT.waiting },
    ] as const) {
      const r = transition(S.lobby.state, command, T0, LEADER);
      expect(!r.ok && r.error.code).toBe(E.NO_SUCH_SEAT);
    }
  });
});

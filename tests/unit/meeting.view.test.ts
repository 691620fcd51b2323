import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { projectView, type ViewContext } from '../../shared/meeting/project';
import type { MeetingState } from '../../shared/meeting/state';
import { projectedEndAt } from '../../shared/meeting/time';
import type { MeetingView } from '../../shared/meeting/view';
import { apply, MIN, populatedLobby, SEAT, situations, T0 } from '../helpers/meetingFixtures';

const S = situations();
const JOIN_CODE = 'KXQ4-7PLM';
const connections = new Map<string, number>([
  [SEAT.leader, 2],
  [SEAT.presenter, 1],
  [SEAT.projector, 1],
  [SEAT.observer, 0],
  [SEAT.waiting, 1],
]);
const ctx = (now: number): ViewContext => ({ now, connections, joinCode: JOIN_CODE });

function view(state: MeetingState, seatId: string, now = S.running.now): MeetingView {
  const v = projectView(state, seatId, ctx(now));
  if (!v) throw new Error(`no view for ${seatId}`);
  return v;
}

const LEADERS = [SEAT.leader, SEAT.coLeader];
const MEMBERS = [SEAT.presenter, SEAT.participant, SEAT.observer];
const LEADER_ONLY = ['waiting', 'connections', 'projectedEndAt'] as const;

describe('VIEW-1: only seats of the meeting get a view', () => {
  it('VIEW-1: an unknown seat gets null', () => {
    expect(projectView(S.running.state, SEAT.unknown, ctx(T0))).toBeNull();
  });
});

describe('VIEW-2: a seat in the waiting list sees only the frame', () => {
  for (const situation of Object.values(S)) {
    it(`VIEW-2: no timer, seats, join code or leader fields (${situation.describe})`, () => {
      const v = view(situation.state, SEAT.waiting, situation.now);
      for (const key of ['timer', 'seats', 'joinCode', ...LEADER_ONLY])
        expect(v, key).not.toHaveProperty(key);
      expect(v.you).toEqual({
        seatId: SEAT.waiting,
        role: 'participant',
        effectiveRole: 'participant',
        name: 'Wim',
        admitted: false,
      });
    });
  }

  it('VIEW-2: even with the timer shown to everyone', () => {
    const s = apply(S.running.state, [[{ type: 'settings:update', timerVisibility: 'everyone' }, T0]]);
    expect(view(s, SEAT.waiting)).not.toHaveProperty('timer');
  });
});

describe('VIEW-3: the timer', () => {
  it('VIEW-3: hidden (default) timer reaches leaders and the projector only', () => {
    expect(S.running.state.settings.timerVisibility).toBe('leaders');
    for (const id of [...LEADERS, SEAT.projector])
      expect(view(S.running.state, id), id).toHaveProperty('timer');
    for (const id of MEMBERS) expect(view(S.running.state, id), id).not.toHaveProperty('timer');
  });

  it("VIEW-3: with timerVisibility 'everyone' every admitted seat gets it", () => {
    const s = apply(S.running.state, [[{ type: 'settings:update', timerVisibility: 'everyone' }, T0]]);
    for (const id of [...LEADERS, SEAT.projector, ...MEMBERS])
      expect(view(s, id), id).toHaveProperty('timer');
  });

  it('VIEW-3: running: the deadline and start, no time left', () => {
    expect(view(S.running.state, SEAT.leader).timer).toEqual({
      state: 'running',
      startedAt: T0 + 8 * MIN,
      endsAt: T0 + 18 * MIN,
      remainingMs: null,
    });
  });

  it('VIEW-3: paused: the frozen time left, no deadline', () => {
    expect(view(S.paused.state, SEAT.projector, S.paused.now).timer).toEqual({
      state: 'paused',
      startedAt: T0 + 8 * MIN,
      endsAt: null,
      remainingMs: 8 * MIN,
    });
  });

  it('VIEW-3: no timer without a current phase (lobby, ended), for anyone', () => {
    for (const situation of [S.lobby, S.ended]) {
      for (const id of [...LEADERS, SEAT.projector]) {
        expect(view(situation.state, id, situation.now)).not.toHaveProperty('timer');
      }
    }
  });
});

describe('VIEW-4: waiting list, connections and projected end are for leaders only', () => {
  it('VIEW-4: leaders get them', () => {
    for (const id of LEADERS) {
      const v = view(S.running.state, id);
      expect(v.waiting).toEqual([{ id: SEAT.waiting, name: 'Wim', joinedAt: T0 - 20 * MIN + 6 }]);
      expect(v.connections).toEqual(Object.fromEntries(connections));
      expect(v.projectedEndAt).toBe(projectedEndAt(S.running.state, S.running.now));
    }
  });

  it('VIEW-4: no one else gets them', () => {
    for (const situation of Object.values(S)) {
      for (const id of [SEAT.projector, ...MEMBERS]) {
        const v = view(situation.state, id, situation.now);
        for (const key of LEADER_ONLY) expect(v, `${situation.name} ${id} ${key}`).not.toHaveProperty(key);
      }
    }
  });

  it('VIEW-4: the projected end in the lobby is now + the whole plan; after the end it is the end', () => {
    expect(view(S.lobby.state, SEAT.leader, T0).projectedEndAt).toBe(T0 + 90 * MIN);
    expect(view(S.ended.state, SEAT.leader, S.ended.now).projectedEndAt).toBe(T0 + 10 * MIN);
  });

  it('VIEW-4: an empty waiting list is an empty array for leaders', () => {
    const s = apply(S.lobby.state, [[{ type: 'seat:admit', seatId: SEAT.waiting }, T0]]);
    expect(view(s, SEAT.leader).waiting).toEqual([]);
  });
});

describe('VIEW-5: the join code is for leaders and the projector', () => {
  it('VIEW-5: leaders and projector get it; members do not', () => {
    for (const id of [...LEADERS, SEAT.projector])
      expect(view(S.lobby.state, id).joinCode, id).toBe(JOIN_CODE);
    for (const id of MEMBERS) expect(view(S.lobby.state, id), id).not.toHaveProperty('joinCode');
  });
});

describe('VIEW-6: who is present; never names on the projector', () => {
  it('VIEW-6: the projector gets no seats array, only counts', () => {
    for (const situation of Object.values(S)) {
      const v = view(situation.state, SEAT.projector, situation.now);
      expect(v).not.toHaveProperty('seats');
      const names = situation.state.seats.map((s) => s.name).filter((n) => n !== '');
      const wire = JSON.stringify(v);
      for (const name of names) expect(wire, name).not.toContain(`"${name}"`);
    }
  });

  it('VIEW-6: every other admitted seat sees every admitted seat with role, case role and presence', () => {
    for (const id of [...LEADERS, ...MEMBERS]) {
      expect(view(S.running.state, id).seats, id).toEqual([
        { id: SEAT.leader, name: 'Lena', role: 'leader', effectiveRole: 'leader', connected: true },
        { id: SEAT.coLeader, name: 'Chris', role: 'co-leader', effectiveRole: 'co-leader', connected: false },
        { id: SEAT.presenter, name: 'Pia', role: 'participant', effectiveRole: 'presenter', connected: true },
        {
          id: SEAT.participant,
          name: 'Max',
          role: 'participant',
          effectiveRole: 'participant',
          connected: false,
        },
        { id: SEAT.observer, name: 'Olga', role: 'observer', effectiveRole: 'observer', connected: false },
        { id: SEAT.projector, name: '', role: 'projector', effectiveRole: 'projector', connected: true },
      ]);
    }
  });

  it('VIEW-6: observers are always shown as observers', () => {
    const seats = view(S.running.state, SEAT.participant).seats ?? [];
    expect(seats.find((s) => s.id === SEAT.observer)?.effectiveRole).toBe('observer');
  });
});

describe('VIEW-7: the frame every view carries', () => {
  it('VIEW-7: server clock, protocol version, plan, settings, presence of admitted seats', () => {
    const v = view(S.running.state, SEAT.observer, T0 + 10 * MIN + 123);
    expect(v).toMatchObject({
      protocolVersion: PROTOCOL_VERSION,
      serverNow: T0 + 10 * MIN + 123,
      meetingId: 'meeting-1',
      title: 'Thursday group',
      status: 'running',
      anonymity: 'anonymous',
      release: 'batch',
      timerVisibility: 'leaders',
      autoAdvance: false,
      locked: false,
      boardOpen: true,
      currentIndex: 2,
      cases: [{ presenterSeatId: SEAT.presenter }],
      // Leader (2), presenter (1), projector (1) connected; the waiting seat does not count.
      presence: { connected: 3, total: 6 },
    });
    expect(v.phases).toEqual(S.running.state.phases);
  });

  it('VIEW-7: currentIndex is null in the lobby and after the end', () => {
    expect(view(S.lobby.state, SEAT.leader).currentIndex).toBeNull();
    expect(view(S.ended.state, SEAT.leader).currentIndex).toBeNull();
  });
});

describe('VIEW-8: you', () => {
  it('VIEW-8: each seat sees itself with its seat role and case role', () => {
    expect(view(S.running.state, SEAT.presenter).you).toEqual({
      seatId: SEAT.presenter,
      role: 'participant',
      effectiveRole: 'presenter',
      name: 'Pia',
      admitted: true,
    });
    expect(view(S.running.state, SEAT.projector).you).toEqual({
      seatId: SEAT.projector,
      role: 'projector',
      effectiveRole: 'projector',
      name: '',
      admitted: true,
    });
  });

  it('VIEW-8: a co-leader demoted to participant loses the leader fields at once', () => {
    const s = apply(populatedLobby(), [
      [{ type: 'seat:setRole', seatId: SEAT.coLeader, role: 'participant' }, T0],
    ]);
    const v = view(s, SEAT.coLeader, T0);
    for (const key of ['joinCode', ...LEADER_ONLY]) expect(v, key).not.toHaveProperty(key);
  });
});

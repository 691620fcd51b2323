/** WIRE-7: a meeting holds at most 40 admitted seats, 40 waiting and 3 projector seats. */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES as E } from '../../shared/errors';
import type { MeetingState } from '../../shared/meeting/state';
import { transition } from '../../shared/meeting/transition';
import { LEADER, must, newMeeting, SERVER, T0 } from '../helpers/meetingFixtures';

function join(s: MeetingState, seatId: string, role: 'participant' | 'observer' | 'projector') {
  return transition(s, { type: 'seat:join', seatId, role, name: seatId }, T0, SERVER);
}

function joinMany(s: MeetingState, prefix: string, n: number, role: 'participant' | 'projector') {
  let state = s;
  for (let i = 0; i < n; i++) state = must(join(state, `${prefix}-${i}`, role));
  return state;
}

describe('seat caps (WIRE-7)', () => {
  it('WIRE-7: the 40th admitted seat joins, the 41st is limit-reached and the state is unchanged', () => {
    // The leader's own seat counts: 39 members make 40.
    const full = joinMany(newMeeting(), 'member', 39, 'participant');
    expect(full.seats.filter((x) => x.admitted)).toHaveLength(40);
    const refused = join(full, 'one-too-many', 'participant');
    expect(refused).toMatchObject({ ok: false, error: { code: E.LIMIT_REACHED } });
    expect(join(full, 'an-observer', 'observer')).toMatchObject({
      ok: false,
      error: { code: E.LIMIT_REACHED },
    });
    expect(full.seats).toHaveLength(40);
  });

  it('WIRE-7: projectors do not count against the 40 seats, and a fourth projector is limit-reached', () => {
    const full = joinMany(newMeeting(), 'member', 39, 'participant');
    const withProjectors = joinMany(full, 'projector', 3, 'projector');
    expect(withProjectors.seats).toHaveLength(43);
    expect(join(withProjectors, 'projector-4', 'projector')).toMatchObject({
      ok: false,
      error: { code: E.LIMIT_REACHED },
    });
    expect(join(newMeeting(), 'p', 'projector').ok).toBe(true);
  });

  it('WIRE-7: a locked meeting holds at most 40 waiting, and admitting past 40 seats is limit-reached', () => {
    let s = joinMany(newMeeting(), 'member', 38, 'participant');
    s = must(transition(s, { type: 'settings:update', locked: true }, T0, LEADER));
    s = joinMany(s, 'waiting', 40, 'participant');
    expect(s.seats.filter((x) => !x.admitted)).toHaveLength(40);
    expect(join(s, 'waiting-41', 'participant')).toMatchObject({
      ok: false,
      error: { code: E.LIMIT_REACHED },
    });
    s = must(transition(s, { type: 'seat:admit', seatId: 'waiting-0' }, T0, LEADER));
    expect(s.seats.filter((x) => x.admitted)).toHaveLength(40);
    expect(transition(s, { type: 'seat:admit', seatId: 'waiting-1' }, T0, LEADER)).toMatchObject({
      ok: false,
      error: { code: E.LIMIT_REACHED },
    });
    // A seat removed makes room again, and a waiting place freed takes a new seat.
    s = must(transition(s, { type: 'seat:remove', seatId: 'member-0' }, T0, LEADER));
    s = must(transition(s, { type: 'seat:admit', seatId: 'waiting-1' }, T0, LEADER));
    expect(s.seats.filter((x) => !x.admitted)).toHaveLength(38);
    expect(join(s, 'waiting-41', 'participant').ok).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import {
  attendanceTotals,
  confirmationProblem,
  countedDoubleSessions,
  defaultDoubleSessions,
  meetingSlots,
  PRESENCE_SLOT_MS,
  proposeAttendance,
} from '../../shared/group/attendance';

const S = PRESENCE_SLOT_MS;
const start = 1000 * S;

describe('the attendance proposal from presence slots', () => {
  it('ATT-2: present in at least half of the meeting’s slots, each slot counted once', () => {
    expect(meetingSlots(start, start + 12 * S)).toHaveLength(12);
    expect(meetingSlots(start + 10, start + 10)).toEqual([1000]);
    const presence = new Map([
      ['full', new Set(Array.from({ length: 12 }, (_, i) => 1000 + i))],
      ['half', new Set([1000, 1001, 1002, 1009, 1010, 1011])],
      ['less', new Set([1000, 1001, 1002, 1003, 1004])],
      // Slots outside the meeting (before its start) count for nothing.
      ['before', new Set([990, 991, 992, 993, 994, 995, 996])],
    ]);
    const proposal = proposeAttendance({
      memberIds: ['full', 'half', 'less', 'before', 'none'],
      presence,
      startedAt: start,
      endedAt: start + 12 * S,
      mode: 'in-room',
    });
    expect(proposal.map((p) => [p.memberId, p.attended, p.place])).toEqual([
      ['full', true, 'room'],
      ['half', true, 'room'],
      ['less', false, null],
      ['before', false, null],
      ['none', false, null],
    ]);
  });

  it('ATT-2: online places everyone remote; hybrid leaves the place to the leaders', () => {
    const presence = new Map([['a', new Set([1000])]]);
    const base = { memberIds: ['a'], presence, startedAt: start, endedAt: start + S };
    expect(proposeAttendance({ ...base, mode: 'online' })[0]?.place).toBe('remote');
    expect(proposeAttendance({ ...base, mode: 'hybrid' })[0]).toEqual({
      memberId: 'a',
      attended: true,
      place: null,
    });
  });
});

describe('counting double sessions', () => {
  it('ATT-5: one by default from 90 planned minutes; online and remote count at most one', () => {
    expect(defaultDoubleSessions(89)).toBe(0);
    expect(defaultDoubleSessions(90)).toBe(1);
    expect(defaultDoubleSessions(180)).toBe(1);
    expect(countedDoubleSessions(2, 'in-room', 'room')).toBe(2);
    expect(countedDoubleSessions(2, 'online', 'remote')).toBe(1);
    expect(countedDoubleSessions(2, 'hybrid', 'remote')).toBe(1);
    expect(countedDoubleSessions(2, 'hybrid', 'room')).toBe(2);
  });

  it('ATT-4: a confirmation is refused with a bad number or a missing place in a hybrid session', () => {
    expect(confirmationProblem('online', 2, [])).toBe('double-sessions');
    expect(confirmationProblem('in-room', 5, [])).toBe('double-sessions');
    expect(confirmationProblem('in-room', 1.5, [])).toBe('double-sessions');
    expect(confirmationProblem('hybrid', 1, [{ memberId: 'a', attended: true, place: null }])).toBe(
      'place-missing',
    );
    expect(confirmationProblem('hybrid', 1, [{ memberId: 'a', attended: false, place: null }])).toBeNull();
  });

  it('ATT-6: totals split in person and online, in German 45-minute units and English hours', () => {
    const totals = attendanceTotals([
      { doubleSessions: 1, mode: 'in-room', place: 'room', attended: true },
      { doubleSessions: 2, mode: 'hybrid', place: 'room', attended: true },
      { doubleSessions: 2, mode: 'hybrid', place: 'remote', attended: true },
      { doubleSessions: 1, mode: 'online', place: 'remote', attended: true },
      { doubleSessions: 1, mode: 'in-room', place: null, attended: false },
    ]);
    expect(totals).toEqual({ inPerson: 3, online: 2, doubleSessions: 5, germanUnits: 10, hours: 7.5 });
    // 15 double sessions are the German chambers' 30 Stunden.
    const fifteen = attendanceTotals(
      Array.from({ length: 15 }, () => ({
        doubleSessions: 1,
        mode: 'in-room' as const,
        place: 'room' as const,
        attended: true,
      })),
    );
    expect(fifteen.germanUnits).toBe(30);
  });
});

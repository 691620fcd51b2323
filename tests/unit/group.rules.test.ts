import { describe, expect, it } from 'vitest';
import { MIN_EVALUATION_ANSWERS, tally, validAnswer } from '../../shared/group/evaluation';
import { buildIcs } from '../../shared/group/ics';
import {
  addMonths,
  canAdmit,
  canMerge,
  MAX_ROSTER,
  mayRevokeLeader,
  nextMeetingStatus,
  retention,
  RETENTION_NOTICE_MS,
  STARTS_SOON_MS,
  type RosterEntry,
} from '../../shared/group/rules';

const admitted = (n: number): RosterEntry[] =>
  Array.from({ length: n }, (_, i) => ({ id: `m${i}`, status: 'admitted' as const }));

describe('roster rules', () => {
  it('GROUP-6: a request is admitted while the roster holds fewer than 30', () => {
    const roster = [...admitted(MAX_ROSTER - 1), { id: 'r', status: 'pending' as const }];
    expect(canAdmit(roster, 'r')).toEqual({ ok: true });
    expect(canAdmit([...admitted(MAX_ROSTER), { id: 'r', status: 'pending' }], 'r')).toEqual({
      ok: false,
      reason: 'roster-full',
    });
    expect(MAX_ROSTER).toBe(30);
  });

  it('GROUP-6: only a pending request is admitted', () => {
    expect(canAdmit(admitted(2), 'm0')).toEqual({ ok: false, reason: 'not-pending' });
    expect(canAdmit(admitted(2), 'nobody')).toEqual({ ok: false, reason: 'not-pending' });
  });

  it('GROUP-8: a request merges only into an admitted entry', () => {
    const roster: RosterEntry[] = [
      ...admitted(1),
      { id: 'r', status: 'pending' },
      { id: 'q', status: 'pending' },
    ];
    expect(canMerge(roster, 'r', 'm0')).toEqual({ ok: true });
    expect(canMerge(roster, 'r', 'q')).toEqual({ ok: false, reason: 'not-admitted' });
    expect(canMerge(roster, 'm0', 'm0')).toEqual({ ok: false, reason: 'not-pending' });
  });

  it('GROUP-3: managers revoke leaders but never the owner, nobody themselves', () => {
    const owner = { id: 'o', rights: 'owner' as const };
    const manager = { id: 'm', rights: 'manager' as const };
    const leader = { id: 'l', rights: 'leader' as const };
    expect(mayRevokeLeader(owner, leader)).toBe(true);
    expect(mayRevokeLeader(manager, leader)).toBe(true);
    expect(mayRevokeLeader(manager, owner)).toBe(false);
    expect(mayRevokeLeader(leader, manager)).toBe(false);
    expect(mayRevokeLeader(owner, owner)).toBe(false);
  });
});

describe('the next meeting', () => {
  it('GROUP-11: none, scheduled, soon from 15 minutes before, live', () => {
    const at = 1_000_000_000;
    expect(nextMeetingStatus(at, null, false)).toBe('none');
    expect(nextMeetingStatus(at - STARTS_SOON_MS - 1, at, false)).toBe('scheduled');
    expect(nextMeetingStatus(at - STARTS_SOON_MS, at, false)).toBe('soon');
    expect(nextMeetingStatus(at + 60_000, at, false)).toBe('soon');
    expect(nextMeetingStatus(at - 10 * STARTS_SOON_MS, at, true)).toBe('live');
    expect(nextMeetingStatus(0, null, true)).toBe('live');
  });

  it('GROUP-10: the .ics file has the start, the end and an escaped title', () => {
    const startsAt = Date.UTC(2027, 0, 14, 18, 30);
    const ics = buildIcs({
      uid: 'g1-1',
      title: 'Balint, Thursday; room 2',
      startsAt,
      minutes: 90,
      url: 'https://example.org/g/join#code=X',
      now: startsAt - 1,
    });
    expect(ics).toContain('DTSTART:20270114T183000Z\r\n');
    expect(ics).toContain('DTEND:20270114T200000Z\r\n');
    expect(ics).toContain('SUMMARY:Balint\\, Thursday\\; room 2\r\n');
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });
});

describe('retention', () => {
  it('GROUP-16: deleted 18 calendar months after the last meeting, with a notice for the last 30 days', () => {
    const last = Date.UTC(2026, 7, 31, 18, 0);
    expect(new Date(addMonths(last, 18)).toISOString()).toBe('2028-02-29T18:00:00.000Z');
    const { deletesAt } = retention(last, last);
    expect(retention(deletesAt - RETENTION_NOTICE_MS - 1, last)).toMatchObject({ notice: false, due: false });
    expect(retention(deletesAt - RETENTION_NOTICE_MS, last)).toMatchObject({ notice: true, due: false });
    expect(retention(deletesAt, last)).toMatchObject({ notice: true, due: true });
    expect(retention(last, last, 6).deletesAt).toBe(addMonths(last, 6));
  });
});

describe('evaluation thresholds', () => {
  it('EVAL-3: counts per item and answer only from three answers on', () => {
    expect(tally(['safe'], [{ safe: 5 }, { safe: 4 }])).toBeNull();
    expect(tally(['safe', 'frame'], [{ safe: 5 }, { safe: 5, frame: 1 }, { frame: 3 }])).toEqual({
      answers: 3,
      counts: { safe: [0, 0, 0, 0, 2], frame: [1, 0, 1, 0, 0] },
    });
    expect(MIN_EVALUATION_ANSWERS).toBe(3);
  });

  it('EVAL-1: an answer names only items that are on, with whole numbers 1 to 5', () => {
    expect(validAnswer(['safe'], { safe: 3 })).toBe(true);
    expect(validAnswer(['safe'], {})).toBe(false);
    expect(validAnswer(['safe'], { frame: 3 })).toBe(false);
    expect(validAnswer(['safe'], { safe: 0 })).toBe(false);
    expect(validAnswer(['safe'], { safe: 2.5 })).toBe(false);
  });
});

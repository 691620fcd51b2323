import { describe, expect, it } from 'vitest';
import {
  CASE_LABEL_MAX,
  labelExpired,
  labelExpiresAt,
  labelsFor,
  mayKeepLabel,
  normalizeCaseLabel,
  openFollowUps,
  type CaseLabelRecord,
} from '../../shared/group/followUp';
import { defaultRules } from '../../shared/meeting/phases';
import { projectView } from '../../shared/meeting/project';
import { transition } from '../../shared/meeting/transition';
import { LEADER, MIN, must, newMeeting, SEAT, T0, by } from '../helpers/meetingFixtures';

const DAY = 24 * 60 * MIN;
const KEPT = Date.UTC(2026, 0, 31, 12, 0, 0);

describe('case labels: the pure rules (FOLLOW-n)', () => {
  it('FOLLOW-2: a label is a few words: trimmed, 1–80 characters, no control characters', () => {
    expect(normalizeCaseLabel('  the   night call  ')).toBe('the night call');
    expect(normalizeCaseLabel('   ')).toBeNull();
    expect(normalizeCaseLabel('x'.repeat(CASE_LABEL_MAX))).toHaveLength(CASE_LABEL_MAX);
    expect(normalizeCaseLabel('x'.repeat(CASE_LABEL_MAX + 1))).toBeNull();
    expect(normalizeCaseLabel('a\u0007b')).toBeNull();
    expect(normalizeCaseLabel('Η νυχτερινή κλήση')).toBe('Η νυχτερινή κλήση');
  });

  it('FOLLOW-3: only the presenter says yes; a leader records it only for a presenter without a device', () => {
    const ask = (r: Partial<Parameters<typeof mayKeepLabel>[0]>) =>
      mayKeepLabel({
        asksAsLeader: false,
        isPresenter: false,
        caseHasPresenterSeat: true,
        recordedFor: false,
        ...r,
      });
    expect(ask({ isPresenter: true })).toEqual({ ok: true, by: 'presenter' });
    // Another member cannot say yes for the presenter, named or not.
    expect(ask({})).toEqual({ ok: false, reason: 'not-presenter' });
    expect(ask({ recordedFor: true })).toEqual({ ok: false, reason: 'not-presenter' });
    expect(ask({ caseHasPresenterSeat: false, recordedFor: true })).toEqual({
      ok: false,
      reason: 'not-presenter',
    });
    // A leader never in the place of a presenter who has a device.
    expect(ask({ asksAsLeader: true, recordedFor: true })).toEqual({
      ok: false,
      reason: 'presenter-has-device',
    });
    expect(ask({ asksAsLeader: true, caseHasPresenterSeat: false })).toEqual({
      ok: false,
      reason: 'name-the-presenter',
    });
    expect(ask({ asksAsLeader: true, caseHasPresenterSeat: false, recordedFor: true })).toEqual({
      ok: true,
      by: 'leader',
    });
  });

  it('FOLLOW-8: a label is deleted 6 calendar months after it was kept or last renewed', () => {
    // 31 January + 6 months is the last day of July (no 31 February-style overflow).
    expect(new Date(labelExpiresAt(KEPT)).toISOString()).toBe('2026-07-31T12:00:00.000Z');
    expect(labelExpired(labelExpiresAt(KEPT) - 1, KEPT)).toBe(false);
    expect(labelExpired(labelExpiresAt(KEPT), KEPT)).toBe(true);
    // Renewed a day before the limit: six months from the renewal.
    const renewed = labelExpiresAt(KEPT) - DAY;
    expect(labelExpired(labelExpiresAt(KEPT) + DAY, renewed)).toBe(false);
  });

  const labels: CaseLabelRecord[] = [
    { id: 'a', label: 'the night call', caseAt: KEPT, followUp: true, presenterId: 'm1', renewedAt: KEPT },
    {
      id: 'b',
      label: 'the silent son',
      caseAt: KEPT + DAY,
      followUp: false,
      presenterId: null,
      renewedAt: KEPT,
    },
  ];
  const names = (id: string) => (id === 'm1' ? 'Alma Zyborski' : null);

  it('FOLLOW-4: leaders see every label with who presented; members never the presenter, and only when shared', () => {
    const leader = labelsFor('leader', false, labels, names);
    expect(leader.labels.map((l) => ('presenterName' in l ? l.presenterName : 'none'))).toEqual([
      null,
      'Alma Zyborski',
    ]);
    expect(labelsFor('member', false, labels, names)).toEqual({ shared: false, labels: [] });
    const member = labelsFor('member', true, labels, names);
    expect(member.labels.map((l) => l.label)).toEqual(['the silent son', 'the night call']);
    expect(JSON.stringify(member)).not.toMatch(/Alma|presenter|m1/);
  });

  it('FOLLOW-5: the open follow-ups are the labels whose group wants one', () => {
    expect(openFollowUps(labels).map((l) => l.id)).toEqual(['a']);
  });
});

describe('the follow-up phase (FOLLOW-5, FOLLOW-6)', () => {
  const groupMeeting = () => ({ ...newMeeting(), inGroup: true });

  it('FOLLOW-5: a follow-up phase is like a round: no notes, no board', () => {
    expect(defaultRules('follow-up')).toEqual({
      postKinds: [],
      boardVisible: false,
      presenterListens: false,
    });
  });

  it('FOLLOW-5: one command adds it after the opening in the lobby, after the current phase while running', () => {
    const lobby = must(transition(groupMeeting(), { type: 'phase:addFollowUp' }, T0, LEADER));
    expect(lobby.phases.map((p) => p.kind).slice(0, 3)).toEqual(['opening', 'follow-up', 'case-choice']);
    expect(lobby.phases[1]).toMatchObject({ plannedMs: 10 * MIN, caseIndex: null });
    const started = must(transition(groupMeeting(), { type: 'meeting:start' }, T0, LEADER));
    const next = must(transition(started, { type: 'phase:next' }, T0 + MIN, LEADER));
    const added = must(transition(next, { type: 'phase:addFollowUp' }, T0 + 2 * MIN, LEADER));
    expect(added.current?.index).toBe(1);
    expect(added.phases[2]?.kind).toBe('follow-up');
    expect(added.phases).toHaveLength(next.phases.length + 1);
  });

  it('FOLLOW-5: without a group it is wrong-status, by phase:add too; members are forbidden', () => {
    const plain = newMeeting();
    const r = transition(plain, { type: 'phase:addFollowUp' }, T0, LEADER);
    expect(!r.ok && r.error.code).toBe('wrong-status');
    const add = transition(
      plain,
      { type: 'phase:add', kind: 'follow-up', minutes: 5, afterPhaseId: null, caseIndex: null },
      T0,
      LEADER,
    );
    expect(!add.ok && add.error.code).toBe('wrong-status');
    const joined = must(
      transition(
        groupMeeting(),
        { type: 'seat:join', seatId: SEAT.participant, role: 'participant', name: 'Max' },
        T0,
        { kind: 'server' },
      ),
    );
    const member = transition(joined, { type: 'phase:addFollowUp' }, T0, by(SEAT.participant));
    expect(!member.ok && member.error.code).toBe('forbidden');
  });

  it('FOLLOW-6: every view says whether the meeting is a group’s, and nothing more of the group', () => {
    const ctx = { now: T0, connections: new Map<string, number>(), joinCode: 'ABC-DEF' };
    expect(projectView(groupMeeting(), SEAT.leader, ctx)?.inGroup).toBe(true);
    expect(projectView(newMeeting(), SEAT.leader, ctx)?.inGroup).toBe(false);
  });
});

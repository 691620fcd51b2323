import { describe, expect, it } from 'vitest';
import { commandEnvelopeSchema, meetingCommandSchema } from '../../shared/meeting/commands';

const valid = (c: unknown) => meetingCommandSchema.safeParse(c).success;

describe('MEET-9: commands are checked at the boundary by the wire schema', () => {
  it('MEET-9: timer:adjust takes whole minutes in -180..180, never 0', () => {
    for (const minutes of [-180, -1, 1, 5, 180])
      expect(valid({ type: 'timer:adjust', minutes }), `${minutes}`).toBe(true);
    for (const minutes of [0, 181, -181, 1.5, '5', Number.NaN]) {
      expect(valid({ type: 'timer:adjust', minutes }), `${String(minutes)}`).toBe(false);
    }
  });

  it('MEET-9: durations are whole minutes in 1..180', () => {
    for (const minutes of [1, 180])
      expect(valid({ type: 'phase:setDuration', phaseId: 'p1', minutes })).toBe(true);
    for (const minutes of [0, 181, 2.5])
      expect(valid({ type: 'phase:setDuration', phaseId: 'p1', minutes })).toBe(false);
    const add = { type: 'phase:add', kind: 'questions', afterPhaseId: null, caseIndex: null };
    expect(valid({ ...add, minutes: 1 })).toBe(true);
    expect(valid({ ...add, minutes: 0 })).toBe(false);
    expect(valid({ ...add, minutes: 1, kind: 'lecture' })).toBe(false);
  });

  it('MEET-9: case indexes are 0 or 1', () => {
    expect(valid({ type: 'presenter:set', caseIndex: 1, seatId: null })).toBe(true);
    expect(valid({ type: 'presenter:set', caseIndex: 2, seatId: null })).toBe(false);
    expect(valid({ type: 'presenter:set', caseIndex: -1, seatId: null })).toBe(false);
  });

  it('MEET-9: unknown keys and unknown types are refused; server commands are not wire commands', () => {
    expect(valid({ type: 'meeting:start', force: true })).toBe(false);
    expect(valid({ type: 'meeting:restart' })).toBe(false);
    expect(valid({ type: 'clock:tick' })).toBe(false);
    expect(valid({ type: 'seat:join', seatId: 's', role: 'participant', name: 'n' })).toBe(false);
    expect(valid({ type: 'timer:pause', endsAt: 123 })).toBe(false);
  });

  it('MEET-9: leaders send durations, never absolute times', () => {
    const keys = meetingCommandSchema.options.flatMap((o) => Object.keys(o.shape));
    for (const key of keys) expect(key, key).not.toMatch(/At$|^now$|Ms$/);
  });

  it('MEET-9: settings:update titles are trimmed and 1..120 characters', () => {
    const parsed = meetingCommandSchema.parse({ type: 'settings:update', title: '  Thursday  ' });
    expect(parsed).toEqual({ type: 'settings:update', title: 'Thursday' });
    expect(valid({ type: 'settings:update', title: '   ' })).toBe(false);
    expect(valid({ type: 'settings:update', title: 'x'.repeat(121) })).toBe(false);
  });

  it('MEET-9: ids are 1..64 characters', () => {
    expect(valid({ type: 'phase:jump', phaseId: '' })).toBe(false);
    expect(valid({ type: 'phase:jump', phaseId: 'x'.repeat(65) })).toBe(false);
    expect(valid({ type: 'phase:jump', phaseId: 'x'.repeat(64) })).toBe(true);
  });

  it('MEET-9: the envelope carries a commandId of 8..64 characters and nothing else', () => {
    const command = { type: 'meeting:start' };
    expect(commandEnvelopeSchema.safeParse({ commandId: 'c-123456', command }).success).toBe(true);
    expect(commandEnvelopeSchema.safeParse({ commandId: 'short', command }).success).toBe(false);
    expect(commandEnvelopeSchema.safeParse({ commandId: 'c-123456', command, extra: 1 }).success).toBe(false);
  });
});

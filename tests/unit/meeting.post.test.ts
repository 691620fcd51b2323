import { describe, expect, it } from 'vitest';
import { NOTE_KINDS, SPECULATION_KINDS, type NoteKind } from '../../shared/meeting/phases';
import { canPostNote, findSeat, postableKinds } from '../../shared/meeting/roles';
import type { MeetingState, Seat } from '../../shared/meeting/state';
import { apply, MIN, populatedLobby, SEAT, T0 } from '../helpers/meetingFixtures';

/** The classic one-case plan: p1 opening, p2 case-choice, p3 presentation, p4 questions,
 * p5 speculation, p6 return, p7 closing. The presenter of case 0 is SEAT.presenter. */
const PHASES = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'] as const;
type PhaseId = (typeof PHASES)[number];

function inPhase(phaseId: PhaseId, extra: Parameters<typeof apply>[1] = []): MeetingState {
  return apply(populatedLobby(), [
    [{ type: 'meeting:start' }, T0],
    [{ type: 'phase:jump', phaseId }, T0 + MIN],
    ...extra,
  ]);
}

function seat(s: MeetingState, id: string): Seat {
  const found = findSeat(s, id);
  if (!found) throw new Error(`no seat ${id}`);
  return found;
}

const post = (s: MeetingState, id: string, kind: NoteKind) => canPostNote(s, seat(s, id), kind);
const kindsFor = (s: MeetingState, id: string) => postableKinds(s, seat(s, id), NOTE_KINDS);

const POSTERS = [SEAT.leader, SEAT.coLeader, SEAT.participant] as const;

/** What a leader or participant may post in each phase under the default rules. */
const ALLOWED: Record<PhaseId, readonly NoteKind[]> = {
  p1: [],
  p2: [],
  p3: [],
  p4: ['question'],
  p5: SPECULATION_KINDS,
  p6: [],
  p7: [],
};

describe('POST-1: observers, the projector and waiting seats never post', () => {
  for (const phaseId of PHASES) {
    it(`POST-1: forbidden in ${phaseId} for every kind`, () => {
      const s = inPhase(phaseId);
      for (const id of [SEAT.observer, SEAT.projector, SEAT.waiting]) {
        for (const kind of NOTE_KINDS)
          expect(post(s, id, kind), `${id} ${kind}`).toEqual({ ok: false, reason: 'forbidden' });
      }
    });
  }

  it('POST-1: forbidden comes first, also in the lobby', () => {
    expect(post(populatedLobby(), SEAT.observer, 'feeling')).toEqual({ ok: false, reason: 'forbidden' });
  });
});

describe('POST-2: notes only while the meeting runs', () => {
  it('POST-2: wrong-status in the lobby and after the end', () => {
    const lobby = populatedLobby();
    const ended = inPhase('p5', [[{ type: 'meeting:end' }, T0 + 2 * MIN]]);
    for (const s of [lobby, ended]) {
      for (const id of [...POSTERS, SEAT.presenter]) {
        expect(post(s, id, 'feeling'), id).toEqual({ ok: false, reason: 'wrong-status' });
      }
    }
  });

  it('POST-2: a paused timer does not stop notes', () => {
    const s = inPhase('p5', [[{ type: 'timer:pause' }, T0 + 2 * MIN]]);
    expect(post(s, SEAT.participant, 'feeling')).toEqual({ ok: true });
  });
});

describe('POST-3: the presenter', () => {
  it('POST-3: never posts a question, even in the questions phase', () => {
    expect(post(inPhase('p4'), SEAT.presenter, 'question')).toEqual({
      ok: false,
      reason: 'presenter-listening',
    });
  });

  it('POST-3: does not post while listening (speculation), any kind', () => {
    const s = inPhase('p5');
    for (const kind of NOTE_KINDS) {
      expect(post(s, SEAT.presenter, kind), kind).toEqual({ ok: false, reason: 'presenter-listening' });
    }
  });

  it('POST-3: listening is checked before the board (closed board still says listening)', () => {
    const s = inPhase('p5', [[{ type: 'settings:update', boardOpen: false }, T0 + 2 * MIN]]);
    expect(post(s, SEAT.presenter, 'feeling')).toEqual({ ok: false, reason: 'presenter-listening' });
  });

  it('POST-3: in phases without listening, the presenter follows the phase kinds like others', () => {
    for (const phaseId of ['p1', 'p2', 'p3', 'p6', 'p7'] as const) {
      expect(post(inPhase(phaseId), SEAT.presenter, 'feeling'), phaseId).toEqual({
        ok: false,
        reason: 'kind-not-allowed',
      });
    }
  });

  it('POST-3: the presenter of case 0 is an ordinary participant in case 1', () => {
    const s = apply(populatedLobby(), [
      [{ type: 'case:add' }, T0],
      [{ type: 'meeting:start' }, T0],
      [{ type: 'phase:jump', phaseId: 'p11' }, T0 + MIN], // speculation of case 1
    ]);
    expect(post(s, SEAT.presenter, 'feeling')).toEqual({ ok: true });
  });
});

describe('POST-4: a closed board takes no notes', () => {
  for (const phaseId of ['p4', 'p5'] as const) {
    it(`POST-4: board-closed for leaders and participants in ${phaseId}`, () => {
      const s = inPhase(phaseId, [[{ type: 'settings:update', boardOpen: false }, T0 + 2 * MIN]]);
      for (const id of POSTERS) {
        for (const kind of NOTE_KINDS) {
          expect(post(s, id, kind), `${id} ${kind}`).toEqual({ ok: false, reason: 'board-closed' });
        }
      }
    });
  }
});

describe('POST-5: the phase decides the kinds', () => {
  for (const phaseId of PHASES) {
    it(`POST-5: in ${phaseId} leaders and participants may post exactly ${ALLOWED[phaseId].join(', ') || 'nothing'}`, () => {
      const s = inPhase(phaseId);
      for (const id of POSTERS) {
        for (const kind of NOTE_KINDS) {
          const expected = ALLOWED[phaseId].includes(kind)
            ? { ok: true }
            : { ok: false, reason: 'kind-not-allowed' };
          expect(post(s, id, kind), `${id} ${kind}`).toEqual(expected);
        }
      }
    });
  }

  it('POST-5: the rules come from the phase, so an added phase follows its kind', () => {
    const s = apply(populatedLobby(), [
      [{ type: 'phase:add', kind: 'speculation', minutes: 5, afterPhaseId: 'p1', caseIndex: null }, T0],
      [{ type: 'meeting:start' }, T0],
      [{ type: 'phase:jump', phaseId: 'p8' }, T0],
    ]);
    expect(post(s, SEAT.participant, 'image')).toEqual({ ok: true });
  });
});

describe('POST-6: postableKinds', () => {
  it('POST-6: lists exactly the kinds canPostNote allows, in the order given', () => {
    expect(kindsFor(inPhase('p5'), SEAT.participant)).toEqual([...SPECULATION_KINDS]);
    expect(kindsFor(inPhase('p4'), SEAT.participant)).toEqual(['question']);
    expect(kindsFor(inPhase('p4'), SEAT.presenter)).toEqual([]);
    expect(kindsFor(inPhase('p5'), SEAT.observer)).toEqual([]);
    const s = inPhase('p5');
    expect(postableKinds(s, seat(s, SEAT.leader), ['question', 'image', 'feeling'])).toEqual([
      'image',
      'feeling',
    ]);
  });
});

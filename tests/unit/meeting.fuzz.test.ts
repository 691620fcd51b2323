import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/meeting/commands';
import { NOTE_KINDS, PHASE_KINDS } from '../../shared/meeting/phases';
import { projectView } from '../../shared/meeting/project';
import { canPostNote } from '../../shared/meeting/roles';
import type { MeetingState } from '../../shared/meeting/state';
import { nextDeadline, projectedEndAt, remainingMs } from '../../shared/meeting/time';
import { transition } from '../../shared/meeting/transition';
import {
  type AnyCommand,
  by,
  invariantViolations,
  MIN,
  populatedLobby,
  SEAT,
  SERVER,
  T0,
} from '../helpers/meetingFixtures';
import { createPrng, type Prng } from '../helpers/prng';

const SEAT_IDS: string[] = Object.values(SEAT);

function randomCommand(rng: Prng, s: MeetingState): AnyCommand {
  const phaseId = () => rng.pick([...s.phases.map((p) => p.id), 'p99']);
  const seatId = () => rng.pick(SEAT_IDS);
  const mins = () => rng.pick([-30, -5, -1, 1, 5, 15]);
  const commands: (() => AnyCommand)[] = [
    () => ({ type: 'meeting:start' }),
    () => ({ type: 'timer:pause' }),
    () => ({ type: 'timer:resume' }),
    () => ({ type: 'timer:adjust', minutes: mins() }),
    () => ({ type: 'phase:next' }),
    () => ({ type: 'phase:previous' }),
    () => ({ type: 'phase:jump', phaseId: phaseId() }),
    () => ({ type: 'phase:setDuration', phaseId: phaseId(), minutes: rng.int(1, 60) }),
    () => ({
      type: 'phase:add',
      kind: rng.pick(PHASE_KINDS),
      minutes: rng.int(1, 30),
      afterPhaseId: rng.next() < 0.2 ? null : phaseId(),
      caseIndex: rng.pick([null, 0, 1]),
    }),
    () => ({ type: 'phase:remove', phaseId: phaseId() }),
    () => ({ type: 'case:add' }),
    () => ({ type: 'presenter:set', caseIndex: rng.int(0, 1), seatId: rng.next() < 0.2 ? null : seatId() }),
    () => ({
      type: 'seat:setRole',
      seatId: seatId(),
      role: rng.pick(['co-leader', 'participant', 'observer'] as const),
    }),
    () => ({ type: 'seat:remove', seatId: seatId() }),
    () => ({ type: 'seat:admit', seatId: seatId() }),
    () => ({ type: 'joinCode:rotate' }),
    () => ({
      type: 'settings:update',
      locked: rng.next() < 0.5,
      autoAdvance: rng.next() < 0.5,
      timerVisibility: rng.pick(['leaders', 'everyone'] as const),
      boardOpen: rng.next() < 0.8,
    }),
    () => ({
      type: 'seat:join',
      seatId: rng.next() < 0.5 ? seatId() : `seat-${rng.int(1, 1e9)}`,
      role: rng.pick(['participant', 'observer', 'projector'] as const),
      name: 'J',
    }),
    () => ({ type: 'clock:tick' }),
    () => ({ type: 'clock:tick' }),
  ];
  // Ending is rare, so that most steps meet a lobby or a running meeting.
  return rng.next() < 0.004 ? { type: 'meeting:end' } : rng.pick(commands)();
}

function randomActor(rng: Prng, c: AnyCommand): Actor {
  const server = c.type === 'seat:join' || c.type === 'clock:tick';
  if (rng.next() < 0.85) return server ? SERVER : by(rng.pick([SEAT.leader, SEAT.coLeader]));
  return rng.next() < 0.5 ? SERVER : by(rng.pick(SEAT_IDS));
}

describe('random command sequences (seeded)', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`PURE-1: seed ${seed}: input never changes, invariants hold, refused commands change nothing`, () => {
      const rng = createPrng(seed);
      let state = populatedLobby();
      let now = T0;
      for (let step = 0; step < 150; step++) {
        now += Math.floor(rng.between(0, 6 * MIN));
        const command = randomCommand(rng, state);
        const actor = randomActor(rng, command);
        const before = structuredClone(state);
        const result = transition(state, command, now, actor);
        const where = `seed ${seed} step ${step} ${JSON.stringify(command)}`;
        expect(state, where).toEqual(before);
        if (!result.ok) continue;
        expect(invariantViolations(result.state), where).toEqual([]);
        const s = result.state;
        // TIME-6: after a tick with auto-advance nothing is left overdue but the last phase.
        if (command.type === 'clock:tick') {
          const deadline = nextDeadline(s);
          expect(deadline === null || deadline > now, where).toBe(true);
        }
        if (s.current) {
          const projected = projectedEndAt(s, now) ?? 0;
          expect(projected, where).toBeGreaterThanOrEqual(
            now + Math.max(0, remainingMs(s.current.timing, now)),
          );
        }
        // Views and post checks are total over every seat in every reachable state.
        for (const seat of s.seats) {
          const view = projectView(s, seat.id, { now, connections: new Map(), joinCode: 'CODE' });
          expect(view?.you.seatId, where).toBe(seat.id);
          if (seat.role === 'projector') expect(view, where).not.toHaveProperty('seats');
          for (const kind of NOTE_KINDS) expect(typeof canPostNote(s, seat, kind).ok).toBe('boolean');
        }
        state = s;
      }
    });
  }
});

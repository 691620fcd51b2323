import { ERROR_CODES as E, type CommandError } from '../errors';
import { findSeat } from '../meeting/roles';
import type { MeetingState } from '../meeting/state';
import { spokenIn } from './access';
import type { SpokenCommand } from './commands';
import { applyHands, dropHands } from './hands';
import { applyIntake } from './intake';
import { applyRound, followPhaseClock, type Random } from './rounds';
import { defaultSpoken } from './state';

/**
 * The spoken work's part of the pure transition: one command (the permission table has already
 * let the seat through), then `afterTransition` for every command, the server's included.
 */
export function applySpoken(
  s: MeetingState,
  c: SpokenCommand,
  seatId: string,
  now: number,
  random: Random,
): CommandError | null {
  const me = findSeat(s, seatId);
  if (!me) return { code: E.UNAUTHENTICATED, message: 'unknown seat' };
  switch (c.type) {
    case 'meeting:setFormat': {
      // FORMAT-2: a new format brings its defaults; what is running (a queue, a round) stays.
      const sp = spokenIn(s);
      sp.format = c.format;
      sp.hands.enabled = defaultSpoken(c.format).hands.enabled;
      if (!sp.hands.enabled) dropHands(s);
      return null;
    }
    case 'intake:open':
    case 'intake:close':
    case 'intake:volunteer':
    case 'intake:withdraw':
    case 'intake:add':
    case 'intake:pick':
    case 'intake:remove':
    case 'intake:showLabels':
      return applyIntake(s, c, me);
    case 'hands:enable':
    case 'hand:raise':
    case 'hand:lower':
    case 'hands:next':
    case 'hands:clear':
      return applyHands(s, c, me);
    case 'seating:set':
    case 'round:start':
    case 'round:add':
    case 'round:next':
    case 'round:pass':
    case 'round:end':
      return applyRound(s, c, me, now, random);
  }
}

/** What the rest of the meeting did, applied to the spoken state (HANDS-5, ROUND-7, ROUND-8, INTAKE-6). */
export function afterTransition(s: MeetingState, effects: readonly { type: string }[], now: number): void {
  if (!s.spoken) return;
  const sp = s.spoken;
  if (effects.some((e) => e.type === 'phase-left')) {
    dropHands(s);
    sp.round = null;
  }
  if (s.status === 'ended') {
    // Nothing of intake outlives the meeting, not even in the last stored state before the purge.
    sp.intake.queue = [];
    sp.presenterNames = [];
    sp.round = null;
    dropHands(s);
  }
  const participant = (id: string) => {
    const seat = findSeat(s, id);
    return seat !== undefined && seat.admitted && seat.role === 'participant';
  };
  sp.intake.queue = sp.intake.queue.filter((v) => v.seatId === null || participant(v.seatId));
  sp.hands.queue = sp.hands.queue.filter(participant);
  if (sp.hands.called !== null && !findSeat(s, sp.hands.called)) sp.hands.called = null;
  sp.seating = sp.seating.filter((id) => findSeat(s, id));
  s.cases.forEach((info, i) => {
    if (info.presenterSeatId !== null && sp.presenterNames[i]) sp.presenterNames[i] = null;
  });
  const round = sp.round;
  if (round) {
    // A removed seat leaves the round; a disconnected one never does (ROUND-8).
    const stays = (e: { seatId: string | null }) => e.seatId === null || findSeat(s, e.seatId) !== undefined;
    const kept = round.entries.filter(stays);
    if (kept.length === 0) sp.round = null;
    else if (kept.length !== round.entries.length) {
      // The stone stays with its speaker, or goes to whoever followed a removed speaker.
      const goneBefore = round.entries.slice(0, round.turn).filter((e) => !stays(e)).length;
      round.turn = Math.min(round.turn - goneBefore, kept.length - 1);
      round.entries = kept;
    }
  }
  followPhaseClock(s, now);
}

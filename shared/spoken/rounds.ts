import { ERROR_CODES as E, type CommandError } from '../errors';
import { currentCaseIndex, findSeat } from '../meeting/roles';
import type { MeetingState, Seat } from '../meeting/state';
import { nextId, spokenIn } from './access';
import type { SpokenCommand } from './commands';
import type { RoundEntry, RoundState, SpokenState } from './state';

type RoundCommand = Extract<SpokenCommand, { type: `round:${string}` | 'seating:set' }>;

/** A float in [0, 1), injected by the server so that a shuffled order is repeatable in tests. */
export type Random = () => number;

const refuse = (code: CommandError['code'], message: string): CommandError => ({ code, message });

/** Rounds (the talking stone), ROUND-n. `me` is the admitted seat that sent the command. */
export function applyRound(
  s: MeetingState,
  c: RoundCommand,
  me: Seat,
  now: number,
  random: Random,
): CommandError | null {
  const sp = spokenIn(s);
  switch (c.type) {
    case 'seating:set': {
      if (new Set(c.seatIds).size !== c.seatIds.length) return refuse(E.BAD_REQUEST, 'a seat appears twice');
      if (c.seatIds.some((id) => !findSeat(s, id))) return refuse(E.NO_SUCH_SEAT, 'no such seat');
      sp.seating = [...c.seatIds];
      return null;
    }
    case 'round:start': {
      if (s.status !== 'running' || !s.current) return refuse(E.WRONG_STATUS, 'no running phase');
      if (sp.round) return refuse(E.WRONG_STATUS, 'a round is running');
      const extras: Seat[] = [];
      for (const id of c.addSeatIds) {
        const seat = findSeat(s, id);
        if (!seat || !seat.admitted) return refuse(E.NO_SUCH_SEAT, 'no such seat');
        if (!extras.includes(seat)) extras.push(seat);
      }
      const seats = roundSeats(s, extras);
      const ordered = c.order === 'shuffled' ? shuffled(seats, random) : seats;
      if (c.order === 'presenter-last') {
        const presenter = s.cases[currentCaseIndex(s)]?.presenterSeatId;
        const at = ordered.findIndex((x) => x.id === presenter);
        if (at >= 0) ordered.push(...ordered.splice(at, 1));
      }
      const entries: RoundEntry[] = ordered.map((seat) => entry(sp, seat.id, ''));
      for (const name of c.addNames) entries.push(entry(sp, null, name));
      if (entries.length === 0) return refuse(E.BAD_REQUEST, 'nobody to speak');
      const round: RoundState = {
        order: c.order,
        entries,
        turn: 0,
        turnMs: c.turnSeconds === null ? null : c.turnSeconds * 1000,
        turnTimeFor: c.turnTimeFor,
        turnStartedAt: now,
        turnTiming: null,
      };
      startTurn(s, round, now);
      sp.round = round;
      return null;
    }
    case 'round:add': {
      const round = sp.round;
      if (!round) return refuse(E.WRONG_STATUS, 'no round');
      if (c.seatId !== undefined) {
        const seat = findSeat(s, c.seatId);
        if (!seat || !seat.admitted) return refuse(E.NO_SUCH_SEAT, 'no such seat');
        if (round.entries.some((e) => e.seatId === seat.id))
          return refuse(E.WRONG_STATUS, 'already in the round');
        round.entries.push(entry(sp, seat.id, ''));
      } else {
        round.entries.push(entry(sp, null, c.name ?? ''));
      }
      return null;
    }
    case 'round:next': {
      // ROUND-4: only a leader moves the stone; past the last speaker the round is over.
      const round = sp.round;
      if (!round) return refuse(E.WRONG_STATUS, 'no round');
      if (round.turn >= round.entries.length - 1) {
        sp.round = null;
        return null;
      }
      round.turn += 1;
      startTurn(s, round, now);
      return null;
    }
    case 'round:pass': {
      // ROUND-5: the speaker may pass; the stone stays until a leader moves it on.
      const current = sp.round?.entries[sp.round.turn];
      if (!current || current.seatId !== me.id) return refuse(E.WRONG_STATUS, 'not your turn');
      current.passed = true;
      return null;
    }
    case 'round:end': {
      if (!sp.round) return refuse(E.WRONG_STATUS, 'no round');
      sp.round = null;
      return null;
    }
  }
}

/** The seating order: what the leaders arranged, then everyone else by arrival (ROUND-2). */
export function seatingOrder(s: MeetingState): Seat[] {
  const sp = spokenIn(s);
  const arranged = sp.seating.map((id) => findSeat(s, id)).filter((x): x is Seat => x !== undefined);
  const rest = s.seats.filter((x) => !sp.seating.includes(x.id));
  return [...arranged, ...rest];
}

/**
 * ROUND-1: participants, and the presenter unless the current phase has them listen; others only
 * when a leader adds them. Waiting seats never.
 */
function roundSeats(s: MeetingState, extras: readonly Seat[]): Seat[] {
  const listens = s.current ? (s.phases[s.current.index]?.rules.presenterListens ?? false) : false;
  const presenter = s.cases[currentCaseIndex(s)]?.presenterSeatId ?? null;
  return seatingOrder(s).filter((seat) => {
    if (!seat.admitted) return false;
    if (extras.includes(seat)) return true;
    if (seat.role !== 'participant') return false;
    return !(listens && seat.id === presenter);
  });
}

function entry(sp: SpokenState, seatId: string | null, name: string): RoundEntry {
  return { key: nextId(sp, 'e'), seatId, name, passed: false };
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** ROUND-6: a turn's time starts afresh, paused if the phase is paused. */
function startTurn(s: MeetingState, round: RoundState, now: number): void {
  round.turnStartedAt = now;
  if (round.turnMs === null) {
    round.turnTiming = null;
    return;
  }
  const phasePaused = s.current?.timing.state === 'paused';
  round.turnTiming = phasePaused
    ? { state: 'paused', remainingMs: round.turnMs, pausedAt: now }
    : { state: 'running', endsAt: now + round.turnMs };
}

/** ROUND-7: pausing the phase pauses the turn; resuming it resumes the turn. */
export function followPhaseClock(s: MeetingState, now: number): void {
  const round = s.spoken?.round;
  const timing = round?.turnTiming;
  if (!round || !timing || !s.current) return;
  const phasePaused = s.current.timing.state === 'paused';
  if (phasePaused && timing.state === 'running') {
    round.turnTiming = { state: 'paused', remainingMs: timing.endsAt - now, pausedAt: now };
  } else if (!phasePaused && timing.state === 'paused') {
    round.turnStartedAt += now - timing.pausedAt;
    round.turnTiming = { state: 'running', endsAt: now + timing.remainingMs };
  }
}

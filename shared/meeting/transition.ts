import { fail, type CommandError, ERROR_CODES as E } from '../errors';
import type { SpokenCommand } from '../spoken/commands';
import type { Actor, MeetingCommand, MeetingCommandType, ServerCommand } from './commands';
import {
  CASE_PHASE_KINDS,
  defaultRules,
  FOLLOW_UP_MINUTES,
  MAX_CASES,
  MAX_PHASES,
  MINUTE_MS,
  type PhasePlan,
} from './phases';
import { afterTransition, applySpoken } from '../spoken/apply';
import { isSpokenCommand } from '../spoken/commands';
import type { Random } from '../spoken/rounds';
import { COMMAND_ACCESS } from './permissions';
import { findSeat, isLeaderRole } from './roles';
import { applyPrompt, clearShownPrompt, forgetPrompts } from './prompts';
import { admissionCapReached, seatCapReached } from './seatLimits';
import type { CurrentPhase, MeetingState } from './state';

/** What the server must do after a transition, as data (XState-style actions). */
export type Effect =
  /** A phase stopped being current (moved on, back, or the meeting ended). */
  | { type: 'phase-left'; phaseIndex: number; caseIndex: number | null }
  | { type: 'phase-entered'; phaseIndex: number; caseIndex: number | null }
  | { type: 'case-changed'; fromCase: number | null; toCase: number }
  | { type: 'seat-removed'; seatId: string }
  | { type: 'rotate-join-code' }
  | { type: 'meeting-ended' }
  | { type: 'board-rules-changed' }
  /** Who sees a case's parking lot changed: the board puts it on, or takes it off, the public board. */
  | { type: 'parking-lot-changed'; caseIndex: number }
  /** The presenter showed or withdrew their resonance marks: the board writes or clears them. */
  | { type: 'resonance-shown-changed'; caseIndex: number };

export type TransitionResult =
  { ok: true; state: MeetingState; effects: Effect[] } | { ok: false; error: CommandError };

type AnyCommand = MeetingCommand | ServerCommand;

const SERVER_ONLY: ReadonlySet<AnyCommand['type']> = new Set(['seat:join', 'clock:tick']);

/**
 * The meeting, as a pure function: no I/O, no timers, no clock but `now`.
 * An invalid command returns a typed error and the caller keeps the old state.
 */
export function transition(
  state: MeetingState,
  command: AnyCommand,
  now: number,
  actor: Actor,
  /** The server's random source (a shuffled round); only `round:start` draws from it. */
  random: Random = Math.random,
): TransitionResult {
  const auth = authorize(state, command, actor);
  if (auth) return { ok: false, error: auth };
  if (state.status === 'ended') return fail(E.WRONG_STATUS, 'the meeting has ended');
  const next = structuredClone(state);
  const effects: Effect[] = [];
  const error = isSpokenCommand(command)
    ? actor.kind === 'seat'
      ? applySpoken(next, command, actor.seatId, now, random)
      : err(E.FORBIDDEN, 'the spoken work is for seats')
    : apply(next, command, now, effects);
  if (error) return { ok: false, error };
  if (actor.kind === 'seat') settleOverdue(next, now, effects);
  afterTransition(next, effects, now);
  return { ok: true, state: next, effects };
}

/** The permission table (COMMAND_ACCESS): leaders, or any admitted seat but the projector. */
function authorize(state: MeetingState, command: AnyCommand, actor: Actor): CommandError | null {
  if (SERVER_ONLY.has(command.type)) {
    return actor.kind === 'server' ? null : { code: E.FORBIDDEN, message: 'server-only command' };
  }
  if (actor.kind === 'server') return null;
  const seat = findSeat(state, actor.seatId);
  if (!seat) return { code: E.UNAUTHENTICATED, message: 'unknown seat' };
  if (!seat.admitted) return { code: E.FORBIDDEN, message: `${command.type}: not admitted` };
  if (command.type === 'case:showResonance') return authorizeResonance(state, command, seat);
  if (COMMAND_ACCESS[command.type as MeetingCommandType] === 'members') {
    return seat.role === 'projector'
      ? { code: E.FORBIDDEN, message: `${command.type}: not for the projector` }
      : null;
  }
  if (!isLeaderRole(seat.role)) return { code: E.FORBIDDEN, message: `${command.type} is for leaders only` };
  return null;
}

/**
 * BOARD-10: the marks are the presenter's, so showing them to everyone needs their yes, from their
 * own seat; a leader may only take them back off the screens.
 */
function authorizeResonance(
  state: MeetingState,
  command: Extract<MeetingCommand, { type: 'case:showResonance' }>,
  seat: NonNullable<ReturnType<typeof findSeat>>,
): CommandError | null {
  if (!seat.admitted) return { code: E.FORBIDDEN, message: 'case:showResonance: seat not admitted' };
  if (state.cases[command.caseIndex]?.presenterSeatId === seat.id) return null;
  if (isLeaderRole(seat.role) && !command.on) return null;
  return { code: E.FORBIDDEN, message: "case:showResonance is the presenter's own choice" };
}

function err(code: CommandError['code'], message: string): CommandError {
  return { code, message };
}

function apply(
  s: MeetingState,
  c: Exclude<AnyCommand, SpokenCommand>,
  now: number,
  fx: Effect[],
): CommandError | null {
  switch (c.type) {
    case 'meeting:start': {
      if (s.status !== 'lobby') return err(E.WRONG_STATUS, 'already started');
      if (s.phases.length === 0) return err(E.NO_SUCH_PHASE, 'the meeting has no phases');
      s.status = 'running';
      enter(s, 0, now, fx);
      return null;
    }
    case 'meeting:end': {
      leave(s, fx);
      s.status = 'ended';
      s.current = null;
      s.endedAt = now;
      forgetPrompts(s);
      fx.push({ type: 'meeting-ended' });
      return null;
    }
    case 'timer:pause': {
      const cur = running(s);
      if (!cur) return err(E.NOT_RUNNING, 'no running phase');
      if (cur.timing.state !== 'running') return err(E.NOT_RUNNING, 'already paused');
      cur.timing = { state: 'paused', remainingMs: cur.timing.endsAt - now, pausedAt: now };
      return null;
    }
    case 'timer:resume': {
      const cur = running(s);
      if (!cur) return err(E.NOT_RUNNING, 'no running phase');
      if (cur.timing.state !== 'paused') return err(E.NOT_PAUSED, 'not paused');
      // TIME-5: a new deadline from the frozen time left; the start moves by the paused span.
      cur.startedAt += now - cur.timing.pausedAt;
      cur.timing = { state: 'running', endsAt: now + cur.timing.remainingMs };
      return null;
    }
    case 'timer:adjust': {
      const cur = running(s);
      if (!cur) return err(E.NOT_RUNNING, 'no running phase');
      // TIME-1 / TIME-2: the deadline moves by N, in overtime too; past zero is overtime.
      const delta = c.minutes * MINUTE_MS;
      if (cur.timing.state === 'running') cur.timing.endsAt += delta;
      else cur.timing.remainingMs += delta;
      return null;
    }
    case 'phase:next': {
      const cur = running(s);
      if (!cur) return err(E.NOT_RUNNING, 'no running phase');
      if (cur.index >= s.phases.length - 1) return err(E.NO_SUCH_PHASE, 'this is the last phase');
      move(s, cur.index + 1, now, fx);
      return null;
    }
    case 'phase:previous': {
      const cur = running(s);
      if (!cur) return err(E.NOT_RUNNING, 'no running phase');
      if (cur.index === 0) return err(E.NO_SUCH_PHASE, 'this is the first phase');
      move(s, cur.index - 1, now, fx);
      return null;
    }
    case 'phase:jump': {
      if (s.status !== 'running') return err(E.WRONG_STATUS, 'the meeting is not running');
      const index = s.phases.findIndex((p) => p.id === c.phaseId);
      if (index < 0) return err(E.NO_SUCH_PHASE, 'no such phase');
      move(s, index, now, fx);
      return null;
    }
    case 'phase:setDuration': {
      const index = s.phases.findIndex((p) => p.id === c.phaseId);
      const phase = s.phases[index];
      if (!phase) return err(E.NO_SUCH_PHASE, 'no such phase');
      phase.plannedMs = c.minutes * MINUTE_MS;
      const cur = s.current;
      if (cur && cur.index === index) {
        // TIME-3: the running phase's deadline becomes start + new duration.
        const endsAt = cur.startedAt + phase.plannedMs;
        if (cur.timing.state === 'running') cur.timing.endsAt = endsAt;
        else cur.timing.remainingMs = endsAt - cur.timing.pausedAt;
      }
      return null;
    }
    case 'phase:add': {
      if (c.kind === 'follow-up' && !s.inGroup)
        return err(E.WRONG_STATUS, 'only a group’s meeting follows up cases');
      if (s.phases.length >= MAX_PHASES) return err(E.LIMIT_REACHED, `at most ${MAX_PHASES} phases`);
      if (c.caseIndex !== null && c.caseIndex >= s.cases.length) return err(E.BAD_REQUEST, 'no such case');
      let at = 0;
      if (c.afterPhaseId !== null) {
        const after = s.phases.findIndex((p) => p.id === c.afterPhaseId);
        if (after < 0) return err(E.NO_SUCH_PHASE, 'no such phase');
        at = after + 1;
      }
      if (s.current && at <= s.current.index) s.current.index += 1;
      s.phases.splice(at, 0, newPhase(s, c.kind, c.minutes * MINUTE_MS, c.caseIndex));
      return null;
    }
    case 'phase:addFollowUp': {
      // FOLLOW-5: a meeting without a group has no earlier case to follow up.
      if (!s.inGroup) return err(E.WRONG_STATUS, 'only a group’s meeting follows up cases');
      if (s.phases.length >= MAX_PHASES) return err(E.LIMIT_REACHED, `at most ${MAX_PHASES} phases`);
      const at = followUpPosition(s);
      if (s.current && at <= s.current.index) s.current.index += 1;
      s.phases.splice(at, 0, newPhase(s, 'follow-up', FOLLOW_UP_MINUTES * MINUTE_MS, null));
      return null;
    }
    case 'phase:remove': {
      const index = s.phases.findIndex((p) => p.id === c.phaseId);
      if (index < 0) return err(E.NO_SUCH_PHASE, 'no such phase');
      if (s.current?.index === index) return err(E.WRONG_STATUS, 'the current phase cannot be removed');
      if (s.phases.length === 1) return err(E.WRONG_STATUS, 'a meeting needs at least one phase');
      s.phases.splice(index, 1);
      if (s.current && index < s.current.index) s.current.index -= 1;
      return null;
    }
    case 'case:add': {
      if (s.cases.length >= MAX_CASES) return err(E.LIMIT_REACHED, `at most ${MAX_CASES} cases`);
      const last = s.cases.length - 1;
      const template = s.phases.filter((p) => p.caseIndex === last && CASE_PHASE_KINDS.includes(p.kind));
      if (template.length === 0) return err(E.NO_SUCH_PHASE, 'the meeting has no case phases to repeat');
      if (s.phases.length + template.length > MAX_PHASES)
        return err(E.LIMIT_REACHED, `at most ${MAX_PHASES} phases`);
      const lastCaseEnd = s.phases.findLastIndex((p) => p.caseIndex === last);
      const copies = template.map((p) => newPhase(s, p.kind, p.plannedMs, last + 1));
      s.phases.splice(lastCaseEnd + 1, 0, ...copies);
      if (s.current && s.current.index > lastCaseEnd) s.current.index += copies.length;
      s.cases.push({ presenterSeatId: null, parkingLot: 'leaders', resonanceShown: false });
      return null;
    }
    case 'presenter:set': {
      const info = s.cases[c.caseIndex];
      if (!info) return err(E.BAD_REQUEST, 'no such case');
      if (c.seatId !== null) {
        const seat = findSeat(s, c.seatId);
        if (!seat || !seat.admitted) return err(E.NO_SUCH_SEAT, 'no such seat');
        if (seat.role !== 'participant') return err(E.BAD_REQUEST, 'only a participant can present');
      }
      info.presenterSeatId = c.seatId;
      fx.push({ type: 'board-rules-changed' });
      return null;
    }
    case 'case:showResonance': {
      const info = s.cases[c.caseIndex];
      if (!info) return err(E.BAD_REQUEST, 'no such case');
      if (info.resonanceShown !== c.on) fx.push({ type: 'resonance-shown-changed', caseIndex: c.caseIndex });
      info.resonanceShown = c.on;
      return null;
    }
    case 'case:setParkingLot': {
      const info = s.cases[c.caseIndex];
      if (!info) return err(E.BAD_REQUEST, 'no such case');
      if (info.parkingLot !== c.parkingLot) fx.push({ type: 'parking-lot-changed', caseIndex: c.caseIndex });
      info.parkingLot = c.parkingLot;
      return null;
    }
    case 'seat:setRole': {
      const seat = findSeat(s, c.seatId);
      if (!seat || !seat.admitted) return err(E.NO_SUCH_SEAT, 'no such seat');
      if (seat.role === 'leader' || seat.role === 'projector')
        return err(E.FORBIDDEN, 'this seat keeps its role');
      seat.role = c.role;
      if (c.role !== 'participant') {
        for (const info of s.cases) if (info.presenterSeatId === seat.id) info.presenterSeatId = null;
      }
      fx.push({ type: 'board-rules-changed' });
      return null;
    }
    case 'seat:remove': {
      const seat = findSeat(s, c.seatId);
      if (!seat) return err(E.NO_SUCH_SEAT, 'no such seat');
      if (seat.role === 'leader') return err(E.FORBIDDEN, 'the leader seat cannot be removed');
      s.seats = s.seats.filter((x) => x.id !== seat.id);
      for (const info of s.cases) if (info.presenterSeatId === seat.id) info.presenterSeatId = null;
      fx.push({ type: 'seat-removed', seatId: seat.id });
      return null;
    }
    case 'seat:admit': {
      const seat = findSeat(s, c.seatId);
      if (!seat) return err(E.NO_SUCH_SEAT, 'no such seat');
      if (seat.admitted) return err(E.WRONG_STATUS, 'already admitted');
      const full = admissionCapReached(s);
      if (full) return full;
      seat.admitted = true;
      return null;
    }
    case 'joinCode:rotate': {
      s.joinCodeVersion += 1;
      fx.push({ type: 'rotate-join-code' });
      return null;
    }
    case 'settings:update': {
      if (c.anonymity !== undefined && c.anonymity !== s.settings.anonymity && s.status !== 'lobby') {
        return err(E.WRONG_STATUS, 'anonymity is chosen before the meeting starts');
      }
      const { type: _type, title, ...rest } = c;
      for (const [key, value] of Object.entries(rest)) {
        if (value !== undefined) (s.settings as unknown as Record<string, unknown>)[key] = value;
      }
      if (title !== undefined) s.title = title;
      if (c.boardOpen !== undefined || c.release !== undefined) fx.push({ type: 'board-rules-changed' });
      return null;
    }
    case 'prompt:show':
    case 'prompt:clear':
    case 'prompt:save':
    case 'prompt:forget':
      return applyPrompt(s, c);
    case 'seat:join': {
      if (findSeat(s, c.seatId)) return err(E.BAD_REQUEST, 'seat exists');
      // The projector is the leader's own display; members wait while the meeting is locked.
      const admitted = c.role === 'projector' || !s.settings.locked;
      const full = seatCapReached(s, c.role, admitted);
      if (full) return full;
      s.seats.push({
        id: c.seatId,
        role: c.role,
        name: c.role === 'projector' ? '' : c.name,
        admitted,
        joinedAt: now,
      });
      return null;
    }
    case 'clock:tick': {
      // TIME-6: follow the stored deadlines, so a server that slept catches up exactly.
      while (s.current && s.status === 'running' && s.settings.autoAdvance) {
        const cur: CurrentPhase = s.current;
        if (cur.timing.state !== 'running' || cur.timing.endsAt > now) break;
        if (cur.index >= s.phases.length - 1) break;
        move(s, cur.index + 1, cur.timing.endsAt, fx);
      }
      return null;
    }
  }
}

/**
 * TIME-9: when a leader's command leaves the running phase overdue while auto-advance is on
 * (shortened past zero, resumed in overtime, auto-advance turned on in overtime), the next
 * phase starts now. Starting it at the old deadline would take the overrun out of the
 * following phases, which is right only for a server catching up after a restart (TIME-6).
 */
function settleOverdue(s: MeetingState, now: number, fx: Effect[]): void {
  const cur = running(s);
  if (!cur || !s.settings.autoAdvance || cur.timing.state !== 'running') return;
  if (cur.timing.endsAt > now || cur.index >= s.phases.length - 1) return;
  move(s, cur.index + 1, now, fx);
}

function running(s: MeetingState): CurrentPhase | null {
  return s.status === 'running' ? s.current : null;
}

/**
 * FOLLOW-5: right after the current phase while the meeting runs; in the lobby after the opening
 * phases at the start (the group arrives first), else first.
 */
function followUpPosition(s: MeetingState): number {
  if (s.current) return s.current.index + 1;
  const firstOther = s.phases.findIndex((p) => p.kind !== 'opening');
  return firstOther < 0 ? s.phases.length : firstOther;
}

function newPhase(
  s: MeetingState,
  kind: PhasePlan['kind'],
  plannedMs: number,
  caseIndex: number | null,
): PhasePlan {
  s.nextPhaseSeq += 1;
  return { id: `p${s.nextPhaseSeq}`, kind, plannedMs, caseIndex, rules: defaultRules(kind) };
}

function leave(s: MeetingState, fx: Effect[]): void {
  if (!s.current) return;
  clearShownPrompt(s);
  const phase = s.phases[s.current.index];
  fx.push({ type: 'phase-left', phaseIndex: s.current.index, caseIndex: phase?.caseIndex ?? null });
}

/** TIME-4: going to any phase starts it afresh with its planned duration. */
function enter(s: MeetingState, index: number, startedAt: number, fx: Effect[]): void {
  const phase = s.phases[index];
  if (!phase) return;
  const before = s.current ? caseAt(s, s.current.index) : null;
  s.current = { index, startedAt, timing: { state: 'running', endsAt: startedAt + phase.plannedMs } };
  fx.push({ type: 'phase-entered', phaseIndex: index, caseIndex: phase.caseIndex });
  const after = caseAt(s, index);
  if (after !== null && after !== before) fx.push({ type: 'case-changed', fromCase: before, toCase: after });
}

function move(s: MeetingState, index: number, startedAt: number, fx: Effect[]): void {
  leave(s, fx);
  enter(s, index, startedAt, fx);
}

/** The case a phase belongs to, or for opening/closing the case most recently before it. */
function caseAt(s: MeetingState, index: number): number | null {
  for (let i = index; i >= 0; i--) {
    const c = s.phases[i]?.caseIndex;
    if (c !== null && c !== undefined) return c;
  }
  return null;
}

import type { Actor, MeetingCommand, ServerCommand } from '../../shared/meeting/commands';
import { createMeetingState } from '../../shared/meeting/create';
import { MAX_CASES, MAX_PHASES } from '../../shared/meeting/phases';
import type { MeetingSettings, MeetingState } from '../../shared/meeting/state';
import { findBuiltInTemplate } from '../../shared/meeting/templates';
import { transition, type TransitionResult } from '../../shared/meeting/transition';

export type AnyCommand = MeetingCommand | ServerCommand;

export const MIN = 60_000;
/** A fixed wall-clock start; tests move time by adding to it, never by sleeping. */
export const T0 = Date.UTC(2025, 2, 14, 18, 0, 0);

export const SEAT = {
  leader: 'seat-leader',
  coLeader: 'seat-co',
  presenter: 'seat-presenter',
  participant: 'seat-member',
  observer: 'seat-observer',
  projector: 'seat-projector',
  waiting: 'seat-waiting',
  unknown: 'seat-nobody',
} as const;

export const SERVER: Actor = { kind: 'server' };
export const by = (seatId: string): Actor => ({ kind: 'seat', seatId });
export const LEADER = by(SEAT.leader);

/** The new state of a transition that must succeed; throws with the error otherwise. */
export function must(result: TransitionResult): MeetingState {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.state;
}

/** Applies commands in order; each step is [command, now] or [command, now, actor] (leader by default). */
export function apply(
  state: MeetingState,
  steps: readonly (readonly [AnyCommand, number] | readonly [AnyCommand, number, Actor])[],
): MeetingState {
  let s = state;
  for (const step of steps) {
    const actor = step[2] ?? (isServerCommand(step[0]) ? SERVER : LEADER);
    s = must(transition(s, step[0], step[1], actor));
  }
  return s;
}

export function isServerCommand(c: AnyCommand): c is ServerCommand {
  return c.type === 'seat:join' || c.type === 'clock:tick';
}

export function newMeeting(
  options: { templateId?: string; settings?: Partial<MeetingSettings>; now?: number } = {},
): MeetingState {
  const template = findBuiltInTemplate(options.templateId ?? 'classic-90-one-case');
  if (!template) throw new Error('no such template');
  return createMeetingState({
    id: 'meeting-1',
    title: 'Thursday group',
    template,
    leaderSeatId: SEAT.leader,
    leaderName: 'Lena',
    now: options.now ?? T0 - 30 * MIN,
    ...(options.settings ? { settings: options.settings } : {}),
  });
}

/**
 * A lobby with one seat of every kind: leader, co-leader, the presenter of case 0, another
 * participant, an observer, a projector and a member still waiting (the meeting was locked while
 * they joined and unlocked again later, which does not admit them).
 */
export function populatedLobby(options: { templateId?: string; settings?: Partial<MeetingSettings> } = {}) {
  const at = T0 - 20 * MIN;
  return apply(newMeeting(options), [
    [{ type: 'seat:join', seatId: SEAT.coLeader, role: 'participant', name: 'Chris' }, at],
    [{ type: 'seat:setRole', seatId: SEAT.coLeader, role: 'co-leader' }, at],
    [{ type: 'seat:join', seatId: SEAT.presenter, role: 'participant', name: 'Pia' }, at + 1],
    [{ type: 'seat:join', seatId: SEAT.participant, role: 'participant', name: 'Max' }, at + 2],
    [{ type: 'seat:join', seatId: SEAT.observer, role: 'observer', name: 'Olga' }, at + 3],
    [{ type: 'seat:join', seatId: SEAT.projector, role: 'projector', name: 'Room 4 screen' }, at + 4],
    [{ type: 'settings:update', locked: true }, at + 5],
    [{ type: 'seat:join', seatId: SEAT.waiting, role: 'participant', name: 'Wim' }, at + 6],
    [{ type: 'settings:update', locked: false }, at + 7],
    [{ type: 'presenter:set', caseIndex: 0, seatId: SEAT.presenter }, at + 8],
  ]);
}

export type SituationName = 'lobby' | 'running' | 'paused' | 'first' | 'last' | 'ended';

export interface Situation {
  name: SituationName;
  describe: string;
  state: MeetingState;
  /** The moment the command under test is applied. */
  now: number;
}

/**
 * Every status a command can meet, built through `transition` itself from the classic one-case
 * template (opening 5, case-choice 3, presentation 10, questions 10, speculation 40, return 12,
 * closing 10; ids p1..p7).
 */
export function situations(): Record<SituationName, Situation> {
  const lobby = populatedLobby();
  const started = apply(lobby, [[{ type: 'meeting:start' }, T0]]);
  // Presentation (index 2, case 0), timer running: started at T0 + 8, ends at T0 + 18.
  const running = apply(started, [
    [{ type: 'phase:next' }, T0 + 5 * MIN],
    [{ type: 'phase:next' }, T0 + 8 * MIN],
  ]);
  return {
    lobby: { name: 'lobby', describe: 'lobby', state: lobby, now: T0 - MIN },
    running: { name: 'running', describe: 'running, timer running', state: running, now: T0 + 10 * MIN },
    paused: {
      name: 'paused',
      describe: 'running, timer paused',
      state: apply(running, [[{ type: 'timer:pause' }, T0 + 10 * MIN]]),
      now: T0 + 12 * MIN,
    },
    first: { name: 'first', describe: 'running, first phase', state: started, now: T0 + MIN },
    last: {
      name: 'last',
      describe: 'running, last phase',
      state: apply(running, [[{ type: 'phase:jump', phaseId: 'p7' }, T0 + 10 * MIN]]),
      now: T0 + 12 * MIN,
    },
    ended: {
      name: 'ended',
      describe: 'ended',
      state: apply(running, [[{ type: 'meeting:end' }, T0 + 10 * MIN]]),
      now: T0 + 12 * MIN,
    },
  };
}

/** Structural rules every reachable state keeps; returns what is broken (empty when fine). */
export function invariantViolations(s: MeetingState): string[] {
  const out: string[] = [];
  if ((s.status === 'running') !== (s.current !== null)) out.push('current is set exactly while running');
  if (s.current && (s.current.index < 0 || s.current.index >= s.phases.length)) out.push('current index');
  if (s.phases.length < 1 || s.phases.length > MAX_PHASES) out.push('phase count');
  if (new Set(s.phases.map((p) => p.id)).size !== s.phases.length) out.push('phase ids unique');
  if (s.cases.length < 1 || s.cases.length > MAX_CASES) out.push('case count');
  for (const p of s.phases) {
    if (p.caseIndex !== null && (p.caseIndex < 0 || p.caseIndex >= s.cases.length))
      out.push(`case of ${p.id}`);
  }
  for (const c of s.cases) {
    if (c.presenterSeatId === null) continue;
    const seat = s.seats.find((x) => x.id === c.presenterSeatId);
    if (!seat || !seat.admitted || seat.role !== 'participant')
      out.push('presenter is an admitted participant');
  }
  const leaders = s.seats.filter((x) => x.role === 'leader');
  if (leaders.length !== 1 || !leaders[0]?.admitted) out.push('exactly one admitted leader seat');
  if (new Set(s.seats.map((x) => x.id)).size !== s.seats.length) out.push('seat ids unique');
  if (s.seats.some((x) => x.role === 'projector' && (x.name !== '' || !x.admitted))) out.push('projector');
  if ((s.status === 'ended') !== (s.endedAt !== null)) out.push('endedAt set exactly when ended');
  return out;
}

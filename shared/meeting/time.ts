import type { MeetingState, Timing } from './state';

/** Time left in the current phase at `now`; negative in overtime. */
export function remainingMs(timing: Timing, now: number): number {
  return timing.state === 'running' ? timing.endsAt - now : timing.remainingMs;
}

/**
 * When the whole meeting will end if every later phase runs as planned (TIME-7).
 * A phase in overtime counts as ending now.
 */
export function projectedEndAt(state: MeetingState, now: number): number | null {
  if (state.status === 'ended') return state.endedAt;
  let at = now;
  let from = 0;
  if (state.current) {
    at += Math.max(0, remainingMs(state.current.timing, now));
    from = state.current.index + 1;
  }
  for (let i = from; i < state.phases.length; i++) at += state.phases[i]?.plannedMs ?? 0;
  return at;
}

/** The next moment the server must wake for this meeting, or null (TIME-6). */
export function nextDeadline(state: MeetingState): number | null {
  if (state.status !== 'running' || !state.settings.autoAdvance || !state.current) return null;
  if (state.current.timing.state !== 'running') return null;
  if (state.current.index >= state.phases.length - 1) return null;
  return state.current.timing.endsAt;
}

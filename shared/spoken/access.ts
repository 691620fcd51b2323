import type { MeetingState } from '../meeting/state';
import { defaultSpoken, type SpokenState } from './state';

/** Meetings stored before version 3 have no spoken state: they read as a meeting in the room. */
export function spokenOf(state: MeetingState): SpokenState {
  return state.spoken ?? defaultSpoken('room');
}

/** The spoken state of a (cloned, mutable) state, created on first use. */
export function spokenIn(state: MeetingState): SpokenState {
  state.spoken ??= defaultSpoken('room');
  return state.spoken;
}

export function nextId(sp: SpokenState, prefix: string): string {
  sp.nextSeq += 1;
  return `${prefix}${sp.nextSeq}`;
}

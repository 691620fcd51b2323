import type { SpokenState } from '../spoken/state';
import type { PhasePlan } from './phases';
import type { PromptsState } from './promptSchema';

export const SEAT_ROLES = ['leader', 'co-leader', 'participant', 'observer', 'projector'] as const;
/** A role lives on the seat. "Presenter" is not a seat role: a leader names a seat per case. */
export type SeatRole = (typeof SEAT_ROLES)[number];
/** What a person is in the current case: the seat role, or presenter. */
export type EffectiveRole = SeatRole | 'presenter';

export interface Seat {
  id: string;
  role: SeatRole;
  /** Display name; empty for projector seats. Never shown on the projector. */
  name: string;
  /** False while the seat waits in the waiting list of a locked meeting. */
  admitted: boolean;
  joinedAt: number;
}

export type Timing =
  /** The deadline is stored, never a countdown. */
  { state: 'running'; endsAt: number } | { state: 'paused'; remainingMs: number; pausedAt: number };

export interface CurrentPhase {
  index: number;
  /**
   * When the phase started, shifted forward by time spent paused, so that
   * `endsAt - startedAt` is always the planned duration plus +/- adjustments.
   */
  startedAt: number;
  timing: Timing;
}

export type AnonymityMode = 'anonymous' | 'named';
export type ReleaseMode = 'batch' | 'screening';
export type TimerVisibility = 'leaders' | 'everyone';

export interface MeetingSettings {
  anonymity: AnonymityMode;
  release: ReleaseMode;
  timerVisibility: TimerVisibility;
  autoAdvance: boolean;
  locked: boolean;
  /** A leader can close the board although the phase allows notes. */
  boardOpen: boolean;
  /** A leader blanked the projector from the console (SCREEN-12); stored, so a reload keeps it. */
  projectorBlank: boolean;
}

/**
 * Who sees a case's parking lot (BOARD-9). `leaders`, the default: leaders' screens only, and the
 * export leaves it out; `export`: leaders' screens only, kept in the export; `room`: on the
 * public board for everyone, and in the export.
 */
export type ParkingLotVisibility = 'leaders' | 'export' | 'room';

export interface CaseInfo {
  presenterSeatId: string | null;
  parkingLot: ParkingLotVisibility;
  /** The presenter said yes, on their own device, to showing their resonance marks (BOARD-10). */
  resonanceShown: boolean;
}

export type MeetingStatus = 'lobby' | 'running' | 'ended';

export interface MeetingState {
  id: string;
  title: string;
  createdAt: number;
  /** Planned start for a meeting created ahead, or null. */
  plannedStartAt: number | null;
  status: MeetingStatus;
  settings: MeetingSettings;
  phases: PhasePlan[];
  /** Null in the lobby and after the end. */
  current: CurrentPhase | null;
  cases: CaseInfo[];
  seats: Seat[];
  /** Bumped whenever a leader changes the join code, so views can say so. */
  joinCodeVersion: number;
  endedAt: number | null;
  /** Counter used to make phase ids for added phases; ids never repeat within a meeting. */
  nextPhaseSeq: number;
  /** Push-back prompts (`prompts.ts`); absent in meetings stored before them, and after the end. */
  prompts?: PromptsState;
  /** FOLLOW-6: the meeting is a group's (never which group); absent in meetings stored before it. */
  inGroup?: boolean;
  /** Intake, hands, rounds (shared/spoken/); absent in meetings stored before protocol 3. */
  spoken?: SpokenState;
}

import type { SpokenView } from '../spoken/view';
import type { PhasePlan } from './phases';
import type { PromptRef } from './promptSchema';
import type {
  AnonymityMode,
  EffectiveRole,
  MeetingStatus,
  ParkingLotVisibility,
  ReleaseMode,
  SeatRole,
  TimerVisibility,
} from './state';

/** A seat as others see it. `connected` is presence, merged in by the server. */
export interface SeatView {
  id: string;
  name: string;
  role: SeatRole;
  /** The seat's role in the current case (presenter when named for it). */
  effectiveRole: EffectiveRole;
  connected: boolean;
}

export interface TimerView {
  state: 'running' | 'paused';
  startedAt: number;
  /** Server epoch ms; present while running. */
  endsAt: number | null;
  /** Present while paused; negative in overtime. */
  remainingMs: number | null;
}

/**
 * The whole snapshot one connection receives after each change. What a role must not see is
 * absent, not hidden: the optional fields exist only in the views that may hold them.
 */
export interface MeetingView {
  protocolVersion: number;
  /** The server's clock when this snapshot was made; clients correct for their offset. */
  serverNow: number;
  meetingId: string;
  title: string;
  status: MeetingStatus;
  /** FOLLOW-6: the meeting belongs to a group (which one is never said); every seat gets it. */
  inGroup: boolean;
  anonymity: AnonymityMode;
  release: ReleaseMode;
  timerVisibility: TimerVisibility;
  autoAdvance: boolean;
  locked: boolean;
  boardOpen: boolean;
  phases: PhasePlan[];
  currentIndex: number | null;
  /** Absent when the leader keeps the timer to leaders and projector. */
  timer?: TimerView;
  /** Leaders only: when the whole meeting is projected to end. */
  projectedEndAt?: number;
  cases: { presenterSeatId: string | null; parkingLot: ParkingLotVisibility; resonanceShown: boolean }[];
  /** Leaders and projector only: a leader blanked the projector from the console (SCREEN-12). */
  projectorBlank?: boolean;
  /** Who is present and in which role; the projector gets counts only, never a name. */
  seats?: SeatView[];
  presence: { connected: number; total: number };
  /** `admitted` is false while the seat waits in a locked meeting's waiting list. */
  you: { seatId: string; role: SeatRole; effectiveRole: EffectiveRole; name: string; admitted: boolean };
  /** Leaders only. */
  waiting?: { id: string; name: string; joinedAt: number }[];
  /** Leaders and projector only. */
  joinCode?: string;
  /**
   * Leaders and projector only, and only when there is one: the origins phones in the room can
   * open (PUBLIC_ORIGIN, or the server's network addresses). A page opened on a loopback host
   * builds its join link and QR code from one of them instead of its own origin.
   */
  phoneOrigins?: string[];
  /** Every admitted seat, the projector too: the push-back prompt on every screen, or null. */
  prompt?: PromptRef | null;
  /** Leaders only: their own prompts for this meeting. */
  ownPrompts?: string[];
  /** Leaders only: how many connections each seat has open. */
  connections?: Record<string, number>;
  /** Intake, hands and rounds as this seat may see them (shared/spoken/view.ts); admitted seats. */
  spoken?: SpokenView;
}

/**
 * The spoken work's state (DESIGN 9), kept in the meeting's stored JSON as `state.spoken`. A
 * leaf module: the meeting state imports it, so it imports nothing of the meeting.
 */

/**
 * Enough for "the father who keeps calling"; a label is not a case history. Here, not beside the
 * zod schema, so that a phone's bundle gets the figure without zod.
 */
export const INTAKE_LABEL_MAX = 80;

/** How the group meets; picks sensible defaults (SPEAK-1). */
export const MEETING_FORMATS = ['room', 'online', 'hybrid'] as const;
export type MeetingFormat = (typeof MEETING_FORMATS)[number];

/** One "I have a case": a seat, or a name only for a member without a device. */
export interface Volunteer {
  id: string;
  /** Null for a name-only volunteer a leader entered. */
  seatId: string | null;
  /** Only for name-only volunteers; a seat's name is read from the seat. */
  name: string;
  /** Optional short label ("the father who keeps calling"); empty when none. */
  label: string;
}

export interface IntakeState {
  open: boolean;
  /** Whether members see the labels; leaders always do, the projector never. */
  labelsShown: boolean;
  /** In order of volunteering. */
  queue: Volunteer[];
}

export interface HandsState {
  enabled: boolean;
  /** Seat ids in the order the hands went up. */
  queue: string[];
  /** The seat a leader called last, until the phase ends or a leader calls the next. */
  called: string | null;
}

export const ROUND_ORDERS = ['seating', 'shuffled', 'presenter-last'] as const;
export type RoundOrder = (typeof ROUND_ORDERS)[number];
export type TurnTimeFor = 'leaders' | 'speaker';

export interface RoundEntry {
  key: string;
  /** Null for a name-only entry (a member without a device). */
  seatId: string | null;
  /** Only for name-only entries. */
  name: string;
  passed: boolean;
}

export interface RoundState {
  order: RoundOrder;
  entries: RoundEntry[];
  /** Index into `entries` of whose turn it is. */
  turn: number;
  /** Soft time per speaker, or null (the default: no time). */
  turnMs: number | null;
  turnTimeFor: TurnTimeFor;
  /** When the current turn started, shifted by time spent paused, like a phase. */
  turnStartedAt: number;
  /** Present only with a time per speaker. */
  turnTiming: TurnTiming | null;
}

/** Like a phase's timing: a deadline while running, the time left while paused. */
export type TurnTiming =
  { state: 'running'; endsAt: number } | { state: 'paused'; remainingMs: number; pausedAt: number };

export interface SpokenState {
  format: MeetingFormat;
  intake: IntakeState;
  hands: HandsState;
  round: RoundState | null;
  /** The seating order the leaders arranged; seats not in it follow by arrival. */
  seating: string[];
  /** Name-only presenters per case index (a presenter "in the room, without a device"). */
  presenterNames: (string | null)[];
  /** Counter for volunteer and entry ids; ids never repeat within a meeting. */
  nextSeq: number;
}

export function defaultSpoken(format: MeetingFormat): SpokenState {
  return {
    format,
    intake: { open: false, labelsShown: false, queue: [] },
    // Hands are off in the room ("sequential point making" is an online remedy, not a room habit).
    hands: { enabled: format !== 'room', queue: [], called: null },
    round: null,
    seating: [],
    presenterNames: [],
    nextSeq: 0,
  };
}

/** What a phase is and what it allows. Templates are data built from these. */
export const PHASE_KINDS = [
  'opening',
  'case-choice',
  'presentation',
  'questions',
  'speculation',
  'return',
  'closing',
  /** A round (the talking stone) as a phase of its own: no notes, no board. */
  'round',
  /** FOLLOW-5: a short look back at a case of an earlier meeting of the group: no notes, no board. */
  'follow-up',
] as const;
export type PhaseKind = (typeof PHASE_KINDS)[number];

/** Phases that belong to one case; they repeat for a second case. */
export const CASE_PHASE_KINDS: readonly PhaseKind[] = [
  'case-choice',
  'presentation',
  'questions',
  'speculation',
  'return',
];

export const NOTE_KINDS = [
  'association',
  'feeling',
  'image',
  'patient-view',
  'doctor-view',
  'relationship',
  'question',
] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

/** Lenses a member may post during speculation ("fantasies, not statements"). */
export const SPECULATION_KINDS: readonly NoteKind[] = [
  'association',
  'feeling',
  'image',
  'patient-view',
  'doctor-view',
  'relationship',
];

export interface PhaseRules {
  /** Note kinds members may post in this phase; empty means no notes. */
  postKinds: NoteKind[];
  /** Whether the board of the current case is shown to members, presenter and projector. */
  boardVisible: boolean;
  /** The presenter sits back and only listens: no posting, calm read-only board. */
  presenterListens: boolean;
}

export interface PhasePlan {
  /** Unique within a meeting; stable across edits so that clients can address a phase. */
  id: string;
  kind: PhaseKind;
  plannedMs: number;
  /** 0-based case this phase belongs to, or null for opening and closing. */
  caseIndex: number | null;
  rules: PhaseRules;
}

export const MINUTE_MS = 60_000;
export const MAX_PHASE_MS = 180 * MINUTE_MS;
export const MAX_PHASES = 24;
export const MAX_CASES = 2;
/** FOLLOW-5: how long the follow-up phase a leader adds with one action is planned for. */
export const FOLLOW_UP_MINUTES = 10;

export function defaultRules(kind: PhaseKind): PhaseRules {
  switch (kind) {
    case 'opening':
    case 'case-choice':
    case 'presentation':
    case 'closing':
    case 'round':
    case 'follow-up':
      return { postKinds: [], boardVisible: false, presenterListens: false };
    case 'questions':
      return { postKinds: ['question'], boardVisible: false, presenterListens: false };
    case 'speculation':
      return { postKinds: [...SPECULATION_KINDS], boardVisible: true, presenterListens: true };
    case 'return':
      return { postKinds: [], boardVisible: true, presenterListens: false };
  }
}

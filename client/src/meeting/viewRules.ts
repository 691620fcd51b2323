import { NOTE_KINDS, type NoteKind, type PhasePlan } from '../../../shared/meeting/phases';
import { canShowPrompt } from '../../../shared/meeting/prompts';
import { currentCaseIndex, postableKinds } from '../../../shared/meeting/roles';
import type { MeetingState, Seat } from '../../../shared/meeting/state';
import type { MeetingView } from '../../../shared/meeting/view';

/**
 * The client asks the same pure questions as the server ("may I post this now?") through the
 * functions in shared/. They take a MeetingState; a view holds every field those rules read,
 * so this builds the small part of a state they need. Anything the rules do not read is blank.
 */
function rulesState(view: MeetingView): MeetingState {
  const timing = { state: 'running' as const, endsAt: 0 };
  return {
    id: view.meetingId,
    title: view.title,
    createdAt: 0,
    plannedStartAt: null,
    status: view.status,
    settings: {
      anonymity: view.anonymity,
      release: view.release,
      timerVisibility: view.timerVisibility,
      autoAdvance: view.autoAdvance,
      locked: view.locked,
      boardOpen: view.boardOpen,
      projectorBlank: view.projectorBlank ?? false,
    },
    phases: view.phases,
    current: view.currentIndex === null ? null : { index: view.currentIndex, startedAt: 0, timing },
    cases: view.cases,
    seats: [mySeat(view)],
    joinCodeVersion: 0,
    endedAt: null,
    nextPhaseSeq: view.phases.length,
  };
}

function mySeat(view: MeetingView): Seat {
  return {
    id: view.you.seatId,
    role: view.you.role,
    name: view.you.name,
    admitted: !isWaiting(view),
    joinedAt: 0,
  };
}

/**
 * Whether this seat waits in a locked meeting's waiting room. The server sends a waiting seat
 * its bare view: no seat list (which every admitted person but the projector gets).
 */
export function isWaiting(view: MeetingView): boolean {
  return view.you.role !== 'projector' && view.seats === undefined;
}

export function currentPhase(view: MeetingView): PhasePlan | null {
  return view.currentIndex === null ? null : (view.phases[view.currentIndex] ?? null);
}

/** The case the meeting is in now (0-based), as the server counts it. */
export function currentCase(view: MeetingView): number {
  return currentCaseIndex(rulesState(view));
}

/** Note kinds this seat may post right now: the choices of the big input. */
export function kindsICanPost(view: MeetingView): NoteKind[] {
  const state = rulesState(view);
  return postableKinds(state, mySeat(view), NOTE_KINDS);
}

/** Whether the board of the current case is on screens now. */
export function boardVisible(view: MeetingView): boolean {
  return view.status === 'running' && (currentPhase(view)?.rules.boardVisible ?? false);
}

/** Case numbers as people say them (1-based), for phases that belong to a case. */
export function caseLabelNumber(phase: PhasePlan): number | null {
  return phase.caseIndex === null ? null : phase.caseIndex + 1;
}

/**
 * People in the meeting now. Display seats (the room's projector) are screens, not people: the
 * seat list leaves them out, and a projector, which gets no seat list, leaves out itself.
 */
export function peopleHere(view: MeetingView): number {
  if (view.seats) return view.seats.filter((s) => s.role !== 'projector' && s.connected).length;
  return Math.max(0, view.presence.connected - (view.you.role === 'projector' ? 1 : 0));
}

/** Everyone admitted to the meeting but the display seats. */
export function peopleTotal(view: MeetingView): number {
  if (view.seats) return view.seats.filter((s) => s.role !== 'projector').length;
  return Math.max(0, view.presence.total - (view.you.role === 'projector' ? 1 : 0));
}

/** "May a leader put a prompt on the screens now?" The server's own rule (PROMPT-1). */
export function canShowPromptNow(view: MeetingView): boolean {
  return canShowPrompt(rulesState(view));
}

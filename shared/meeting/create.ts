import { planFromTemplate, type Template } from './templates';
import { defaultSpoken, type MeetingFormat } from '../spoken/state';
import type { MeetingSettings, MeetingState } from './state';

export interface NewMeeting {
  id: string;
  title: string;
  template: Template;
  leaderSeatId: string;
  leaderName: string;
  now: number;
  plannedStartAt?: number | null;
  settings?: Partial<MeetingSettings>;
  /** In the room, online or hybrid (FORMAT-1); in the room when not given. */
  format?: MeetingFormat;
  /** A group's meeting (FOLLOW-6); a meeting without a group keeps nothing. */
  inGroup?: boolean;
}

export const DEFAULT_SETTINGS: MeetingSettings = {
  anonymity: 'anonymous',
  release: 'batch',
  timerVisibility: 'leaders',
  autoAdvance: false,
  locked: false,
  boardOpen: true,
  projectorBlank: false,
};

export function createMeetingState(m: NewMeeting): MeetingState {
  const phases = planFromTemplate(m.template, (i) => `p${i + 1}`);
  const caseCount = Math.max(1, ...phases.map((p) => (p.caseIndex ?? 0) + 1));
  return {
    id: m.id,
    title: m.title,
    createdAt: m.now,
    plannedStartAt: m.plannedStartAt ?? null,
    status: 'lobby',
    settings: { ...DEFAULT_SETTINGS, ...m.settings },
    phases,
    current: null,
    cases: Array.from({ length: caseCount }, () => ({
      presenterSeatId: null,
      parkingLot: 'leaders' as const,
      resonanceShown: false,
    })),
    seats: [{ id: m.leaderSeatId, role: 'leader', name: m.leaderName, admitted: true, joinedAt: m.now }],
    joinCodeVersion: 0,
    endedAt: null,
    nextPhaseSeq: phases.length,
    spoken: defaultSpoken(m.format ?? 'room'),
    ...(m.inGroup ? { inGroup: true } : {}),
  };
}

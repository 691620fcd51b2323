import { loadJson, meetingKey, saveJson } from '../connection';

/**
 * "Seen on this device" flags of h/voice: the first-time card (members) and the console tour
 * (leaders). Device-wide on purpose, unlike a meeting's own flags: they describe the person's
 * first meeting, not this one, so `forgetMeeting` leaves them.
 */
export const FIRST_CARD_KEY = 'balint.firstCardSeen';
export const TOUR_KEY = 'balint.consoleTourSeen';

export function seenOnDevice(key: string): boolean {
  return loadJson<boolean>(key) === true;
}

export function markSeen(key: string): void {
  saveJson(key, true);
}

/** The per-meeting ground-rules flag that ParticipantView reads: the first-time card counts as it. */
export function rulesKey(meetingId: string): string {
  return meetingKey('rules', meetingId);
}

/**
 * Seat tokens kept per device and meeting, so a reload or a dropped connection comes back in the
 * same seat. A person's seat and a projector seat are kept apart: the leader's laptop often
 * shows the projector page in a second window.
 */
export interface StoredSeat {
  seatId: string;
  token: string;
}

export type SeatKind = 'person' | 'projector';

const PREFIX = 'balint.';
const keyFor = (meetingId: string, kind: SeatKind) =>
  kind === 'person' ? `${PREFIX}seat.${meetingId}` : `${PREFIX}projector.${meetingId}`;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage refused (private mode, quota): the seat then lasts for this page only.
  }
}

export function loadSeat(meetingId: string, kind: SeatKind = 'person'): StoredSeat | null {
  const raw = read(keyFor(meetingId, kind));
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<StoredSeat>;
    if (typeof parsed.token === 'string' && typeof parsed.seatId === 'string') {
      return { seatId: parsed.seatId, token: parsed.token };
    }
  } catch {
    // An older or damaged entry: treat as absent.
  }
  return null;
}

export function saveSeat(meetingId: string, seat: StoredSeat, kind: SeatKind = 'person'): void {
  write(keyFor(meetingId, kind), JSON.stringify(seat));
}

/** Small per-meeting values (the rules reminder, the leader's links). */
export function meetingKey(name: string, meetingId: string): string {
  return `${PREFIX}${name}.${meetingId}`;
}

export function loadJson<T>(key: string): T | null {
  const raw = read(key);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

export function saveJson(key: string, value: unknown): void {
  write(key, JSON.stringify(value));
}

/** At the end of a meeting nothing of it stays on the device: seats, notes, links, flags. */
export function forgetMeeting(meetingId: string): void {
  try {
    const doomed: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(PREFIX) && key.endsWith(`.${meetingId}`)) doomed.push(key);
    }
    for (const key of doomed) localStorage.removeItem(key);
  } catch {
    // Storage unavailable: nothing was kept.
  }
}

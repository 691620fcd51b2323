import { ERROR_CODES as E, type CommandError } from '../errors';
import type { MeetingState, SeatRole } from './state';

/**
 * Seat caps per meeting (WIRE-7): state and every snapshot grow with the seats, and a projector
 * key or a join code would otherwise mint them without end. A Balint group is about 8-12 people;
 * 40 leaves room for a large training group and its observers.
 */
export const MAX_ADMITTED_SEATS = 40;
export const MAX_WAITING_SEATS = 40;
export const MAX_PROJECTOR_SEATS = 3;

/** Admitted seats that count against MAX_ADMITTED_SEATS: every role but the projector. */
function admittedSeatCount(s: MeetingState): number {
  return s.seats.filter((x) => x.admitted && x.role !== 'projector').length;
}

function limit(message: string): CommandError {
  return { code: E.LIMIT_REACHED, message };
}

/** The cap a new seat of `role` (admitted or waiting) would pass, or null. */
export function seatCapReached(s: MeetingState, role: SeatRole, admitted: boolean): CommandError | null {
  if (role === 'projector') {
    const projectors = s.seats.filter((x) => x.role === 'projector').length;
    return projectors >= MAX_PROJECTOR_SEATS ? limit(`at most ${MAX_PROJECTOR_SEATS} projector seats`) : null;
  }
  if (!admitted) {
    const waiting = s.seats.filter((x) => !x.admitted).length;
    return waiting >= MAX_WAITING_SEATS ? limit(`at most ${MAX_WAITING_SEATS} seats waiting`) : null;
  }
  return admissionCapReached(s);
}

/** Whether one more seat may be admitted (a join into an open meeting, or `seat:admit`). */
export function admissionCapReached(s: MeetingState): CommandError | null {
  return admittedSeatCount(s) >= MAX_ADMITTED_SEATS ? limit(`at most ${MAX_ADMITTED_SEATS} seats`) : null;
}

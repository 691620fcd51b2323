import type { WindowBudget } from '../http/rateLimit';

/**
 * Every budget of the server, per connection and per seat, in one window. Each is at least three
 * times the product client's own peak (SPEC.md LIMIT-2), so that a real client is never refused;
 * the peaks are what client/src/connection/ sends at worst.
 */
export const LIMIT_WINDOW_MS = 10_000;

export type EventBudgetName = 'command' | 'ping' | 'note-write' | 'note-read' | 'export' | 'unknown';

interface Figures {
  /** The product client's worst case in one window, for one connection and for one seat (3 tabs). */
  clientPeak: { connection: number; seat: number };
  perConnection: number;
  perSeat: number;
}

export const EVENT_BUDGETS: Record<EventBudgetName, Figures> = {
  // A leader clicking through commands and moderation, plus what is resent after a reconnect. A
  // member's spoken-work commands (hand up and down, volunteering, passing) are a few a minute.
  command: { clientPeak: { connection: 10, seat: 30 }, perConnection: 30, perSeat: 90 },
  // Five clock samples per connect; a flapping network connects twice in a window.
  ping: { clientPeak: { connection: 10, seat: 30 }, perConnection: 30, perSeat: 90 },
  // A reconnect resends up to 20 queued notes (and a few edits); three tabs resend the same ones.
  'note-write': { clientPeak: { connection: 25, seat: 75 }, perConnection: 75, perSeat: 225 },
  // note:mine on each connect and every 5 s while a note waits.
  'note-read': { clientPeak: { connection: 4, seat: 12 }, perConnection: 12, perSeat: 36 },
  // One export per click.
  export: { clientPeak: { connection: 2, seat: 6 }, perConnection: 6, perSeat: 18 },
  // The product client sends no other event.
  unknown: { clientPeak: { connection: 0, seat: 0 }, perConnection: 10, perSeat: 30 },
};

/** Which budget each client event spends. */
export const EVENT_BUDGET_OF: Record<string, EventBudgetName> = {
  'meeting:command': 'command',
  'note:moderate': 'command',
  'board:release': 'command',
  'question:pass': 'command',
  'time:ping': 'ping',
  'note:add': 'note-write',
  'note:edit': 'note-write',
  'note:delete': 'note-write',
  'note:resonate': 'note-write',
  'note:mine': 'note-read',
  'board:export': 'export',
};

/** Board frames: a leader dropping three cards a second, with sync and awareness (peak 30 / 90). */
export const BOARD_FRAME_BUDGET = { perConnection: 300, perSeat: 900 } as const;
/** Board upgrades per seat: 3 tabs x 2 cases reconnecting 5 times in a window (peak 30). */
export const BOARD_UPGRADES_PER_SEAT = 90;
/** Socket.IO handshakes per seat: 3 tabs reconnecting 5 times in a window (peak 15). */
export const HANDSHAKES_PER_SEAT = 45;
/**
 * Handshakes and board upgrades per client address (an IPv6 /64), before any token is looked at.
 * A room of 40 phones behind one NAT reconnecting after a restart needs 80; a load balancer whose
 * address is not in TRUST_PROXY brings every client from one address, hence the wide margin.
 */
export const CONNECTS_PER_ADDRESS = 2_000;

/** Open connections per seat (a phone that changed networks leaves a half-open one behind). */
export const SOCKETS_PER_SEAT = 4;
/** Open board connections per seat and case board. */
export const BOARDS_PER_SEAT = 4;

/** Refusals of one seat in one window that count as a sustained flood. */
export const FLOOD_REFUSALS = 100;
/** How long a seat closed for a flood is refused. */
export const FLOOD_BLOCK_MS = 30_000;
/** Events one connection may have waiting for their budget; more are refused at once. */
export const MAX_QUEUED_EVENTS = 200;

/**
 * With several processes (SCALE-23) the shares are also counted in Redis, in windows this long:
 * longer than any meeting, so a seat's share is one share for its meeting.
 */
export const NOTE_SHARE_WINDOW_MS = 24 * 60 * 60 * 1000;
/** A seat's share of a case's notes, counting every note it added whatever became of it (leaders: none). */
export const NOTES_PER_SEAT_PER_CASE = 40;

export function windowOf(points: number): WindowBudget {
  return { points, windowMs: LIMIT_WINDOW_MS };
}

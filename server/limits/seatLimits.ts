import type { Logger } from '../core/logger';
import { memoryStores, type RateLimitStore, type RateVerdict, type StoreFactory } from '../http/rateLimit';
import {
  BOARD_FRAME_BUDGET,
  BOARD_UPGRADES_PER_SEAT,
  CONNECTS_PER_ADDRESS,
  EVENT_BUDGETS,
  FLOOD_BLOCK_MS,
  FLOOD_REFUSALS,
  HANDSHAKES_PER_SEAT,
  windowOf,
  type EventBudgetName,
} from './budgets';

export interface LimitsOptions {
  now: () => number;
  logger: Logger;
  /**
   * The store of the budgets per seat and per address, and of the blocks; rate-limiter-flexible's
   * memory store by default, its Redis store when several processes share them (SCALE-9).
   */
  store?: StoreFactory;
  /**
   * The store of the budgets per connection: a connection lives on one process, so its counters
   * need not cross Redis (one round trip less per event). `store` by default.
   */
  connectionStore?: StoreFactory;
  /** CONNECTS_PER_ADDRESS by default (tests of that budget pass a smaller one). */
  connectsPerAddress?: number;
  /**
   * Several processes (SCALE-23): the seats' shares of a case's notes (LIMIT-5) counted in this
   * store too, shared by every process (Redis). Absent with one process: the board counts them.
   */
  noteShares?: RateLimitStore;
}

const OK: RateVerdict = { ok: true, retryAfterMs: 0 };

/** `meetingId/seatId`: budgets, caps and blocks are per seat, across all its connections. */
export function seatKey(meetingId: string, seatId: string): string {
  return `${meetingId}/${seatId}`;
}

/**
 * The budgets of Socket.IO events, board frames and connects, per connection, per seat and per
 * client address, and the block of a seat that kept flooding. Counters live in memory only (a
 * restart resets them) and are keyed by seat and connection, never by anything of a note.
 */
export class Limits {
  private readonly events = new Map<EventBudgetName, { connection: RateLimitStore; seat: RateLimitStore }>();
  private readonly frames: { connection: RateLimitStore; seat: RateLimitStore };
  private readonly upgrades: RateLimitStore;
  private readonly handshakes: RateLimitStore;
  private readonly connects: RateLimitStore;
  private readonly refusals: RateLimitStore;
  private readonly blocks: RateLimitStore;
  private readonly floodListeners = new Set<(seat: string, retryAfterMs: number) => void>();

  constructor(private readonly opts: LimitsOptions) {
    const shared = opts.store ?? memoryStores(opts.now);
    const perConnection = opts.connectionStore ?? shared;
    // Each budget's name is its key prefix in a shared store: seat and address keys are ids and
    // addresses, never a token or a name (SCALE-9).
    const make = (points: number, name: string) => shared(windowOf(points), name);
    const local = (points: number, name: string) => perConnection(windowOf(points), name);
    for (const [name, figures] of Object.entries(EVENT_BUDGETS) as [
      EventBudgetName,
      (typeof EVENT_BUDGETS)['command'],
    ][]) {
      this.events.set(name, {
        connection: local(figures.perConnection, `event:${name}:connection`),
        seat: make(figures.perSeat, `event:${name}:seat`),
      });
    }
    this.frames = {
      connection: local(BOARD_FRAME_BUDGET.perConnection, 'frame:connection'),
      seat: make(BOARD_FRAME_BUDGET.perSeat, 'frame:seat'),
    };
    this.upgrades = make(BOARD_UPGRADES_PER_SEAT, 'upgrade:seat');
    this.handshakes = make(HANDSHAKES_PER_SEAT, 'handshake:seat');
    this.connects = make(opts.connectsPerAddress ?? CONNECTS_PER_ADDRESS, 'connect:address');
    this.refusals = make(FLOOD_REFUSALS, 'refusal:seat');
    this.blocks = make(Number.MAX_SAFE_INTEGER, 'block:seat');
  }

  /** One Socket.IO event of `connection` (a unique id) of `seat`. */
  event(name: EventBudgetName, connection: string, seat: string): Promise<RateVerdict> {
    const budget = this.events.get(name) as { connection: RateLimitStore; seat: RateLimitStore };
    return this.spend(seat, budget.connection, connection, budget.seat);
  }

  /** One board frame. */
  frame(connection: string, seat: string): Promise<RateVerdict> {
    return this.spend(seat, this.frames.connection, connection, this.frames.seat);
  }

  /** A board upgrade of `seat` (after its address paid for the connect). */
  boardUpgrade(seat: string): Promise<RateVerdict> {
    return this.spend(seat, this.upgrades, seat);
  }

  /** A Socket.IO handshake of `seat`. */
  handshake(seat: string): Promise<RateVerdict> {
    return this.spend(seat, this.handshakes, seat);
  }

  /** Any handshake or upgrade from `address`, before its token is looked at. */
  async connect(address: string): Promise<RateVerdict> {
    return this.connects.consume(address, 1);
  }

  /**
   * One note of `seat` in case `caseIndex` against its share on every process (SCALE-23); always
   * granted without a shared store. Spent when asked: call it once the note will be added.
   */
  noteShare(seat: string, caseIndex: number): Promise<RateVerdict> {
    return this.opts.noteShares
      ? this.opts.noteShares.consume(`${seat}/${caseIndex}`, 1)
      : Promise.resolve(OK);
  }

  /** Whether `seat` is refused for a flood, and for how long still. */
  blocked(seat: string): Promise<RateVerdict> {
    return this.blocks.consume(seat, 0);
  }

  /** Called with the seat (`meetingId/seatId`) when it is closed for a sustained flood. */
  onFlood(listener: (seat: string, retryAfterMs: number) => void): () => void {
    this.floodListeners.add(listener);
    return () => this.floodListeners.delete(listener);
  }

  private async spend(
    seat: string,
    first: RateLimitStore,
    firstKey: string,
    second?: RateLimitStore,
  ): Promise<RateVerdict> {
    // The block is asked while the budgets are spent (Redis pipelines the requests): a blocked
    // seat's events are refused whatever they spend.
    const [held, verdict] = await Promise.all([
      this.blocked(seat),
      first.consume(firstKey, 1).then((own) => (own.ok && second ? second.consume(seat, 1) : own)),
    ]);
    if (!held.ok) return held;
    if (verdict.ok) return OK;
    await this.refused(seat);
    return verdict;
  }

  private async refused(seat: string): Promise<void> {
    const counted = await this.refusals.consume(seat, 1);
    if (counted.ok) return;
    if (!(await this.blocked(seat)).ok) return; // already closed for this flood
    await this.blocks.block(seat, FLOOD_BLOCK_MS);
    this.opts.logger.warn('limits.seat_blocked', { blockMs: FLOOD_BLOCK_MS });
    for (const listener of this.floodListeners) listener(seat, FLOOD_BLOCK_MS);
  }
}

/**
 * The open connections of each seat, oldest first. Past `cap` the oldest is closed, never the
 * new one: a phone that changed networks leaves a half-open connection behind.
 */
export class SeatConnections<C> {
  private readonly bySeat = new Map<string, C[]>();

  constructor(
    private readonly cap: number,
    private readonly closeOldest: (conn: C) => void,
  ) {}

  add(seat: string, conn: C): void {
    const list = this.bySeat.get(seat) ?? [];
    list.push(conn);
    this.bySeat.set(seat, list);
    while (list.length > this.cap) {
      const oldest = list.shift() as C;
      this.closeOldest(oldest);
    }
  }

  remove(seat: string, conn: C): void {
    const list = this.bySeat.get(seat);
    if (!list) return;
    const at = list.indexOf(conn);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.bySeat.delete(seat);
  }

  of(seat: string): readonly C[] {
    return this.bySeat.get(seat) ?? [];
  }
}

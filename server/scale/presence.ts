/**
 * Who is connected, across the server processes of one deployment (SPEC.md SCALE-14): each
 * process writes its own connection counts per meeting and seat into Redis and renews them with
 * a heartbeat; what a process that died wrote expires by itself, so its connections vanish from
 * every view within PRESENCE_TTL_MS. The hub adds the other processes' counts to its own (SCALE-20).
 *
 * Keys (ids only, never a name or a token):
 * - `balint:presence:m:<meetingId>:p:<processId>`: a hash seatId -> open connections of that
 *   seat on that process; it expires PRESENCE_TTL_MS after the process's last heartbeat;
 * - `balint:presence:m:<meetingId>`: the set of processes that wrote the hashes above, with the
 *   same expiry, so that a reader finds them without scanning; a member whose hash has expired is
 *   a dead process and is removed by the reader.
 *
 * Every write is the process's whole count for one meeting (not an increment), so that a write
 * that failed (Redis away) is repaired by the next one, and the heartbeat rewrites everything:
 * after a Redis restart that lost data, presence is whole again within one heartbeat.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';

/** How often a process renews its entries. */
export const PRESENCE_HEARTBEAT_MS = 5_000;
/** How long an entry outlives its last renewal: three heartbeats, so one lost renewal is harmless. */
export const PRESENCE_TTL_MS = 15_000;

export interface SeatRef {
  meetingId: string;
  seatId: string;
}

export interface PresenceRegistry {
  /** This process's id in Redis (random, new at every start). */
  readonly processId: string;
  /** A connection of `seat` opened (+1) or closed (-1) on this process. */
  connected(seat: SeatRef, delta: 1 | -1): void;
  /** Resolves when every change made so far has been written (or failed to be). */
  flushed(): Promise<void>;
  /** Open connections per seat of the meeting, on every live process (seats with none are left out). */
  connectedSeats(meetingId: string): Promise<Map<string, number>>;
  /** The same, on every live process but this one (whose own counts its caller holds). */
  connectedElsewhere(meetingId: string): Promise<Map<string, number>>;
  /** Open connections of one seat on every live process. */
  connectionsOf(seat: SeatRef): Promise<number>;
  /** Stops the heartbeat and removes this process's entries (a clean stop). */
  close(): Promise<void>;
}

export interface PresenceOptions {
  /** A connected client (the process's `commands` client: it fails fast while Redis is away). */
  client: Redis;
  logger: Logger;
  prefix?: string;
  heartbeatMs?: number;
  ttlMs?: number;
}

/** Per-process counts added up per seat (seats with none left out). */
async function summed(perProcess: Promise<Map<string, number>[]>): Promise<Map<string, number>> {
  const total = new Map<string, number>();
  for (const counts of await perProcess) {
    for (const [seat, n] of counts) if (n > 0) total.set(seat, (total.get(seat) ?? 0) + n);
  }
  return total;
}

export function createPresence(opts: PresenceOptions): PresenceRegistry {
  const prefix = opts.prefix ?? 'balint:presence:';
  const ttlMs = opts.ttlMs ?? PRESENCE_TTL_MS;
  const processId = randomBytes(8).toString('hex');
  const { client, logger } = opts;
  /** meetingId -> seatId -> open connections on this process. */
  const local = new Map<string, Map<string, number>>();
  const meetingKey = (meetingId: string) => `${prefix}m:${meetingId}`;
  const hashKey = (meetingId: string, proc: string) => `${meetingKey(meetingId)}:p:${proc}`;
  // One write at a time, in order: a later count must never be overwritten by an earlier one.
  let writes: Promise<void> = Promise.resolve();
  let failing = false;

  function write(meetingId: string): Promise<void> {
    const seats = local.get(meetingId);
    const tx = client.multi().del(hashKey(meetingId, processId));
    if (seats && seats.size > 0) {
      tx.hset(hashKey(meetingId, processId), Object.fromEntries(seats))
        .pexpire(hashKey(meetingId, processId), ttlMs)
        .sadd(meetingKey(meetingId), processId)
        .pexpire(meetingKey(meetingId), ttlMs);
    } else {
      tx.srem(meetingKey(meetingId), processId);
    }
    return tx.exec().then(
      () => {
        if (failing) logger.info('presence.writing_again', {});
        failing = false;
      },
      (error: Error & { code?: string }) => {
        if (!failing) logger.warn('presence.write_failed', { code: error.code ?? error.name });
        failing = true;
      },
    );
  }

  function enqueue(meetingIds: readonly string[]): Promise<void> {
    writes = writes.then(async () => {
      for (const id of meetingIds) await write(id);
    });
    return writes;
  }

  const heartbeat = setInterval(
    () => void enqueue([...local.keys()]),
    opts.heartbeatMs ?? PRESENCE_HEARTBEAT_MS,
  );
  heartbeat.unref();

  async function countsOf(meetingId: string, exceptSelf = false): Promise<Map<string, number>[]> {
    const procs = (await client.smembers(meetingKey(meetingId))).filter(
      (proc) => !exceptSelf || proc !== processId,
    );
    if (procs.length === 0) return [];
    const pipeline = client.pipeline();
    for (const proc of procs) pipeline.hgetall(hashKey(meetingId, proc));
    const answers = (await pipeline.exec()) ?? [];
    const result: Map<string, number>[] = [];
    const dead: string[] = [];
    answers.forEach(([error, value], i) => {
      const fields = (error ? {} : value) as Record<string, string>;
      if (Object.keys(fields).length === 0) dead.push(procs[i] as string);
      else result.push(new Map(Object.entries(fields).map(([seat, n]) => [seat, Number(n)])));
    });
    // A process whose hash expired is gone: its name leaves the set too (best effort).
    if (dead.length > 0) client.srem(meetingKey(meetingId), ...dead).catch(() => {});
    return result;
  }

  return {
    processId,
    connected(seat, delta) {
      const seats = local.get(seat.meetingId) ?? new Map<string, number>();
      const n = (seats.get(seat.seatId) ?? 0) + delta;
      if (n > 0) seats.set(seat.seatId, n);
      else seats.delete(seat.seatId);
      if (seats.size > 0) local.set(seat.meetingId, seats);
      else local.delete(seat.meetingId);
      void enqueue([seat.meetingId]);
    },
    flushed: () => writes,
    connectedSeats: (meetingId) => summed(countsOf(meetingId)),
    connectedElsewhere: (meetingId) => summed(countsOf(meetingId, true)),
    async connectionsOf(seat) {
      let total = 0;
      for (const counts of await countsOf(seat.meetingId)) total += counts.get(seat.seatId) ?? 0;
      return total;
    },
    async close() {
      clearInterval(heartbeat);
      const meetings = [...local.keys()];
      local.clear();
      await enqueue(meetings);
    },
  };
}

/**
 * The client rides out temporary refusals (REL-7): the real client modules (MeetingConnection,
 * MyNotes) run in Node against the real server on port 0. Storage is wrapped so that every write
 * throws for 10 s of the manual clock (the server answers `unavailable`), and the note rate limit
 * is low (`rate-limited`). The client's retry timers run on the same manual clock: the test moves
 * it to the next retry only when every unanswered note waits for one, so nothing sleeps.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { MeetingConnection } from '../../client/src/connection/MeetingConnection';
import { MyNotes } from '../../client/src/connection/myNotes';
import type { RetryClock } from '../../client/src/connection/retry';
import type { ManualClock } from '../../server/core/clock';
import { silentLogger } from '../../server/core/logger';
import { seededRandom } from '../../server/core/random';
import { memoryRateLimit } from '../../server/http/rateLimit';
import { EVENT_BUDGETS } from '../../server/limits/budgets';
import { Limits } from '../../server/limits/seatLimits';
import type { AsyncStorage, MeetingTransaction } from '../../server/storage/async/types';
import type { Result } from '../../shared/errors';
import { goToPhase, startBoardCast, startBoardServer, type BoardFixture } from '../helpers/board-fixture';
import { EVENT_TIMEOUT_MS } from '../helpers/server-fixture';

const STALL_MS = 10_000;
const WRITES = new Set<string>([
  'insertMeeting',
  'saveMeeting',
  'setJoinCode',
  'touchMeeting',
  'recordCommand',
  'insertSeatToken',
  'deleteSeatTokens',
  'putNote',
  'deleteNote',
  'appendBoardUpdate',
  'replaceBoardUpdates',
]);

/**
 * Storage whose writes fail until `until` of the clock: a disk that stalls, then recovers. The
 * writes inside a transaction fail too (the transaction then rolls back, as a stalled disk's would).
 */
function stallable(clock: () => number) {
  const stall = { until: 0, refused: 0 };
  const stalling = <T extends object>(ops: T): T =>
    new Proxy(ops, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => unknown;
        if (name === 'transaction') {
          return (body: (tx: MeetingTransaction) => Promise<unknown>) =>
            fn.call(target, (tx: MeetingTransaction) => body(stalling(tx)));
        }
        if (!WRITES.has(String(name))) return fn.bind(target);
        return (...args: unknown[]) => {
          if (clock() < stall.until) {
            stall.refused += 1;
            return Promise.reject(new Error('storage stalled'));
          }
          return fn.apply(target, args);
        };
      },
    });
  const wrap = (storage: AsyncStorage): AsyncStorage => stalling(storage);
  return { stall, wrap };
}

/** The manual clock as the client's retry clock, counting the retries that wait on it. */
function retryClockOn(clock: ManualClock) {
  const due = new Set<{ at: number }>();
  const retryClock: RetryClock = {
    now: () => clock.now(),
    setTimer(at, fn) {
      const entry = { at };
      due.add(entry);
      const handle = clock.setTimer(at, () => {
        due.delete(entry);
        fn();
      });
      return {
        cancel() {
          due.delete(entry);
          handle.cancel();
        },
      };
    },
  };
  return { retryClock, due };
}

/** The member's real client: a MeetingConnection on the fixture and the member's MyNotes. */
async function memberClient(fx: BoardFixture, meetingId: string, token: string) {
  const { retryClock, due } = retryClockOn(fx.clock);
  const random = seededRandom(42);
  const connection = new MeetingConnection(meetingId, token, {
    url: fx.url,
    retryClock,
    random: () => random.next(),
  });
  const refusals: string[] = [];
  onTestFinished(() => connection.stop());
  connection.start();
  const socket = (
    connection as unknown as { socket: { io: { on(e: string, f: (p: unknown) => void): void } } }
  ).socket;
  // Every ack's error code, as it reached the client.
  socket.io.on('packet', (packet) => {
    const data = (packet as { data?: unknown[] }).data;
    for (const arg of Array.isArray(data) ? data : []) {
      const result = arg as Result<unknown> | null;
      if (result && typeof result === 'object' && 'ok' in result && !result.ok)
        refusals.push(result.error.code);
    }
  });
  await until(() => connection.status.get() === 'online', 'the client online');
  return { connection, notes: new MyNotes(connection), due, refusals };
}

/** A bounded poll on real time, one macrotask at a time: waits for replies, never for a duration. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > EVENT_TIMEOUT_MS) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Settles every request: whenever each unanswered one waits for its retry (none in flight), the
 * manual clock jumps to the earliest retry.
 */
async function drive<T>(clock: ManualClock, due: Set<{ at: number }>, pending: Promise<T>[]): Promise<T[]> {
  let settled = 0;
  const all = Promise.all(pending.map((p) => p.finally(() => (settled += 1))));
  while (settled < pending.length) {
    await until(() => settled === pending.length || due.size === pending.length - settled, 'retries armed');
    if (settled === pending.length) break;
    const next = Math.min(...[...due].map((d) => d.at));
    clock.advance(Math.max(0, next - clock.now()));
  }
  return all;
}

function noteBudgetOf5(now: () => number): Limits {
  const perConnection = EVENT_BUDGETS['note-write'].perConnection;
  return new Limits({
    now,
    logger: silentLogger,
    store: (b) => memoryRateLimit(b.points === perConnection ? { ...b, points: 5 } : b, now),
  });
}

describe('client retries (REL-7)', () => {
  it('REL-7: storage stalled for 10 s and a rate limit: every note lands exactly once', async () => {
    let clockRef: () => number = () => 0;
    const { stall, wrap } = stallable(() => clockRef());
    const fx = await startBoardServer({
      wrapStorage: wrap,
      // The note budget per connection (75 per 10 s) cut to 5, so that a burst of 12 hits it.
      limits: noteBudgetOf5(() => clockRef()),
    });
    clockRef = () => fx.clock.now();
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const member = cast.members[0];
    if (!member) throw new Error('no member');
    const client = await memberClient(fx, cast.meetingId, member.token);

    const started = fx.clock.now();
    stall.until = started + STALL_MS;
    const texts = Array.from({ length: 12 }, (_, i) => `retried note ${i}`);
    const results = await drive(
      fx.clock,
      client.due,
      texts.map((t) => client.notes.add('association', t, 0)),
    );

    expect(results.map((r) => r.ok)).toEqual(texts.map(() => true));
    // Both kinds of temporary refusal happened, and the stall really refused writes.
    expect(stall.refused).toBeGreaterThan(0);
    expect(client.refusals).toContain('unavailable');
    expect(client.refusals).toContain('rate-limited');
    // Exactly once each, and within the retry window.
    const stored = (await fx.storage.listNotes(cast.meetingId)).map((n) => n.text);
    expect([...stored].sort()).toEqual([...texts].sort());
    const mine = client.notes.store.get();
    expect(mine.map((n) => n.status).filter((s) => s === 'failed' || s === 'sending')).toEqual([]);
    expect(new Set(mine.map((n) => n.noteId)).size).toBe(texts.length);
    expect(fx.clock.now() - started).toBeLessThan(60_000);
  });

  it('REL-7: a refusal that lasts is shown after the 60 s window, not before', async () => {
    let clockRef: () => number = () => 0;
    const { stall, wrap } = stallable(() => clockRef());
    const fx = await startBoardServer({ wrapStorage: wrap });
    clockRef = () => fx.clock.now();
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const member = cast.members[0];
    if (!member) throw new Error('no member');
    const client = await memberClient(fx, cast.meetingId, member.token);

    const started = fx.clock.now();
    stall.until = Number.POSITIVE_INFINITY;
    const [result] = await drive(fx.clock, client.due, [client.notes.add('association', 'never stored', 0)]);
    expect(result?.ok === false && result.error.code).toBe('unavailable');
    expect(fx.clock.now() - started).toBe(60_000);
    expect(client.refusals.length).toBeGreaterThan(3);
    expect(client.notes.store.get().map((n) => n.status)).toEqual(['failed']);
    expect(await fx.storage.listNotes(cast.meetingId)).toEqual([]);
  });
});

describe('a seat closed for a flood comes back (LIMIT-6)', () => {
  it('LIMIT-6: the real client reconnects once retryAfterMs has passed and sends what waited', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const member = cast.members[0];
    if (!member) throw new Error('no member');
    const client = await memberClient(fx, cast.meetingId, member.token);

    // Three more tabs of the same seat (four in all, the cap) flood time:ping.
    const tabs = await Promise.all([1, 2, 3].map((i) => fx.connect(member.token, `flood${i}`)));
    for (const tab of tabs) for (let i = 0; i < 200; i++) tab.socket.emit('time:ping', () => {});
    await until(() => client.connection.status.get() === 'offline', 'the client closed by the flood');
    const closedAt = fx.clock.now();

    // A note typed while closed waits; the reconnect is armed no earlier than the block's end.
    const note = client.notes.add('association', 'typed while blocked', 0);
    await until(() => client.due.size > 0, 'a reconnect armed');
    const at = Math.min(...[...client.due].map((d) => d.at));
    expect(at - closedAt).toBeGreaterThanOrEqual(30_000);
    expect(client.connection.status.get()).toBe('offline');

    const results = await drive(fx.clock, client.due, [note]);
    expect(results.map((r) => r.ok)).toEqual([true]);
    expect(client.connection.status.get()).toBe('online');
    expect((await fx.storage.listNotes(cast.meetingId)).map((n) => n.text)).toEqual(['typed while blocked']);
  });
});

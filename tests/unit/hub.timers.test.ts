/**
 * Deadlines run from timers: a tick whose store fails is logged and tried again, never thrown
 * into the event loop (where it would crash the server).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/core/clock';
import { MeetingHub, PRESENCE_COALESCE_MS, TICK_RETRY_MS } from '../../server/core/hub';
import { createLogger } from '../../server/core/logger';
import { openAsyncSqliteStorage } from '../../server/storage/async/open';
import type { AsyncStorage } from '../../server/storage/async/types';
import { findBuiltInTemplate } from '../../shared/meeting/templates';

let storage: AsyncStorage | null = null;
afterEach(() => storage?.close());

describe('MeetingHub phase timer', () => {
  it('a deadline whose store fails is logged, applied nothing, and is tried again', async () => {
    const s = openAsyncSqliteStorage({ file: ':memory:', synchronous: 'NORMAL' });
    storage = s;
    let failing = false;
    // The state is saved inside the command's transaction: its save fails, and it rolls back.
    const transaction = s.transaction.bind(s);
    s.transaction = (fn) =>
      transaction((tx) =>
        fn({
          ...tx,
          saveMeeting: (...args) =>
            failing ? Promise.reject(new Error('disk full')) : tx.saveMeeting(...args),
        }),
      );
    const lines: string[] = [];
    const clock = new ManualClock();
    const hub = new MeetingHub({
      storage: s,
      clock,
      logger: createLogger('debug', (line) => lines.push(line)),
      inactivityLimitMs: 24 * 3_600_000,
    });
    const template = findBuiltInTemplate('classic-90-one-case');
    if (!template) throw new Error('no template');
    const created = await hub.create({ title: 't', template, settings: { autoAdvance: true } });
    const meetingId = created.state.id;
    const leader = { kind: 'seat' as const, seatId: created.state.seats[0]?.id as string };
    expect((await hub.run(meetingId, leader, { type: 'meeting:start' })).ok).toBe(true);
    const first = hub.state(meetingId)?.phases[0]?.plannedMs as number;

    failing = true;
    expect(() => clock.advance(first + 1)).not.toThrow();
    await hub.idle();
    expect(hub.state(meetingId)?.current?.index).toBe(0);
    expect(lines.some((l) => l.includes('meeting.tick_failed'))).toBe(true);

    failing = false;
    clock.advance(TICK_RETRY_MS);
    await hub.idle();
    expect(hub.state(meetingId)?.current?.index).toBe(1);
    hub.stop();
  });
});

describe('MeetingHub presence broadcasts', () => {
  async function setUp() {
    const s = openAsyncSqliteStorage({ file: ':memory:', synchronous: 'NORMAL' });
    storage = s;
    const hub = new MeetingHub({
      storage: s,
      clock: new ManualClock(),
      logger: createLogger('error', () => {}),
      inactivityLimitMs: 24 * 3_600_000,
    });
    const template = findBuiltInTemplate('classic-90-one-case');
    if (!template) throw new Error('no template');
    const created = await hub.create({ title: 't', template });
    const meetingId = created.state.id;
    const seatIds = [created.state.seats[0]?.id as string];
    for (let i = 0; i < 11; i++) {
      const joined = await hub.join(created.joinCode, `Member ${i}`, 'participant');
      if (!joined.ok) throw new Error('join failed');
      seatIds.push(joined.value.seatId);
    }
    const sent: string[] = [];
    hub.broadcaster = {
      meetingChanged: (id) => sent.push(id),
      meetingEnded: () => {},
      seatRemoved: () => {},
    };
    return { hub, meetingId, seatIds, sent };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, PRESENCE_COALESCE_MS * 3));

  it('12 seats connecting at once make one presence snapshot, not one per seat', async () => {
    const { hub, meetingId, seatIds, sent } = await setUp();
    for (const seatId of seatIds) hub.connected(meetingId, seatId, 1);
    expect(sent).toEqual([]);
    await settle();
    expect(sent).toEqual([meetingId]);
    for (const seatId of seatIds.slice(6)) hub.connected(meetingId, seatId, -1);
    await settle();
    expect(sent).toEqual([meetingId, meetingId]);
    hub.stop();
  });

  it('a command broadcasts at once and takes the pending presence snapshot with it; purge and stop cancel it', async () => {
    const { hub, meetingId, seatIds, sent } = await setUp();
    const leader = { kind: 'seat' as const, seatId: seatIds[0] as string };
    hub.connected(meetingId, seatIds[1] as string, 1);
    expect((await hub.run(meetingId, leader, { type: 'meeting:start' })).ok).toBe(true);
    expect(sent).toEqual([meetingId]);
    await settle();
    expect(sent).toEqual([meetingId]);

    hub.connected(meetingId, seatIds[2] as string, 1);
    hub.stop();
    await settle();
    expect(sent).toEqual([meetingId]);

    hub.connected(meetingId, seatIds[3] as string, 1);
    await hub.purge(meetingId, 'ended');
    await settle();
    expect(sent).toEqual([meetingId]);
  });
});

/**
 * Deadlines run from timers: a tick whose store fails is logged and tried again, never thrown
 * into the event loop (where it would crash the server).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/core/clock';
import { MeetingHub, PRESENCE_COALESCE_MS, TICK_RETRY_MS } from '../../server/core/hub';
import { createLogger } from '../../server/core/logger';
import { openSqliteStorage } from '../../server/storage/sqlite';
import type { Storage } from '../../server/storage/types';
import { findBuiltInTemplate } from '../../shared/meeting/templates';

let storage: Storage | null = null;
afterEach(() => storage?.close());

describe('MeetingHub phase timer', () => {
  it('a deadline whose store fails is logged, applied nothing, and is tried again', () => {
    const s = openSqliteStorage({ file: ':memory:', synchronous: 'NORMAL' });
    storage = s;
    let failing = false;
    const save = s.saveMeeting.bind(s);
    s.saveMeeting = (...args) => {
      if (failing) throw new Error('disk full');
      return save(...args);
    };
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
    const created = hub.create({ title: 't', template, settings: { autoAdvance: true } });
    const meetingId = created.state.id;
    const leader = { kind: 'seat' as const, seatId: created.state.seats[0]?.id as string };
    expect(hub.run(meetingId, leader, { type: 'meeting:start' }).ok).toBe(true);
    const first = hub.state(meetingId)?.phases[0]?.plannedMs as number;

    failing = true;
    expect(() => clock.advance(first + 1)).not.toThrow();
    expect(hub.state(meetingId)?.current?.index).toBe(0);
    expect(lines.some((l) => l.includes('meeting.tick_failed'))).toBe(true);

    failing = false;
    clock.advance(TICK_RETRY_MS);
    expect(hub.state(meetingId)?.current?.index).toBe(1);
    hub.stop();
  });
});

describe('MeetingHub presence broadcasts', () => {
  function setUp() {
    const s = openSqliteStorage({ file: ':memory:', synchronous: 'NORMAL' });
    storage = s;
    const hub = new MeetingHub({
      storage: s,
      clock: new ManualClock(),
      logger: createLogger('error', () => {}),
      inactivityLimitMs: 24 * 3_600_000,
    });
    const template = findBuiltInTemplate('classic-90-one-case');
    if (!template) throw new Error('no template');
    const created = hub.create({ title: 't', template });
    const meetingId = created.state.id;
    const seatIds = [created.state.seats[0]?.id as string];
    for (let i = 0; i < 11; i++) {
      const joined = hub.join(created.joinCode, `Member ${i}`, 'participant');
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
    const { hub, meetingId, seatIds, sent } = setUp();
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
    const { hub, meetingId, seatIds, sent } = setUp();
    const leader = { kind: 'seat' as const, seatId: seatIds[0] as string };
    hub.connected(meetingId, seatIds[1] as string, 1);
    expect(hub.run(meetingId, leader, { type: 'meeting:start' }).ok).toBe(true);
    expect(sent).toEqual([meetingId]);
    await settle();
    expect(sent).toEqual([meetingId]);

    hub.connected(meetingId, seatIds[2] as string, 1);
    hub.stop();
    await settle();
    expect(sent).toEqual([meetingId]);

    hub.connected(meetingId, seatIds[3] as string, 1);
    hub.purge(meetingId, 'ended');
    await settle();
    expect(sent).toEqual([meetingId]);
  });
});

/**
 * The cross-process bus (SCALE-13) and the presence registry (SCALE-14) on a real Redis (AOF
 * and RDB on, as tests/helpers/services.ts runs it). Each "process" is a bus or a registry with
 * its own Redis connections, as a server process has; a restart of Redis and a process whose
 * heartbeat stops are the real thing, seen from Redis.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '../../server/core/logger';
import { openRedis, type RedisClients } from '../../server/scale/redis';
import { openBus, type Bus, type BusDelivery, type BusSealing } from '../../server/scale/bus';
import { createPresence, PRESENCE_TTL_MS, type PresenceRegistry } from '../../server/scale/presence';
import { newMeetingKey, seal, unseal } from '../../server/security/sealing';
import { pollUntil, pollUntilAsync } from '../helpers/poll';
import { startRedis, type RedisServer } from '../helpers/services';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop({ mode: 'kill' });
});

/** A process's Redis connections, closed when the test ends. */
async function clients(): Promise<RedisClients> {
  const opened = await openRedis(redis.url, silentLogger);
  onTestFinished(() => opened.close());
  return opened;
}

async function bus(sealing?: BusSealing): Promise<Bus> {
  const opened = await openBus({ publisher: (await clients()).commands, logger: silentLogger, sealing });
  onTestFinished(() => opened.close());
  return opened;
}

/** Collects what a subscription receives. */
async function listen(b: Bus, topic: string): Promise<BusDelivery[]> {
  const got: BusDelivery[] = [];
  await b.subscribe(topic, (d) => got.push(d));
  return got;
}

const text = (d: BusDelivery) => Buffer.from(d.payload).toString('utf8');

/** Sealing under one meeting's key, the topic as the identity (what the hub will pass). */
function meetingSealing(key: Buffer): BusSealing {
  return {
    seal: (topic, plain) => seal(key, plain, `bus/${topic}`),
    open: (topic, sealed) => {
      try {
        return unseal(key, sealed, `bus/${topic}`);
      } catch {
        return null;
      }
    },
  };
}

/** Every file under `dir`, as latin1 text (raw bytes), for a canary scan. */
function filesText(dir: string): string {
  let all = '';
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    all += statSync(file).isDirectory() ? filesText(file) : readFileSync(file).toString('latin1');
  }
  return all;
}

describe('bus between processes (SCALE-13)', { timeout: 60_000 }, () => {
  it('SCALE-13: a notification reaches every subscriber of its topic in every process, marked as its own in the sender', async () => {
    const [a, b] = [await bus(), await bus()];
    const atA = await listen(a, 'meeting:m1');
    const atB = await listen(b, 'meeting:m1');
    const otherTopic = await listen(b, 'meeting:m2');
    expect(await a.publish('meeting:m1', Buffer.from('version 7'))).toBe(true);
    await pollUntil(() => atA.length === 1 && atB.length === 1, 5_000, 'delivered to both');
    expect([text(atA[0]!), atA[0]!.fromSelf]).toEqual(['version 7', true]);
    expect([text(atB[0]!), atB[0]!.fromSelf]).toEqual(['version 7', false]);
    // A barrier on m2 from the same publisher: m1's message would have come first.
    expect(await a.publish('meeting:m2', Buffer.from('purged'))).toBe(true);
    await pollUntil(() => otherTopic.length === 1, 5_000, 'm2 delivered');
    expect(otherTopic.map(text)).toEqual(['purged']);
    await expect(a.publish('meeting:no spaces', Buffer.from('x'))).rejects.toThrow(/topic is made of ids/);
  });

  it('SCALE-13: payloads cross Redis sealed by the caller’s hook; another key opens nothing', async () => {
    const key = newMeetingKey();
    const otherKey = newMeetingKey();
    const canary = 'Bus-Canary-Title-4711';
    const [a, b, wrong] = [
      await bus(meetingSealing(key)),
      await bus(meetingSealing(key)),
      await bus(meetingSealing(otherKey)),
    ];
    const atB = await listen(b, 'meeting:sealed');
    const atWrong = await listen(wrong, 'meeting:sealed');
    // What crosses the wire, seen by a plain subscriber of the channel.
    const raw = new Redis(redis.url);
    onTestFinished(() => raw.disconnect());
    const wire: Buffer[] = [];
    raw.on('messageBuffer', (_channel: Buffer, message: Buffer) => wire.push(message));
    await raw.subscribe('balint:bus:meeting:sealed');
    expect(await a.publish('meeting:sealed', Buffer.from(canary))).toBe(true);
    await pollUntil(() => atB.length === 1 && wire.length === 1, 5_000, 'delivered');
    expect(text(atB[0]!)).toBe(canary);
    expect(wire[0]!.toString('latin1')).not.toContain(canary);
    expect(wire[0]!.toString('base64')).not.toContain(Buffer.from(canary).toString('base64'));
    // A barrier: a later message under `wrong`'s own key reaches its connection after the first.
    const sameAsWrong = await bus(meetingSealing(otherKey));
    const later = await listen(wrong, 'meeting:later');
    expect(await sameAsWrong.publish('meeting:later', Buffer.from('x'))).toBe(true);
    await pollUntil(() => later.length === 1, 5_000, 'barrier');
    expect(atWrong).toEqual([]);
    expect(filesText(redis.dir)).not.toContain(canary);
  });

  it('SCALE-13: after a Redis restart every bus reports a gap once it is subscribed again, and delivers again', async () => {
    const [a, b] = [await bus(), await bus()];
    const atB = await listen(b, 'meeting:gap');
    const gaps = { a: 0, b: 0 };
    a.onGap(() => (gaps.a += 1));
    b.onGap(() => (gaps.b += 1));
    await redis.stop({ mode: 'kill' });
    // Redis away: a publish is refused at once (the caller knows it did not go out).
    expect(await a.publish('meeting:gap', Buffer.from('lost'))).toBe(false);
    await redis.start();
    await pollUntil(() => gaps.a === 1 && gaps.b === 1, 15_000, 'both report a gap');
    // The gap is reported after the subscriptions are back: a notification sent now arrives.
    await pollUntilAsync(() => a.publish('meeting:gap', Buffer.from('after')), 5_000, 'publisher back');
    await pollUntil(() => atB.length === 1, 5_000, 'delivered after the gap');
    expect(atB.map(text)).toEqual(['after']);
    expect(gaps).toEqual({ a: 1, b: 1 });
  });
});

describe('presence across processes (SCALE-14)', { timeout: 60_000 }, () => {
  async function registry(): Promise<PresenceRegistry> {
    const r = createPresence({ client: (await clients()).commands, logger: silentLogger });
    onTestFinished(() => r.close());
    return r;
  }

  it('SCALE-14: counts per seat add up over processes; a clean stop removes its own at once', async () => {
    const [p1, p2] = [await registry(), await registry()];
    const alma = { meetingId: 'meetA', seatId: 'seat1' };
    const bert = { meetingId: 'meetA', seatId: 'seat2' };
    p1.connected(alma, 1);
    p1.connected(alma, 1);
    p2.connected(alma, 1);
    p2.connected(bert, 1);
    p2.connected({ meetingId: 'meetB', seatId: 'seat9' }, 1);
    await Promise.all([p1.flushed(), p2.flushed()]);
    expect(await p1.connectedSeats('meetA')).toEqual(
      new Map([
        ['seat1', 3],
        ['seat2', 1],
      ]),
    );
    expect(await p2.connectionsOf(alma)).toBe(3);
    expect(await p1.connectionsOf({ meetingId: 'meetB', seatId: 'seat9' })).toBe(1);
    p2.connected(bert, -1);
    await p2.flushed();
    expect(await p1.connectedSeats('meetA')).toEqual(new Map([['seat1', 3]]));
    await p1.close();
    expect(await p2.connectionsOf(alma)).toBe(1);
    expect(await p2.connectedSeats('meetNone')).toEqual(new Map());
  });

  it('SCALE-14: a process whose heartbeat stops vanishes from every count within 15 s; the living stay', async () => {
    const living = await registry();
    const dyingClients = await openRedis(redis.url, silentLogger);
    const dying = createPresence({ client: dyingClients.commands, logger: silentLogger });
    onTestFinished(() => dying.close());
    const seat = { meetingId: 'meetDead', seatId: 'seatX' };
    living.connected(seat, 1);
    dying.connected(seat, 1);
    dying.connected({ meetingId: 'meetDead', seatId: 'seatY' }, 1);
    await Promise.all([living.flushed(), dying.flushed()]);
    expect(await living.connectedSeats('meetDead')).toEqual(
      new Map([
        ['seatX', 2],
        ['seatY', 1],
      ]),
    );
    // The process dies as far as Redis can tell: its connection is gone, no heartbeat arrives,
    // and nothing it wrote is removed by it.
    const diedAt = performance.now();
    dyingClients.commands.disconnect();
    await pollUntilAsync(
      async () => (await living.connectedSeats('meetDead')).get('seatY') === undefined,
      PRESENCE_TTL_MS + 2_000,
      'the dead process’s seat gone',
    );
    expect(performance.now() - diedAt).toBeLessThanOrEqual(PRESENCE_TTL_MS + 1_000);
    expect(await living.connectedSeats('meetDead')).toEqual(new Map([['seatX', 1]]));
    // The living process's entry outlived the TTL because its heartbeat renewed it.
    expect(await living.connectionsOf(seat)).toBe(1);
    await dyingClients.close();
  });
});

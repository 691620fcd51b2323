/**
 * The limiter on its Redis store (SCALE-9, LIMIT-7, LIMIT-8): a connection's events are still
 * handled in arrival order when every budget question takes a while (a real Redis behind a
 * store that answers after a seeded random delay, as a loaded network would), and a seat's block
 * written by one process refuses the seat in another.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ManualClock } from '../../server/core/clock';
import { silentLogger } from '../../server/core/logger';
import { memoryStores, redisRateLimit, type StoreFactory } from '../../server/http/rateLimit';
import { Limits, seatKey } from '../../server/limits/seatLimits';
import { FLOOD_BLOCK_MS, FLOOD_REFUSALS, LIMIT_WINDOW_MS } from '../../server/limits/budgets';
import { createPrng } from '../helpers/prng';
import { startServer } from '../helpers/server-fixture';
import { startRedis, type RedisServer } from '../helpers/services';
import { openRedis } from '../../server/scale/redis';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop({ mode: 'kill' });
});

/** Redis stores whose every answer comes 0-15 ms late (a seeded delay, not a test's sleep). */
function slowRedisStores(client: Redis, now: () => number, seed: number): StoreFactory {
  const prng = createPrng(seed);
  const late = () => new Promise((resolve) => setTimeout(resolve, prng.between(0, 15)));
  return (budget, name) => {
    const store = redisRateLimit(budget, name, now, { client, prefix: `order${seed}:` });
    return {
      async consume(key, cost) {
        await late();
        return store.consume(key, cost);
      },
      async block(key, ms) {
        await late();
        return store.block(key, ms);
      },
    };
  };
}

describe('limits on Redis', { timeout: 60_000 }, () => {
  it('LIMIT-7, LIMIT-8, SCALE-9: with a slow shared store a connection’s events are answered in arrival order', async () => {
    const clients = await openRedis(redis.url, silentLogger);
    onTestFinished(() => clients.close());
    const clock = new ManualClock();
    const now = () => clock.now();
    const limits = new Limits({
      now,
      logger: silentLogger,
      store: slowRedisStores(clients.commands, now, 7),
      connectionStore: slowRedisStores(clients.commands, now, 8),
    });
    const fx = await startServer({ clock, limits });
    const created = await fx.api.createMeeting({});
    const leader = await fx.connect(created.leaderToken, 'leader');
    const answered: number[] = [];
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 24; i++) {
      // Two budgets (ping and command), so that two stores answer at their own pace.
      const ack = i % 3 === 0 ? leader.command({ type: 'timer:pause' }) : leader.sendRaw('time:ping');
      sent.push(ack.then(() => answered.push(i)));
    }
    await Promise.all(sent);
    expect(answered).toEqual(Array.from({ length: 24 }, (_, i) => i));
    // The budgets were spent in Redis, under the seat's ids.
    const raw = new Redis(redis.url);
    onTestFinished(() => raw.disconnect());
    const keys = await raw.keys('order7:*');
    const seat = seatKey(created.meetingId, leader.seatId);
    expect(keys).toEqual(
      expect.arrayContaining([
        `order7:event:ping:seat:${seat}@${Math.floor(clock.now() / LIMIT_WINDOW_MS)}`,
        `order7:event:command:seat:${seat}@${Math.floor(clock.now() / LIMIT_WINDOW_MS)}`,
      ]),
    );
  });

  it('SCALE-9: a seat blocked for a flood by one process is refused by another, until the block ends', async () => {
    const [c1, c2] = [await openRedis(redis.url, silentLogger), await openRedis(redis.url, silentLogger)];
    onTestFinished(async () => {
      await Promise.all([c1.close(), c2.close()]);
    });
    let t = 1_000 * LIMIT_WINDOW_MS;
    const now = () => t;
    const shared =
      (client: Redis): StoreFactory =>
      (b, name) =>
        redisRateLimit(b, name, now, { client, prefix: 'flood:' });
    const one = new Limits({
      now,
      logger: silentLogger,
      store: shared(c1.commands),
      connectionStore: memoryStores(now),
    });
    const two = new Limits({
      now,
      logger: silentLogger,
      store: shared(c2.commands),
      connectionStore: memoryStores(now),
    });
    const seat = seatKey('meetFlood', 'seatFlood');
    const flooded: string[] = [];
    one.onFlood((s) => flooded.push(s));
    // The seat's handshake budget is 45 a window; every refusal past it counts toward the flood.
    let refused = 0;
    while (flooded.length === 0 && refused < 1_000) {
      if (!(await one.handshake(seat)).ok) refused += 1;
    }
    expect(flooded).toEqual([seat]);
    expect(refused).toBe(FLOOD_REFUSALS + 1);
    // The other process refuses the seat for any budget, though it spent nothing of its own.
    expect(await two.event('ping', 'conn-on-two', seat)).toMatchObject({ ok: false });
    expect(await two.blocked(seat)).toMatchObject({ ok: false });
    // After the block (and the window) the seat is served again everywhere.
    t += FLOOD_BLOCK_MS + LIMIT_WINDOW_MS;
    expect(await two.blocked(seat)).toEqual({ ok: true, retryAfterMs: 0 });
    expect(await two.event('ping', 'conn-on-two', seat)).toEqual({ ok: true, retryAfterMs: 0 });
  });
});

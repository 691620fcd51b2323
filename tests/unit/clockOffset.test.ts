import { describe, expect, it } from 'vitest';
import { ClockOffsetEstimator, DEFAULT_OFFSET_WINDOW, serverNowFrom } from '../../shared/time/clockOffset';
import { createPrng, type Prng } from '../helpers/prng';

const MINUTE_MS = 60_000;
const SERVER_START = Date.UTC(2025, 2, 14, 18, 0, 0);

/**
 * A simulated ping. The server's clock is the true time; the client's clock runs `skewMs` ahead
 * of it, so the true offset (server minus client) is `-skewMs`. The ping takes `upMs` to reach
 * the server and the ack `downMs` to come back.
 */
function ping(trueSendAt: number, skewMs: number, upMs: number, downMs: number) {
  const t0 = trueSendAt + skewMs;
  const serverNow = trueSendAt + upMs;
  const t1 = trueSendAt + upMs + downMs + skewMs;
  return { t0, serverNow, t1 };
}

/** Feeds `count` pings with random, independent delays in each direction. */
function feed(
  est: ClockOffsetEstimator,
  rng: Prng,
  skewMs: number,
  count: number,
  delay: () => [number, number],
): void {
  let at = SERVER_START;
  for (let i = 0; i < count; i++) {
    const [up, down] = delay();
    const { t0, serverNow, t1 } = ping(at, skewMs, up, down);
    expect(est.addSample(t0, serverNow, t1)).toBe(true);
    at += up + down + rng.between(200, 2_000);
  }
}

describe('ClockOffsetEstimator', () => {
  it('TIME-8: starts with no estimate: offset 0, no round trip, no samples', () => {
    const est = new ClockOffsetEstimator();
    expect(est.offsetMs).toBe(0);
    expect(est.bestRttMs).toBeNull();
    expect(est.sampleCount).toBe(0);
  });

  it('TIME-8: offset = serverNow - (t0 + t1) / 2 for a single sample', () => {
    const est = new ClockOffsetEstimator();
    est.addSample(1_000, 5_060, 1_100);
    expect(est.offsetMs).toBe(4_010);
    expect(est.bestRttMs).toBe(100);
    expect(est.sampleCount).toBe(1);
  });

  it('TIME-8: is exact when the delay is the same both ways', () => {
    const est = new ClockOffsetEstimator();
    const { t0, serverNow, t1 } = ping(SERVER_START, 7 * MINUTE_MS, 40, 40);
    est.addSample(t0, serverNow, t1);
    expect(est.offsetMs).toBe(-7 * MINUTE_MS);
  });

  it('TIME-8: keeps the sample with the smallest round trip, wherever it came in the sequence', () => {
    const est = new ClockOffsetEstimator();
    est.addSample(0, 1_300, 400); // rtt 400, offset 1100
    est.addSample(1_000, 2_030, 1_050); // rtt 50, offset 1005
    est.addSample(2_000, 3_500, 2_300); // rtt 300, offset 1350
    expect(est.bestRttMs).toBe(50);
    expect(est.offsetMs).toBe(1_005);
    expect(est.sampleCount).toBe(3);
  });

  it('TIME-8: on equal round trips the newer sample wins', () => {
    const est = new ClockOffsetEstimator();
    est.addSample(0, 1_000, 100);
    est.addSample(1_000, 2_010, 1_100);
    expect(est.offsetMs).toBe(960);
  });

  it('TIME-8: ignores impossible samples (ack before ping, NaN, Infinity)', () => {
    const est = new ClockOffsetEstimator();
    expect(est.addSample(1_000, 5_000, 999)).toBe(false);
    expect(est.addSample(Number.NaN, 5_000, 1_000)).toBe(false);
    expect(est.addSample(1_000, Number.POSITIVE_INFINITY, 1_100)).toBe(false);
    expect(est.addSample(1_000, 5_000, Number.NaN)).toBe(false);
    expect(est.sampleCount).toBe(0);
    expect(est.bestRttMs).toBeNull();
    expect(est.addSample(1_000, 5_000, 1_000)).toBe(true);
    expect(est.bestRttMs).toBe(0);
    expect(est.offsetMs).toBe(4_000);
  });

  it('TIME-8: only the last windowSize samples compete, so a local clock jump is forgotten', () => {
    const est = new ClockOffsetEstimator({ windowSize: 3 });
    est.addSample(0, 10_000, 10); // rtt 10, offset 9995: the best, until it leaves the window
    // The client clock jumps forward by 60 s: samples now say offset is about -50 s.
    est.addSample(100_000, 50_050, 100_100);
    est.addSample(101_000, 51_050, 101_100);
    expect(est.offsetMs).toBe(9_995);
    est.addSample(102_000, 52_050, 102_100);
    expect(est.offsetMs).toBe(-50_000);
    expect(est.bestRttMs).toBe(100);
    expect(est.sampleCount).toBe(4);
  });

  it('TIME-8: has a default window and refuses a window that is not a positive integer', () => {
    expect(DEFAULT_OFFSET_WINDOW).toBeGreaterThanOrEqual(3);
    expect(() => new ClockOffsetEstimator({ windowSize: 0 })).toThrow(RangeError);
    expect(() => new ClockOffsetEstimator({ windowSize: 2.5 })).toThrow(RangeError);
  });

  describe('simulated skew and delay (seeded)', () => {
    const skews = [
      { name: 'client clock 7 min fast', skewMs: 7 * MINUTE_MS },
      { name: 'client clock 3 min slow', skewMs: -3 * MINUTE_MS },
      { name: 'client clock exact', skewMs: 0 },
      { name: 'client clock 1 day and 123.4 ms fast', skewMs: 24 * 60 * MINUTE_MS + 123.4 },
    ];
    const delays: { name: string; make: (rng: Prng) => () => [number, number] }[] = [
      { name: 'random symmetric-ish', make: (rng) => () => [rng.between(5, 80), rng.between(5, 80)] },
      { name: 'slow uplink', make: (rng) => () => [rng.between(50, 400), rng.between(1, 15)] },
      { name: 'slow downlink', make: (rng) => () => [rng.between(1, 15), rng.between(50, 400)] },
      {
        name: 'jittery mobile, with spikes',
        make: (rng) => () => {
          const spike = () => (rng.next() < 0.2 ? rng.between(500, 3_000) : 0);
          return [rng.between(20, 120) + spike(), rng.between(20, 120) + spike()];
        },
      },
    ];

    for (const { name: skewName, skewMs } of skews) {
      for (const { name: delayName, make } of delays) {
        it(`TIME-8: ${skewName}, ${delayName}: the error is within the best round trip / 2`, () => {
          for (let seed = 1; seed <= 25; seed++) {
            const rng = createPrng(seed * 7_919 + Math.round(skewMs));
            const est = new ClockOffsetEstimator({ windowSize: 10 });
            feed(est, rng, skewMs, 10, make(rng));
            const rtt = est.bestRttMs;
            expect(rtt).not.toBeNull();
            const error = Math.abs(est.offsetMs - -skewMs);
            expect(error).toBeLessThanOrEqual((rtt ?? 0) / 2 + 1e-6);
          }
        });
      }
    }

    it('TIME-8: a one-way delay is the worst case: the error is exactly round trip / 2', () => {
      const est = new ClockOffsetEstimator();
      const { t0, serverNow, t1 } = ping(SERVER_START, -3 * MINUTE_MS, 120, 0);
      est.addSample(t0, serverNow, t1);
      expect(est.offsetMs - 3 * MINUTE_MS).toBe(60);
      expect(est.bestRttMs).toBe(120);
    });

    it('TIME-8: more samples never make the bound looser (best round trip only shrinks)', () => {
      const rng = createPrng(42);
      const est = new ClockOffsetEstimator({ windowSize: 1_000 });
      let previous = Number.POSITIVE_INFINITY;
      let at = SERVER_START;
      for (let i = 0; i < 200; i++) {
        const { t0, serverNow, t1 } = ping(at, 7 * MINUTE_MS, rng.between(5, 300), rng.between(5, 300));
        est.addSample(t0, serverNow, t1);
        const rtt = est.bestRttMs ?? Number.POSITIVE_INFINITY;
        expect(rtt).toBeLessThanOrEqual(previous);
        expect(Math.abs(est.offsetMs + 7 * MINUTE_MS)).toBeLessThanOrEqual(rtt / 2 + 1e-6);
        previous = rtt;
        at += 1_000;
      }
    });

    it('TIME-8: with whole-millisecond clocks (Date.now) the bound holds within 1.5 ms of rounding', () => {
      for (let seed = 100; seed < 150; seed++) {
        const rng = createPrng(seed);
        const est = new ClockOffsetEstimator();
        const skewMs = rng.between(-10 * MINUTE_MS, 10 * MINUTE_MS);
        let at = SERVER_START + rng.between(0, 1_000);
        for (let i = 0; i < 6; i++) {
          const p = ping(at, skewMs, rng.between(1, 200), rng.between(1, 200));
          est.addSample(Math.floor(p.t0), Math.floor(p.serverNow), Math.floor(p.t1));
          at += rng.between(100, 1_000);
        }
        const error = Math.abs(est.offsetMs + skewMs);
        // Flooring moves the estimate by < 1 ms and the measured round trip by < 1 ms.
        expect(error).toBeLessThanOrEqual((est.bestRttMs ?? 0) / 2 + 1.5);
      }
    });
  });
});

describe('serverNowFrom', () => {
  it('TIME-8: adds the offset to the local clock', () => {
    expect(serverNowFrom(1_000, 250)).toBe(1_250);
    expect(serverNowFrom(1_000, -7 * MINUTE_MS)).toBe(1_000 - 7 * MINUTE_MS);
  });

  it('TIME-8: turns a client clock 7 min fast back into server time, given the estimate', () => {
    const est = new ClockOffsetEstimator();
    const sentAt = SERVER_START;
    const { t0, serverNow, t1 } = ping(sentAt, 7 * MINUTE_MS, 30, 30);
    est.addSample(t0, serverNow, t1);
    const localLater = sentAt + 7 * MINUTE_MS + 5_000;
    expect(serverNowFrom(localLater, est.offsetMs)).toBe(sentAt + 5_000);
  });
});

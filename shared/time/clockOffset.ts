/**
 * Client clock offset to the server, estimated from `time:ping` samples (NTP-style, one hop).
 *
 * A sample is the client's clock when the ping left (`t0`), the server's clock in the ack
 * (`serverNow`) and the client's clock when the ack came back (`t1`). Assuming the server read
 * its clock half-way through the round trip gives `offset = serverNow - (t0 + t1) / 2`; however
 * the delay splits between the two directions, the error is at most half the round trip. So the
 * sample with the smallest round trip is the one to trust.
 *
 * Only the last `windowSize` samples compete, so that a jump of the local clock (sleep, NTP
 * correction) is forgotten after a few pings instead of being trusted for the whole session.
 */
export const DEFAULT_OFFSET_WINDOW = 8;

interface Sample {
  offsetMs: number;
  rttMs: number;
}

export class ClockOffsetEstimator {
  private readonly windowSize: number;
  private readonly recent: Sample[] = [];
  private accepted = 0;

  constructor(options: { windowSize?: number } = {}) {
    const size = options.windowSize ?? DEFAULT_OFFSET_WINDOW;
    if (!Number.isInteger(size) || size < 1) throw new RangeError('windowSize must be a positive integer');
    this.windowSize = size;
  }

  /**
   * Adds one ping sample (all three in epoch ms). Returns false, and ignores the sample, when it
   * cannot be right: a non-finite reading or an ack that came back before the ping left.
   */
  addSample(t0: number, serverNow: number, t1: number): boolean {
    if (!Number.isFinite(t0) || !Number.isFinite(serverNow) || !Number.isFinite(t1)) return false;
    if (t1 < t0) return false;
    this.recent.push({ offsetMs: serverNow - (t0 + t1) / 2, rttMs: t1 - t0 });
    if (this.recent.length > this.windowSize) this.recent.shift();
    this.accepted += 1;
    return true;
  }

  /** Server clock minus client clock, in ms; 0 until the first sample. */
  get offsetMs(): number {
    return this.best()?.offsetMs ?? 0;
  }

  /** Round trip of the sample the offset comes from; null until the first sample. */
  get bestRttMs(): number | null {
    return this.best()?.rttMs ?? null;
  }

  /** How many samples were accepted since the start (not only those still in the window). */
  get sampleCount(): number {
    return this.accepted;
  }

  /** The smallest round trip in the window; on a tie the newer sample wins. */
  private best(): Sample | null {
    let best: Sample | null = null;
    for (const s of this.recent) if (!best || s.rttMs <= best.rttMs) best = s;
    return best;
  }
}

/** The server's clock now, from the local clock and an estimated offset. */
export function serverNowFrom(localNow: number, offsetMs: number): number {
  return localNow + offsetMs;
}

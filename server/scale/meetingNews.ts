/**
 * "Meeting M is at version N" and "meeting M is gone" between the server processes of one
 * deployment (SCALE-16, SCALE-17), on the bus (bus.ts). A notice carries a version number only,
 * never content: the process that hears it reloads the meeting from storage, where the truth is.
 * A lost notice costs a late reload (the next command's transaction reloads under the row lock
 * anyway); after a gap in the bus every meeting a process holds is reloaded.
 */
import type { Bus } from './bus';

/**
 * A notice: the meeting's stored version, null when it is gone, or `presence` when a seat appeared
 * or disappeared on the sender (its counts are in Redis already: presence.ts).
 */
export type MeetingNotice = number | null | 'presence';

/** What the hub needs of the notices (tests and the single-process server pass none). */
export interface MeetingNews {
  /** Tells every other process: the meeting is stored at `version` now, gone, or its presence changed. */
  announce(meetingId: string, notice: MeetingNotice): void;
  /** Hears the meeting's notices from other processes until `unfollow`. */
  follow(meetingId: string, hear: (notice: MeetingNotice) => void): void;
  unfollow(meetingId: string): void;
  /** Called after the bus lost its connection and came back: notices may have been missed. */
  onGap(listener: () => void): void;
}

const topic = (meetingId: string) => `meeting:${meetingId}`;

/** A version as 8 bytes; 0 bytes: the meeting is gone; 1 byte: its presence changed. */
function encode(notice: MeetingNotice): Uint8Array {
  if (notice === null) return new Uint8Array(0);
  if (notice === 'presence') return new Uint8Array([1]);
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(notice));
  return bytes;
}

function decode(payload: Uint8Array): MeetingNotice | undefined {
  if (payload.length === 0) return null;
  if (payload.length === 1) return payload[0] === 1 ? 'presence' : undefined;
  if (payload.length !== 8) return undefined;
  return Number(Buffer.from(payload).readBigUInt64BE());
}

export function meetingNews(bus: Bus, onError: (error: unknown) => void): MeetingNews {
  const unsubscribes = new Map<string, Promise<() => void>>();
  return {
    announce(meetingId, notice) {
      // A notice Redis did not take is a gap for the others (they reload after theirs).
      bus.publish(topic(meetingId), encode(notice)).catch(onError);
    },
    follow(meetingId, hear) {
      if (unsubscribes.has(meetingId)) return;
      const subscribed = bus.subscribe(topic(meetingId), ({ payload, fromSelf }) => {
        if (fromSelf) return;
        const notice = decode(payload);
        if (notice !== undefined) hear(notice);
      });
      subscribed.catch(onError);
      unsubscribes.set(meetingId, subscribed);
    },
    unfollow(meetingId) {
      const subscribed = unsubscribes.get(meetingId);
      if (!subscribed) return;
      unsubscribes.delete(meetingId);
      subscribed.then((unsubscribe) => unsubscribe(), onError);
    },
    onGap(listener) {
      bus.onGap(listener);
    },
  };
}

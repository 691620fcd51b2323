/**
 * "Meeting M is at version N" and "meeting M is gone" between the server processes of one
 * deployment (SCALE-16, SCALE-17), on the bus (bus.ts). A notice carries a version number only,
 * never content: the process that hears it reloads the meeting from storage, where the truth is.
 * A lost notice costs a late reload (the next command's transaction reloads under the row lock
 * anyway); after a gap in the bus every meeting a process holds is reloaded.
 */
import type { Bus } from './bus';

/** What the hub needs of the notices (tests and the single-process server pass none). */
export interface MeetingNews {
  /** Tells every other process: the meeting is stored at `version` now, or (null) it is gone. */
  announce(meetingId: string, version: number | null): void;
  /** Hears the meeting's notices from other processes until `unfollow`. */
  follow(meetingId: string, hear: (version: number | null) => void): void;
  unfollow(meetingId: string): void;
  /** Called after the bus lost its connection and came back: notices may have been missed. */
  onGap(listener: () => void): void;
}

const topic = (meetingId: string) => `meeting:${meetingId}`;

/** A version as 8 bytes; a notice of 0 bytes says the meeting is gone. */
function encode(version: number | null): Uint8Array {
  if (version === null) return new Uint8Array(0);
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(version));
  return bytes;
}

function decode(payload: Uint8Array): number | null | undefined {
  if (payload.length === 0) return null;
  if (payload.length !== 8) return undefined;
  return Number(Buffer.from(payload).readBigUInt64BE());
}

export function meetingNews(bus: Bus, onError: (error: unknown) => void): MeetingNews {
  const unsubscribes = new Map<string, Promise<() => void>>();
  return {
    announce(meetingId, version) {
      // A notice Redis did not take is a gap for the others (they reload after theirs).
      bus.publish(topic(meetingId), encode(version)).catch(onError);
    },
    follow(meetingId, hear) {
      if (unsubscribes.has(meetingId)) return;
      const subscribed = bus.subscribe(topic(meetingId), ({ payload, fromSelf }) => {
        if (fromSelf) return;
        const version = decode(payload);
        if (version !== undefined) hear(version);
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

/** How the core tells the transport layer what changed; Socket.IO implements it. */
export interface Broadcaster {
  /** Send every connection of the meeting its role's snapshot. */
  meetingChanged(meetingId: string): void;
  /**
   * The meeting ended and was purged: tell every connection, then close them. `thisProcess`:
   * only this process's (another process purged it and told its own and everyone's already).
   */
  meetingEnded(meetingId: string, thisProcess?: boolean): void;
  /** A seat was removed: tell its connections, then close them. */
  seatRemoved(meetingId: string, seatId: string): void;
}

export const nullBroadcaster: Broadcaster = {
  meetingChanged: () => {},
  meetingEnded: () => {},
  seatRemoved: () => {},
};

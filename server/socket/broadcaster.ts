import type { Broadcaster } from '../core/broadcaster';
import type { MeetingHub } from '../core/hub';
import type { AppServer } from './types';

export const meetingRoom = (meetingId: string) => `m:${meetingId}`;
export const seatRoom = (meetingId: string, seatId: string) => `s:${meetingId}:${seatId}`;

/**
 * Closing waits until the command being handled has been acknowledged: the leader who ends the
 * meeting (or a co-leader who removes their own seat) must still get the ack for it.
 */
function afterAcks(fn: () => void): void {
  setImmediate(fn);
}

/**
 * Sends each connection the snapshot of its own seat's view. Views are computed once per seat,
 * not per socket, so a seat with two tabs costs one projection.
 *
 * With REDIS_URL, `io.to(room)` crosses every process through the adapter's Redis stream, which
 * Redis keeps (AOF, replicas). A view holds names and titles, so views are sent with
 * `io.local`: to this process's sockets only; every process builds its own sockets' views
 * (SCALE-12). Only content-free packets cross: `meeting:ended` (the meeting's id),
 * `seat:removed` (nothing) and the disconnection of a room's sockets (room names are ids).
 */
export function socketBroadcaster(io: AppServer, hub: MeetingHub): Broadcaster {
  return {
    meetingChanged(meetingId) {
      const sockets = io.of('/').adapter.rooms.get(meetingRoom(meetingId));
      if (!sockets) return;
      const seats = new Set<string>();
      for (const id of sockets) {
        const s = io.of('/').sockets.get(id);
        if (s) seats.add(s.data.seatId);
      }
      for (const seatId of seats) {
        const view = hub.view(meetingId, seatId);
        if (view) io.local.to(seatRoom(meetingId, seatId)).emit('meeting:state', view);
      }
    },
    meetingEnded(meetingId, thisProcess = false) {
      const sockets = thisProcess ? io.local : io;
      sockets.to(meetingRoom(meetingId)).emit('meeting:ended', { meetingId });
      afterAcks(() => sockets.in(meetingRoom(meetingId)).disconnectSockets(true));
    },
    seatRemoved(meetingId, seatId) {
      io.to(seatRoom(meetingId, seatId)).emit('seat:removed');
      afterAcks(() => io.in(seatRoom(meetingId, seatId)).disconnectSockets(true));
    },
  };
}

/**
 * One seat flooding its meeting with every connection the caps allow (4 Socket.IO, 4 board):
 * bursts of note:add and time:ping on each socket and sync messages on each board, reconnecting
 * as soon as the server closes a connection or refuses one (it blocks the seat after a while:
 * the refusals are part of the load). Runs until stopped; counts what it sent and got back.
 */
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { BOARD_PATH, BOARD_SUBPROTOCOL, PROTOCOL_VERSION } from '../../shared/protocol';
import type { PreparedMeeting } from './types';

const SOCKETS = 4;
const BOARDS = 4;
/** Events per burst and connection; a burst every tick of the flooder's event loop. */
const BURST = 20;
const RECONNECT_MS = 20;
/** A burst every this long on each open connection. */
const BURST_EVERY_MS = 1;
/** The flooder's own source address: one attacker at one address, not the measuring clients'. */
const FLOOD_ADDRESS = '127.0.0.21';
/** A sync step 1 with an empty state vector: the cheapest frame that makes the server work. */
const STEP1 = new Uint8Array([0, 0, 1, 0]);

export interface FloodCounts {
  events: number;
  frames: number;
  rateLimited: number;
  connects: number;
  refusedConnects: number;
}

export function startFlood(serverUrl: string, meeting: PreparedMeeting): { stop(): FloodCounts } {
  const seat = meeting.seats[1];
  if (!seat) throw new Error('the flood needs a participant seat');
  const counts: FloodCounts = { events: 0, frames: 0, rateLimited: 0, connects: 0, refusedConnects: 0 };
  let stopped = false;
  const sockets = new Set<Socket>();
  const boards = new Set<WebSocket>();
  let text = 0;

  function openSocket(): void {
    if (stopped) return;
    const socket = io(serverUrl, {
      auth: { token: seat!.token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      localAddress: FLOOD_ADDRESS,
    } as Parameters<typeof io>[1]);
    sockets.add(socket);
    const again = () => {
      sockets.delete(socket);
      socket.removeAllListeners();
      socket.close();
      setTimeout(openSocket, RECONNECT_MS);
    };
    socket.on('connect', () => {
      counts.connects++;
      const burst = () => {
        if (stopped || !socket.connected) return;
        for (let i = 0; i < BURST; i++) {
          counts.events++;
          const ack = (r: unknown) => {
            if (
              typeof r === 'object' &&
              r &&
              (r as { error?: { code?: string } }).error?.code === 'rate-limited'
            )
              counts.rateLimited++;
          };
          if (i % 2 === 0) socket.emit('time:ping', ack);
          else
            socket.emit(
              'note:add',
              { secret: 'f'.repeat(31) + (text % 10), kind: 'feeling', text: `flood ${text++}` },
              ack,
            );
        }
        setTimeout(burst, BURST_EVERY_MS);
      };
      burst();
    });
    socket.on('connect_error', () => {
      counts.refusedConnects++;
      again();
    });
    socket.on('disconnect', again);
  }

  function openBoard(): void {
    if (stopped) return;
    const url = `${serverUrl.replace(/^http/, 'ws')}${BOARD_PATH}/${meeting.meetingId}/${meeting.caseIndex}`;
    const ws = new WebSocket(url, [BOARD_SUBPROTOCOL, seat!.token], { localAddress: FLOOD_ADDRESS });
    boards.add(ws);
    ws.on('error', () => {});
    ws.on('open', () => {
      counts.connects++;
      const burst = () => {
        if (stopped || ws.readyState !== WebSocket.OPEN) return;
        for (let i = 0; i < BURST; i++) {
          counts.frames++;
          ws.send(STEP1);
        }
        setTimeout(burst, BURST_EVERY_MS);
      };
      burst();
    });
    ws.on('close', (code) => {
      if (code === 4429) counts.refusedConnects++;
      boards.delete(ws);
      setTimeout(openBoard, RECONNECT_MS);
    });
  }

  for (let i = 0; i < SOCKETS; i++) openSocket();
  for (let i = 0; i < BOARDS; i++) openBoard();
  return {
    stop() {
      stopped = true;
      for (const s of sockets) {
        s.removeAllListeners();
        s.close();
      }
      for (const b of boards) {
        b.removeAllListeners();
        b.on('error', () => {});
        b.terminate();
      }
      return counts;
    },
  };
}

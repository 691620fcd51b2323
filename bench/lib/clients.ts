/**
 * The load generator's clients: a stock `socket.io-client` and a stock y-websocket
 * `WebsocketProvider` per seat, as a browser would open them (token in the handshake `auth` and
 * in the WebSocket subprotocol list), optionally bound to a source address 127.0.0.x.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Result } from '../../shared/errors';
import type { MeetingCommand } from '../../shared/meeting/commands';
import type { MeetingView } from '../../shared/meeting/view';
import {
  BOARD_PATH,
  BOARD_SUBPROTOCOL,
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../../shared/protocol';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Bounds every wait, so that nothing in the benchmark can hang. */
export const CONNECT_TIMEOUT_MS = 20_000;
export const ACK_TIMEOUT_MS = 10_000;

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Connects a seat's meeting connection; resolves with the socket and its first snapshot. */
export function connectSeat(
  baseUrl: string,
  token: string,
  localAddress?: string,
): Promise<{ socket: ClientSocket; view: MeetingView }> {
  const socket: ClientSocket = io(baseUrl, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
    auth: { token, protocolVersion: PROTOCOL_VERSION },
    ...(localAddress ? { localAddress } : {}),
  });
  return withTimeout(
    new Promise<{ socket: ClientSocket; view: MeetingView }>((resolve, reject) => {
      socket.once('meeting:state', (view) => resolve({ socket, view }));
      socket.once('connect_error', (error) => reject(new Error(`connect: ${error.message}`)));
    }),
    CONNECT_TIMEOUT_MS,
    'socket.io connect',
  ).catch((error: unknown) => {
    socket.close();
    throw error;
  });
}

export function sendCommand(socket: ClientSocket, command: MeetingCommand): Promise<Result> {
  return withTimeout(
    new Promise<Result>((resolve) =>
      socket.emit('meeting:command', { commandId: randomBytes(12).toString('hex'), command }, resolve),
    ),
    ACK_TIMEOUT_MS,
    `meeting:command ${command.type}`,
  );
}

/** `ws` with a fixed source address, in the shape y-websocket expects of a WebSocket class. */
function webSocketClass(localAddress?: string): typeof globalThis.WebSocket {
  if (!localAddress) return WebSocket as unknown as typeof globalThis.WebSocket;
  class BoundWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { localAddress });
    }
  }
  return BoundWebSocket as unknown as typeof globalThis.WebSocket;
}

export interface BoardClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  destroy(): void;
}

/**
 * Opens a y-websocket provider on `serverUrl/roomName`, resolves once synced. Rejects when the
 * server closes the connection for good (44xx) or it does not sync in time.
 */
export function openBoard(
  serverUrl: string,
  roomName: string,
  protocols: string[],
  localAddress?: string,
): Promise<BoardClient> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(serverUrl, roomName, doc, {
    protocols,
    disableBc: true,
    WebSocketPolyfill: webSocketClass(localAddress),
    // Reconnects would hide a failure; the caller counts closes as errors instead.
    maxBackoffTime: 60_000,
  });
  // Like the real client: awareness carries nothing.
  provider.awareness.setLocalState(null);
  const destroy = () => {
    provider.destroy();
    provider.awareness.destroy();
    doc.destroy();
  };
  return withTimeout(
    new Promise<BoardClient>((resolve, reject) => {
      if (provider.synced) resolve({ doc, provider, destroy });
      provider.on('sync', (synced: boolean) => {
        if (synced) resolve({ doc, provider, destroy });
      });
      // The stock client would retry; for the benchmark a connection that fails is an error.
      provider.on('connection-close', (event: { code: number; reason: string } | null) =>
        reject(new Error(`board closed before sync: ${event?.code ?? 'locally'} ${event?.reason ?? ''}`)),
      );
    }),
    CONNECT_TIMEOUT_MS,
    'board sync',
  ).catch((error: unknown) => {
    destroy();
    throw error;
  });
}

/** The real server's board: `/board/<meetingId>/<caseIndex>`, the seat token in the protocols. */
export function openMeetingBoard(
  baseUrl: string,
  meetingId: string,
  caseIndex: number,
  token: string,
  localAddress?: string,
): Promise<BoardClient> {
  const wsBase = baseUrl.replace(/^http/, 'ws');
  return openBoard(
    `${wsBase}${BOARD_PATH}/${meetingId}`,
    String(caseIndex),
    [BOARD_SUBPROTOCOL, token],
    localAddress,
  );
}

/**
 * Watches Yjs updates for note markers: a note's text travels as UTF-8 inside the update, so
 * finding its marker there needs no knowledge of the document's shape.
 */
export function containsMarker(update: Uint8Array, marker: Buffer): boolean {
  return Buffer.from(update.buffer, update.byteOffset, update.byteLength).indexOf(marker) >= 0;
}

/** A note text of a realistic length with a unique marker at its start. */
export function noteText(marker: string, length = 80): string {
  const filler = ' the doctor seems tired of being the only one who cares about this patient';
  return (marker + filler.repeat(Math.ceil(length / filler.length))).slice(
    0,
    Math.max(length, marker.length),
  );
}

export function newSecret(): string {
  return randomBytes(16).toString('hex');
}

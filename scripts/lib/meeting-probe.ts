/**
 * A meeting through the real wire, for the production and image checks (scripts/test-prod.ts,
 * scripts/test-image.ts): REST to create and join, socket.io-client for commands and a note,
 * y-websocket to read the board back. Every wait is bounded; nothing sleeps.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { readBoard } from '../../shared/board/schema';
import { BOARD_PATH, BOARD_SUBPROTOCOL, PROTOCOL_VERSION } from '../../shared/protocol';

const WAIT_MS = 10_000;

export interface ProbeMeeting {
  meetingId: string;
  leaderToken: string;
  noteText: string;
}

function within<T>(
  what: string,
  body: (resolve: (v: T) => void, reject: (e: Error) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
    body(
      (v) => {
        clearTimeout(guard);
        resolve(v);
      },
      (e) => {
        clearTimeout(guard);
        reject(e);
      },
    );
  });
}

async function post<T>(url: string, route: string, body: unknown): Promise<T> {
  const res = await fetch(`${url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${route} answered ${res.status}`);
  return (await res.json()) as T;
}

interface View {
  meetingId: string;
  phases: { id: string; kind: string }[];
}

/** A connected socket and its first snapshot. */
export async function openSocket(url: string, token: string): Promise<{ socket: Socket; view: View }> {
  const socket = io(url, {
    auth: { token, protocolVersion: PROTOCOL_VERSION },
    transports: ['websocket'],
    reconnection: false,
  });
  const view = await within<View>('a first snapshot', (resolve, reject) => {
    socket.once('meeting:state', resolve);
    socket.once('connect_error', (e) => reject(new Error(`connect_error: ${e.message}`)));
  });
  return { socket, view };
}

async function ack(socket: Socket, event: string, payload: unknown): Promise<{ ok: boolean }> {
  return (await socket.timeout(WAIT_MS).emitWithAck(event, payload)) as { ok: boolean };
}

/** Creates a meeting, opens its speculation phase and releases a batch of three notes. */
export async function meetingWithNote(url: string): Promise<ProbeMeeting> {
  const created = await post<{ meetingId: string; leaderLink: string; joinCode: string }>(
    url,
    '/api/meetings',
    {
      templateId: 'step-back-30',
      leaderName: 'Lea',
    },
  );
  const leaderToken = new URLSearchParams(new URL(created.leaderLink).hash.slice(1)).get('t') ?? '';
  const member = await post<{ token: string }>(url, '/api/join', { code: created.joinCode, name: 'Mara' });
  const leader = await openSocket(url, leaderToken);
  const author = await openSocket(url, member.token);
  try {
    const command = (c: unknown) =>
      ack(leader.socket, 'meeting:command', { commandId: randomUUID(), command: c });
    if (!(await command({ type: 'meeting:start' })).ok) throw new Error('meeting:start refused');
    const speculation = leader.view.phases.find((p) => p.kind === 'speculation');
    if (!(await command({ type: 'phase:jump', phaseId: speculation?.id ?? '' })).ok)
      throw new Error('jump refused');
    const noteText = `a note that must survive ${randomBytes(4).toString('hex')}`;
    // A leader's release sends a batch of three or more (SPEC REL-4): the note and two more.
    for (const text of [noteText, 'a second note', 'a third note']) {
      const secret = randomBytes(16).toString('hex');
      if (!(await ack(author.socket, 'note:add', { secret, kind: 'feeling', text })).ok) {
        throw new Error('note:add refused');
      }
    }
    // Released now, not after the batch's random delay.
    if (!(await ack(leader.socket, 'board:release', {})).ok) throw new Error('board:release refused');
    return { meetingId: created.meetingId, leaderToken, noteText };
  } finally {
    leader.socket.disconnect();
    author.socket.disconnect();
  }
}

/** Connects as the leader and reads the board: the meeting and its note are back. */
export async function meetingAndNoteAreBack(url: string, m: ProbeMeeting): Promise<void> {
  const leader = await openSocket(url, m.leaderToken);
  leader.socket.disconnect();
  if (leader.view.meetingId !== m.meetingId) throw new Error('the leader token opened another meeting');
  const doc = new Y.Doc();
  const wsUrl = `${url.replace(/^http/, 'ws')}${BOARD_PATH}`;
  const provider = new WebsocketProvider(wsUrl, `${m.meetingId}/0`, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    protocols: [BOARD_SUBPROTOCOL, m.leaderToken],
  });
  try {
    await within<void>('the note on the board', (resolve) => {
      const check = () => {
        if (readBoard(doc).notes.some((n) => n.text === m.noteText)) resolve();
      };
      doc.on('update', check);
      check();
    });
  } finally {
    provider.awareness.destroy();
    provider.destroy();
    doc.destroy();
  }
}

/** BUILD-4: the running server offers its own source as a gzip archive. */
export async function sourceIsOffered(url: string): Promise<number> {
  const res = await fetch(`${url}/source.tar.gz`);
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`/source.tar.gz answered ${res.status}`);
  // A gzip stream starts with 1f 8b; the SPA fallback would have sent HTML.
  if (body[0] !== 0x1f || body[1] !== 0x8b) throw new Error('/source.tar.gz is not a gzip archive');
  return body.length;
}

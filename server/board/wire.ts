import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { awarenessTextProblem, MAX_AWARENESS_ENTRIES } from './awarenessCheck';

/**
 * The y-websocket wire format, as a closed union. Every incoming frame is decoded whole before
 * anything acts on it; a frame that does not decode, or has bytes left over, is malformed.
 */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
export const SYNC_STEP_1 = 0;
export const SYNC_STEP_2 = 1;
export const SYNC_UPDATE = 2;

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** null means "this client left". */
  state: unknown;
}

export type BoardMessage =
  | { type: 'sync-step-1'; stateVector: Uint8Array }
  | { type: 'sync-step-2'; update: Uint8Array }
  | { type: 'sync-update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array; entries: AwarenessEntry[] }
  | { type: 'query-awareness' };

export type ParseResult = { ok: true; message: BoardMessage } | { ok: false; reason: string };

/** Decodes one frame from a client. Never throws. */
export function parseBoardMessage(data: Uint8Array): ParseResult {
  try {
    const decoder = decoding.createDecoder(data);
    const message = readMessage(decoder);
    if (decoding.hasContent(decoder)) return { ok: false, reason: 'trailing bytes' };
    return { ok: true, message };
  } catch (error) {
    return {
      ok: false,
      reason: error instanceof Error && error.message ? error.message : 'malformed message',
    };
  }
}

function readMessage(decoder: decoding.Decoder): BoardMessage {
  const type = decoding.readVarUint(decoder);
  switch (type) {
    case MESSAGE_SYNC: {
      const step = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (step === SYNC_STEP_1) {
        Y.decodeStateVector(payload); // throws when malformed
        return { type: 'sync-step-1', stateVector: payload };
      }
      if (step === SYNC_STEP_2 || step === SYNC_UPDATE) {
        Y.decodeUpdate(payload); // reads every struct and the delete set; throws when malformed
        return { type: step === SYNC_STEP_2 ? 'sync-step-2' : 'sync-update', update: payload };
      }
      throw new Error('unknown sync step');
    }
    case MESSAGE_AWARENESS: {
      const update = decoding.readVarUint8Array(decoder);
      return { type: 'awareness', update, entries: readAwarenessUpdate(update) };
    }
    case MESSAGE_QUERY_AWARENESS:
      return { type: 'query-awareness' };
    case MESSAGE_AUTH:
      // Only servers send auth messages (permission denied); from a client it is nonsense.
      throw new Error('auth messages are server to client');
    default:
      throw new Error('unknown message type');
  }
}

function readAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  if (count > MAX_AWARENESS_ENTRIES) throw new Error(`over ${MAX_AWARENESS_ENTRIES} awareness entries`);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const json = decoding.readVarString(decoder);
    // WIRE-5: bounded before it is parsed or ever re-encoded.
    const problem = awarenessTextProblem(json);
    if (problem) throw new Error(problem);
    const state: unknown = JSON.parse(json);
    entries.push({ clientId, clock, state });
  }
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes in awareness update');
  return entries;
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export function syncStep1Frame(doc: Y.Doc): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_STEP_1);
    encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  });
}

export function syncStep2Frame(doc: Y.Doc, stateVector?: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_STEP_2);
    encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc, stateVector));
  });
}

export function updateFrame(update: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_UPDATE);
    encoding.writeVarUint8Array(e, update);
  });
}

export function awarenessFrame(awarenessUpdate: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(e, awarenessUpdate);
  });
}

/**
 * The keep-alive: an awareness update with no entries. A stock client applies it as a no-op (no
 * state changes, no events, no reply) but counts it as "heard from the server", so it never
 * reconnects on its own. It carries no identity.
 */
export const KEEP_ALIVE_FRAME: Uint8Array = awarenessFrame(frame((e) => encoding.writeVarUint(e, 0)));

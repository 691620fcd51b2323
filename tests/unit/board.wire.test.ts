import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
  KEEP_ALIVE_FRAME,
  MESSAGE_AWARENESS,
  parseBoardMessage,
  syncStep1Frame,
  syncStep2Frame,
  updateFrame,
} from '../../server/board/wire';
import { malformedFrames } from '../helpers/board-frames';

function bytes(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

const docWithText = () => {
  const doc = new Y.Doc();
  doc.getMap('notes').set('a', 1);
  return doc;
};

/** Well-formed frames of every type a stock client sends. */
function validFrames(): [string, Uint8Array][] {
  const doc = docWithText();
  const awareness = new awarenessProtocol.Awareness(doc);
  awareness.setLocalState({ user: 'x' });
  const aw = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
  awareness.destroy();
  return [
    ['sync step 1', syncStep1Frame(doc)],
    ['sync step 2', syncStep2Frame(doc)],
    ['update', updateFrame(Y.encodeStateAsUpdate(doc))],
    [
      'awareness',
      bytes((e) => (encoding.writeVarUint(e, MESSAGE_AWARENESS), encoding.writeVarUint8Array(e, aw))),
    ],
    ['query awareness', bytes((e) => encoding.writeVarUint(e, 3))],
  ];
}

describe('y-websocket wire format (BOARD-4, BOARD-6)', () => {
  it('decodes every message type a stock client sends', () => {
    const types = validFrames().map(([what, frame]) => {
      const parsed = parseBoardMessage(frame);
      expect(parsed.ok, what).toBe(true);
      return parsed.ok ? parsed.message.type : null;
    });
    expect(types).toEqual(['sync-step-1', 'sync-step-2', 'sync-update', 'awareness', 'query-awareness']);
  });

  it('refuses malformed frames of every type, without throwing', () => {
    for (const [what, frame] of malformedFrames()) {
      expect(parseBoardMessage(frame).ok, what).toBe(false);
    }
  });

  it('the keep-alive is an awareness update with no entries: a stock client applies it as a no-op', () => {
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    const events: unknown[] = [];
    awareness.on('change', (e: unknown) => events.push(e));
    awareness.on('update', (e: unknown) => events.push(e));
    const decoder = decoding.createDecoder(KEEP_ALIVE_FRAME);
    expect(decoding.readVarUint(decoder)).toBe(MESSAGE_AWARENESS);
    awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(decoder), 'server');
    expect(events).toEqual([]);
    expect([...awareness.getStates().keys()]).toEqual([doc.clientID]);
    awareness.destroy();
    expect(KEEP_ALIVE_FRAME).toEqual(new Uint8Array([1, 1, 0]));
  });
});

/** Malformed y-websocket frames of every message type, for unit and integration tests. */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { syncStep1Frame } from '../../server/board/wire';

function bytes(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

/** Malformed frames of every message type (and of none). */
export function malformedFrames(): [string, Uint8Array][] {
  const update = Y.encodeStateAsUpdate(
    (() => {
      const doc = new Y.Doc();
      doc.getMap('notes').set('a', 1);
      return doc;
    })(),
  );
  const truncate = (b: Uint8Array) => b.slice(0, b.length - 2);
  return [
    ['empty', new Uint8Array([])],
    ['unknown type', new Uint8Array([9])],
    ['huge type', new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 1])],
    ['sync without step', new Uint8Array([0])],
    ['unknown sync step', new Uint8Array([0, 7, 0])],
    ['step 1, length past the end', new Uint8Array([0, 0, 50, 1, 2])],
    ['step 1, garbage vector', new Uint8Array([0, 0, 3, 5, 1, 255])],
    [
      'step 2, truncated update',
      bytes(
        (e) => (
          encoding.writeVarUint(e, 0),
          encoding.writeVarUint(e, 1),
          encoding.writeVarUint8Array(e, truncate(update))
        ),
      ),
    ],
    ['update, garbage', new Uint8Array([0, 2, 4, 3, 1, 250, 250])],
    ['update, unknown content ref', new Uint8Array([0, 2, 7, 1, 1, 1, 0, 31, 0, 0])],
    [
      'trailing bytes',
      (() => {
        const f = syncStep1Frame(new Y.Doc());
        const out = new Uint8Array(f.length + 1);
        out.set(f);
        return out;
      })(),
    ],
    ['awareness, truncated', new Uint8Array([1, 5, 1, 1])],
    [
      'awareness, bad JSON',
      bytes((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint8Array(
          e,
          bytes(
            (a) => (
              encoding.writeVarUint(a, 1),
              encoding.writeVarUint(a, 7),
              encoding.writeVarUint(a, 1),
              encoding.writeVarString(a, '{nope')
            ),
          ),
        );
      }),
    ],
    [
      'auth from a client',
      bytes(
        (e) => (encoding.writeVarUint(e, 2), encoding.writeVarUint(e, 0), encoding.writeVarString(e, 'x')),
      ),
    ],
    ['query awareness with a payload', new Uint8Array([3, 1])],
  ];
}

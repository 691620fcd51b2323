/**
 * Baseline for note fan-out: a bare y-protocols relay. `ws` plus the sync protocol, one Yjs
 * document per room path, every update relayed to the room's other connections. No auth, no
 * storage, no rules. Prints {"listening": port} on stdout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type WebSocket } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MAX_PAYLOAD_BYTES = 1024 * 1024;

interface Room {
  doc: Y.Doc;
  conns: Set<WebSocket>;
}

const rooms = new Map<string, Room>();

function room(name: string): Room {
  let r = rooms.get(name);
  if (r) return r;
  const created: Room = { doc: new Y.Doc({ gc: true }), conns: new Set() };
  created.doc.on('update', (update: Uint8Array, origin: unknown) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    const message = encoding.toUint8Array(encoder);
    for (const conn of created.conns) if (conn !== origin) conn.send(message);
  });
  rooms.set(name, created);
  r = created;
  return r;
}

const http = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server: http, maxPayload: MAX_PAYLOAD_BYTES });

wss.on('connection', (ws, req) => {
  const r = room(req.url ?? '/');
  r.conns.add(ws);
  ws.on('message', (data: Buffer) => {
    const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_SYNC) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.readSyncMessage(decoder, encoder, r.doc, ws);
      if (encoding.length(encoder) > 1) ws.send(encoding.toUint8Array(encoder));
    } else if (type === MESSAGE_AWARENESS) {
      for (const conn of r.conns) if (conn !== ws) conn.send(data);
    }
  });
  ws.on('close', () => r.conns.delete(ws));
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, r.doc);
  ws.send(encoding.toUint8Array(encoder));
});

http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: (http.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));

/**
 * Baseline for phase changes: a bare Socket.IO server. Clients join one room; one of them sends
 * `cmd` and the server acknowledges it and broadcasts a snapshot-sized `state` to the room. No
 * auth, no storage, no rules. Prints {"listening": port} on stdout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const ROOM = 'bench';
const MAX_BUFFER_BYTES = 64 * 1024;

const http = createServer();
const io = new Server(http, { serveClient: false, maxHttpBufferSize: MAX_BUFFER_BYTES });
/** The snapshot to broadcast: a real meeting view the load generator sends once. */
let snapshot: Record<string, unknown> = {};

io.on('connection', (socket) => {
  void socket.join(ROOM);
  socket.on('snapshot', (template: Record<string, unknown>, ack: (ok: boolean) => void) => {
    snapshot = template;
    ack(true);
  });
  socket.on('cmd', (seq: number, ack: (ok: boolean) => void) => {
    // Like the real server: broadcast, then acknowledge.
    io.to(ROOM).emit('state', { ...snapshot, seq, serverNow: Date.now() });
    ack(true);
  });
});

http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: (http.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));

/**
 * A peer that opens a WebSocket (Socket.IO's engine, the upgrade done by hand) and then never
 * answers anything, its close frame included: a drain must cut it, not wait for it.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export function silentPeer(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n' +
          `Host: ${hostname}:${port}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`));
      // From here on it reads into nothing and writes nothing, not even the answer to a close.
      socket.on('data', () => undefined);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

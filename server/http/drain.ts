import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A drain closes WebSockets politely and waits for each peer's close frame; `ws` waits up to
 * 30 s for a peer that never answers. A stop (SIGTERM from a service manager or a container
 * runtime) must not hang on one silent phone, so whatever is still open after the grace is cut.
 */
export const DRAIN_GRACE_MS = 1_000;

/** Remembers every TCP connection (upgraded ones included) so that a drain can cut them. */
export function trackConnections(http: HttpServer): { cutAfter(ms: number): () => void } {
  const open = new Set<Socket>();
  http.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return {
    cutAfter(ms) {
      const timer = setTimeout(() => {
        for (const socket of open) socket.destroy();
      }, ms);
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}

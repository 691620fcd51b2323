/** The load generator's side of the two bare baselines (bench/bare-*.ts). */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import {
  ACK_TIMEOUT_MS,
  CONNECT_TIMEOUT_MS,
  containsMarker,
  noteText,
  openBoard,
  withTimeout,
  type BoardClient,
} from './clients';

interface Pending {
  t0: number;
  waiting: Set<number>;
  done: (ms: number) => void;
}

function settle(pending: Pending, timeoutMs: number, what: string): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve) => {
      pending.done = resolve;
    }),
    timeoutMs,
    what,
  );
}

function arrived(pending: Pending | null, index: number): void {
  if (!pending?.waiting.has(index)) return;
  pending.waiting.delete(index);
  if (pending.waiting.size === 0) pending.done(performance.now() - pending.t0);
}

/** `clients` providers in one room of the bare relay; one writes, the others receive. */
export class BareYjsRoom {
  private pending: { marker: Buffer; p: Pending } | null = null;
  /** Text length that makes the sender's update `targetBytes` long; found by calibrate(). */
  private textLength = 80;
  lastUpdateBytes = 0;

  private constructor(private clients: BoardClient[]) {
    clients.forEach((c, index) =>
      c.doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === null || origin === undefined) {
          // A local write: the sender's own update, as it goes on the wire.
          this.lastUpdateBytes = update.byteLength;
          return;
        }
        if (this.pending && containsMarker(update, this.pending.marker)) arrived(this.pending.p, index);
      }),
    );
  }

  static async open(relayUrl: string, room: string, clients: number): Promise<BareYjsRoom> {
    const opened = await Promise.all(Array.from({ length: clients }, () => openBoard(relayUrl, room, [])));
    return new BareYjsRoom(opened);
  }

  private write(senderIndex: number, marker: string): void {
    const sender = this.clients[senderIndex];
    if (!sender) throw new Error('no such client');
    sender.doc
      .getMap<string>('notes')
      .set(randomBytes(12).toString('base64url'), noteText(marker, this.textLength));
  }

  /** Adjusts the note length until one note's update is `targetBytes` long (or as near as it gets). */
  async calibrate(targetBytes: number, markerOf: (i: number) => string): Promise<void> {
    for (let i = 0; i < 4; i++) {
      await this.send(0, markerOf(i), ACK_TIMEOUT_MS);
      const diff = targetBytes - this.lastUpdateBytes;
      if (diff === 0) return;
      this.textLength = Math.max(24, this.textLength + diff);
    }
  }

  async send(senderIndex: number, marker: string, timeoutMs: number): Promise<number> {
    const p: Pending = {
      t0: performance.now(),
      waiting: new Set(this.clients.map((_, i) => i).filter((i) => i !== senderIndex)),
      done: () => {},
    };
    this.pending = { marker: Buffer.from(marker, 'utf8'), p };
    const delivered = settle(p, timeoutMs, 'bare relay fan-out');
    this.write(senderIndex, marker);
    try {
      return await delivered;
    } finally {
      this.pending = null;
    }
  }

  close(): void {
    for (const c of this.clients) c.destroy();
  }
}

/** `clients` Socket.IO clients in the bare server's room; the first one sends `cmd`. */
export class BareSocketRoom {
  private pending: { seq: number; p: Pending } | null = null;
  private seq = 0;

  private constructor(private sockets: Socket[]) {
    sockets.forEach((socket, index) =>
      socket.on('state', (state: { seq: number }) => {
        if (this.pending && state.seq === this.pending.seq) arrived(this.pending.p, index);
      }),
    );
  }

  static async open(url: string, clients: number, snapshot: object): Promise<BareSocketRoom> {
    const sockets = await Promise.all(
      Array.from({ length: clients }, () => {
        const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
        return withTimeout(
          new Promise<Socket>((resolve, reject) => {
            socket.once('connect', () => resolve(socket));
            socket.once('connect_error', reject);
          }),
          CONNECT_TIMEOUT_MS,
          'bare socket.io connect',
        );
      }),
    );
    const first = sockets[0];
    if (!first) throw new Error('no clients');
    await withTimeout(
      new Promise((resolve) => first.emit('snapshot', snapshot, resolve)),
      ACK_TIMEOUT_MS,
      'bare snapshot',
    );
    return new BareSocketRoom(sockets);
  }

  async broadcast(timeoutMs: number): Promise<number> {
    const sender = this.sockets[0];
    if (!sender) throw new Error('no clients');
    const seq = ++this.seq;
    const p: Pending = {
      t0: performance.now(),
      waiting: new Set(this.sockets.map((_, i) => i)),
      done: () => {},
    };
    this.pending = { seq, p };
    const delivered = settle(p, timeoutMs, 'bare socket.io broadcast');
    const acked = withTimeout(
      new Promise((resolve) => sender.emit('cmd', seq, resolve)),
      ACK_TIMEOUT_MS,
      'bare cmd ack',
    );
    try {
      const [ms] = await Promise.all([delivered, acked]);
      return ms;
    } finally {
      this.pending = null;
    }
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}

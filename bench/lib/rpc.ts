import type { ChildProcess } from 'node:child_process';

/**
 * Request/response over a child's IPC channel: the parent calls `op` with JSON arguments, the
 * child answers once. Every call has a time limit, so a stuck child fails a part instead of
 * hanging the run.
 */
interface Request {
  rpc: number;
  op: string;
  args: unknown;
}
type Reply = { rpc: number; ok: true; value: unknown } | { rpc: number; ok: false; error: string };

export class RpcClient {
  private nextId = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    private child: ChildProcess,
    private name: string,
  ) {
    child.on('message', (message: unknown) => {
      const reply = message as Partial<Reply>;
      if (typeof reply?.rpc !== 'number') return;
      const w = this.waiting.get(reply.rpc);
      if (!w) return;
      this.waiting.delete(reply.rpc);
      if (reply.ok) w.resolve((reply as { value: unknown }).value);
      else w.reject(new Error(`${this.name}: ${(reply as { error: string }).error}`));
    });
    child.on('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`${name} exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  call<T>(op: string, args: unknown, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: '${op}' took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      const request: Request = { rpc: id, op, args };
      if (!this.child.connected) {
        this.waiting.delete(id);
        clearTimeout(timer);
        reject(new Error(`${this.name}: not connected`));
        return;
      }
      this.child.send(request);
    });
  }
}

type Handler = (args: never) => unknown;

/** The child side: answers each request with its handler's (awaited) value or error. */
export function serveRpc(handlers: Record<string, Handler>): void {
  process.on('message', (message: unknown) => {
    const req = message as Partial<Request>;
    if (typeof req?.rpc !== 'number' || typeof req.op !== 'string') return;
    const id = req.rpc;
    const handler = handlers[req.op];
    const send = (reply: Reply) => {
      if (process.connected) process.send?.(reply);
    };
    if (!handler) {
      send({ rpc: id, ok: false, error: `unknown op '${req.op}'` });
      return;
    }
    Promise.resolve()
      .then(() => handler(req.args as never))
      .then(
        (value) => send({ rpc: id, ok: true, value }),
        (error: unknown) =>
          send({ rpc: id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  // A child whose parent went away ends too, so no load generator outlives the run.
  process.on('disconnect', () => process.exit(0));
}

/**
 * The engines of several server processes, for real (tests/helpers/services.ts): PostgreSQL keeps
 * what it committed across a fast and an immediate stop, Redis keeps a write across a kill (AOF),
 * and docs/haproxy.cfg keeps one client on one backend, passes its WebSocket upgrade and leaves out
 * a backend that fails /healthz (SCALE-1).
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { pollUntilAsync } from '../helpers/poll';
import { startHaproxy, startPostgres, startRedis } from '../helpers/services';

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('PostgreSQL for the tests', () => {
  it('serves queries with fsync and synchronous commit on, and keeps its data across a fast and an immediate stop', async () => {
    const db = await startPostgres();
    const settings = await query<{ name: string; setting: string }>(
      db.url,
      "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit') ORDER BY name",
    );
    expect(settings).toEqual([
      { name: 'fsync', setting: 'on' },
      { name: 'synchronous_commit', setting: 'on' },
    ]);
    await query(db.url, 'CREATE TABLE kept (id INTEGER PRIMARY KEY, label TEXT NOT NULL)');
    await query(db.url, 'INSERT INTO kept VALUES (1, $1)', ['before a fast stop']);

    await db.stop({ mode: 'fast' });
    expect(db.running()).toBe(false);
    await expect(query(db.url, 'SELECT 1')).rejects.toThrow();
    await db.start();
    await query(db.url, 'INSERT INTO kept VALUES (2, $1)', ['before an immediate stop']);

    // Immediate: no shutdown checkpoint; the next start replays the WAL.
    await db.stop({ mode: 'immediate' });
    await db.start();
    expect(db.output()).toMatch(/not properly shut down|automatic recovery/);
    const rows = await query<{ id: number; label: string }>(db.url, 'SELECT id, label FROM kept ORDER BY id');
    expect(rows).toEqual([
      { id: 1, label: 'before a fast stop' },
      { id: 2, label: 'before an immediate stop' },
    ]);
    expect(readdirSync(path.join(db.dataDir, 'pg_wal')).some((f) => /^[0-9A-F]{24}$/.test(f))).toBe(true);

    const other = await db.createDatabase('second');
    expect(await query<{ db: string }>(other, 'SELECT current_database() AS db')).toEqual([{ db: 'second' }]);
  });
});

describe('Redis for the tests', () => {
  it('keeps an acknowledged write across a kill (AOF) and writes its files in its folder', async () => {
    const redis = await startRedis();
    const connect = () => {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
      onTestFinished(() => client.disconnect());
      return client;
    };
    const first = connect();
    await first.connect();
    expect(await first.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await first.set('balint:kept', 'before a kill')).toBe('OK');
    first.disconnect();

    await redis.stop({ mode: 'kill' });
    expect(redis.running()).toBe(false);
    await redis.start();
    const second = connect();
    await second.connect();
    expect(await second.get('balint:kept')).toBe('before a kill');
    await second.set('balint:kept', 'before a shutdown');
    second.disconnect();

    await redis.stop({ mode: 'shutdown' });
    expect(existsSync(path.join(redis.dir, 'dump.rdb'))).toBe(true);
    expect(readdirSync(path.join(redis.dir, 'appendonlydir')).some((f) => f.endsWith('.aof'))).toBe(true);
    await redis.start();
    const third = connect();
    await third.connect();
    expect(await third.get('balint:kept')).toBe('before a shutdown');
  });
});

interface Backend {
  name: string;
  port: number;
  /** Whether /healthz answers 200 (a draining process answers 503). */
  healthy: boolean;
  /** How many plain requests (not health checks) reached it. */
  requests: number;
}

/** A small HTTP + WebSocket server that says which backend answered. */
async function startBackend(name: string): Promise<Backend> {
  const backend: Backend = { name, port: 0, healthy: true, requests: 0 };
  const server: Server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(backend.healthy ? 200 : 503).end();
      return;
    }
    backend.requests++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
  });
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket) =>
    socket.on('message', (data) => socket.send(`${name}: ${String(data)}`)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  backend.port = (server.address() as { port: number }).port;
  onTestFinished(async () => {
    for (const client of sockets.clients) client.terminate();
    sockets.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return backend;
}

/** One request as a browser sends it: with the cookie it holds; returns who answered and any new cookie. */
async function get(url: string, cookie?: string): Promise<{ body: string; setCookie: string | null }> {
  const response = await fetch(url, { headers: cookie ? { cookie } : {} });
  return { body: await response.text(), setCookie: response.headers.get('set-cookie') };
}

function cookiePair(setCookie: string | null): string {
  const pair = setCookie?.split(';')[0];
  if (!pair?.startsWith('BALINT_SERVER=')) throw new Error(`no sticky cookie set: ${setCookie}`);
  return pair;
}

describe('docs/haproxy.cfg in front of two backends (SCALE-1)', () => {
  it('keeps one client on one backend by its cookie, passes its WebSocket upgrade there, and leaves out a backend failing /healthz', async () => {
    const a = await startBackend('app1');
    const b = await startBackend('app2');
    const proxy = await startHaproxy([a, b]);

    // New clients (no cookie) are spread over both, and each is told where it sits.
    const firsts = [];
    for (let i = 0; i < 4; i++) firsts.push(await get(`${proxy.url}/hello`));
    expect(new Set(firsts.map((r) => r.body))).toEqual(new Set(['app1', 'app2']));
    for (const r of firsts) expect(cookiePair(r.setCookie)).toBe(`BALINT_SERVER=${r.body}`);

    // A client that holds the cookie stays where it is, request after request.
    const client = firsts.find((r) => r.body === 'app2');
    const cookie = cookiePair(client?.setCookie ?? null);
    for (let i = 0; i < 10; i++) expect((await get(`${proxy.url}/poll?n=${i}`, cookie)).body).toBe('app2');

    // Its WebSocket upgrade goes through, to the same backend.
    const socket = new WebSocket(`${proxy.url.replace('http', 'ws')}/socket`, { headers: { cookie } });
    onTestFinished(() => socket.terminate());
    const echo = new Promise<string>((resolve, reject) => {
      socket.once('message', (data) => resolve(String(data)));
      socket.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send('hello');
    expect(await echo).toBe('app2: hello');

    // app2 fails its health check (draining): new clients go to app1 only, and app2's own client
    // is sent to app1 too (option redispatch) instead of failing.
    b.healthy = false;
    await pollUntilAsync(
      async () => {
        const seen = [];
        for (let i = 0; i < 4; i++) seen.push((await get(`${proxy.url}/hello`)).body);
        return seen.every((name) => name === 'app1');
      },
      10_000,
      'HAProxy to take app2 out after its failed health checks',
    );
    const before = b.requests;
    expect((await get(`${proxy.url}/poll`, cookie)).body).toBe('app1');
    expect(b.requests).toBe(before);
  });
});

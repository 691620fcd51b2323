/**
 * Two real server processes (the built server, as production runs it) on one real Redis
 * (SCALE-9..10): a shared rate-limit budget, the per-process fallback while Redis is away,
 * /healthz readiness, what the Socket.IO adapter puts into Redis, and a start that waits for
 * Redis. Each process still keeps its meetings in a SQLite file of its own data folder (the
 * storage moves to PostgreSQL in another step of issue 14); DATABASE_URL names a real
 * PostgreSQL all the same, since REDIS_URL needs it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { FANOUT_STREAM } from '../../server/app';
import { SERVICE_WAIT_ENV } from '../../server/serviceWait';
import { pollUntilAsync } from '../helpers/poll';
import { Api, connectClient, type TestClient } from '../helpers/server-fixture';
import { spawnServer, tempDataDir, type ServerProcess } from '../helpers/server-process';
import {
  startHaproxy,
  startPostgres,
  startRedis,
  type PostgresServer,
  type RedisServer,
} from '../helpers/services';

let redis: RedisServer;
let postgres: PostgresServer;
let databaseUrl: string;
beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  databaseUrl = await postgres.createDatabase('scale_redis');
});
afterAll(async () => {
  await redis.stop({ mode: 'kill' });
  await postgres.stop();
});

/** The join budget per address (server/http/routes.ts): 30 attempts in 10 minutes. */
const JOIN_BUDGET = 30;
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    REDIS_URL: redis.url,
    DATABASE_URL: databaseUrl,
    // One proxy in front: the test names each client's address in X-Forwarded-For.
    TRUST_PROXY: '1',
    ...extra,
  };
}

/** The join budget's window: 10 minutes, picked by the server's wall clock. */
const JOIN_WINDOW_MS = 600_000;

/**
 * A clock shift that puts the processes' wall clock one second into a fresh join window (the
 * same for both), so that no window ends while a test spends a budget.
 */
function freshWindowShift(): number {
  return JOIN_WINDOW_MS - (Date.now() % JOIN_WINDOW_MS) + 1_000;
}

async function twoProcesses(clockShiftMs: number): Promise<[ServerProcess, ServerProcess]> {
  return Promise.all([
    spawnServer({ dataDir: tempDataDir(), env: serverEnv(), clockShiftMs }),
    spawnServer({ dataDir: tempDataDir(), env: serverEnv(), clockShiftMs }),
  ]);
}

/** A well-formed join code that no meeting has (a guess). */
function guess(i: number): string {
  const pick = (n: number) => CODE_ALPHABET[n % CODE_ALPHABET.length] as string;
  const part = (seed: number) => Array.from({ length: 5 }, (_, k) => pick(seed * 7 + k * 13 + 3)).join('');
  return `${part(i)}-${part(i + 101)}`;
}

/** One join attempt from `address`; resolves with its status and how long it took. */
async function attempt(server: ServerProcess, address: string, i: number, name = 'Gus Guesswork-Canary') {
  const started = performance.now();
  const res = await fetch(`${server.url}/api/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ code: guess(i), name }),
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

async function health(server: ServerProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Every file under `dir` as raw bytes (latin1), for a canary scan of Redis's AOF and RDB. */
function filesText(dir: string): string {
  let all = '';
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    all += statSync(file).isDirectory() ? filesText(file) : readFileSync(file).toString('latin1');
  }
  return all;
}

async function redisClient(): Promise<Redis> {
  const client = new Redis(redis.url);
  onTestFinished(() => client.disconnect());
  return client;
}

/** Every key and value Redis holds under `pattern`, as text. */
async function dump(client: Redis, pattern: string): Promise<{ keys: string[]; text: string }> {
  const keys = await client.keys(pattern);
  let text = keys.join('\n');
  for (const key of keys) {
    const type = await client.type(key);
    if (type === 'string') text += `\n${await client.get(key)}`;
    if (type === 'stream') text += `\n${JSON.stringify(await client.xrange(key, '-', '+'))}`;
  }
  return { keys, text };
}

describe('several processes on one Redis (real child processes)', { timeout: 120_000 }, () => {
  it('SCALE-9: two processes spend one join-code guess budget per address, half on each; keys are addresses and ids', async () => {
    const shift = freshWindowShift();
    const [p1, p2] = await twoProcesses(shift);
    const address = '203.0.113.10';
    const statuses: number[] = [];
    for (let i = 0; i < JOIN_BUDGET; i++)
      statuses.push((await attempt(i % 2 === 0 ? p1 : p2, address, i)).status);
    expect(statuses).toEqual(Array.from({ length: JOIN_BUDGET }, () => 404));
    // The budget is spent: the next guess is refused by either process.
    expect((await attempt(p1, address, 100)).status).toBe(429);
    expect((await attempt(p2, address, 101)).status).toBe(429);
    // Another address still has its whole budget.
    expect((await attempt(p2, '203.0.113.11', 102)).status).toBe(404);

    // A seat's budgets too: a leader's connection spends them under its meeting and seat ids.
    const created = await new Api(p1.url).createMeeting({
      title: 'Title-Canary-Budget',
      leaderName: 'Lena Canary',
    });
    const token = new URLSearchParams(new URL(created.leaderLink).hash.slice(1)).get('t') as string;
    const leader = await connectClient(p1.url, token, 'leader');
    onTestFinished(() => leader.close());
    await leader.barrier();

    const client = await redisClient();
    const { keys, text } = await dump(client, 'balint:rl:*');
    expect(keys).toContain(
      `balint:rl:join:address:${address}@${Math.floor((Date.now() + shift) / JOIN_WINDOW_MS)}`,
    );
    const seatKeyOf = `${created.meetingId}/${leader.seatId}`;
    expect(keys.some((k) => k.startsWith(`balint:rl:handshake:seat:${seatKeyOf}@`))).toBe(true);
    for (const key of keys) {
      expect(key).toMatch(/^balint:rl:[a-z-]+(:[a-z-]+)*:([0-9a-f.:]+|[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+)@\d+$/);
    }
    for (const secret of [token, 'Gus Guesswork-Canary', 'Lena Canary', 'Title-Canary-Budget', guess(3)]) {
      expect(text).not.toContain(secret);
    }
    // BUILD-3 holds with Redis too: a SIGTERM drains, closes the Redis connections and exits 0.
    const stopping = performance.now();
    expect(await p1.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(performance.now() - stopping).toBeLessThan(2_000);
  });

  it('SCALE-12: meeting views never cross Redis; the content-free meeting:ended does, through the adapter’s stream', async () => {
    const [p1] = await twoProcesses(0);
    const title = 'Title-Canary-Fanout-8812';
    const leaderName = 'Lena Fanout-Canary';
    const created = await new Api(p1.url).createMeeting({ title, leaderName });
    const token = new URLSearchParams(new URL(created.leaderLink).hash.slice(1)).get('t') as string;
    const leader: TestClient = await connectClient(p1.url, token, 'leader');
    onTestFinished(() => leader.close());
    const started = leader.nextState((v) => v.status !== 'lobby');
    expect(await leader.command({ type: 'meeting:start' })).toMatchObject({ ok: true });
    await started;
    expect(leader.allJson()).toContain(title);
    const ended = new Promise<void>((resolve) => leader.socket.once('meeting:ended', () => resolve()));
    expect(await leader.command({ type: 'meeting:end' })).toMatchObject({ ok: true });
    await ended;

    const client = await redisClient();
    await pollUntilAsync(
      async () => JSON.stringify(await client.xrange(FANOUT_STREAM, '-', '+')).includes('meeting:ended'),
      10_000,
      'meeting:ended in the stream',
    );
    const stream = JSON.stringify(await client.xrange(FANOUT_STREAM, '-', '+'));
    expect(stream).toContain(created.meetingId);
    expect(stream).not.toContain('meeting:state');
    const { text } = await dump(client, '*');
    const files = filesText(redis.dir);
    for (const secret of [title, leaderName, token, created.joinCode]) {
      expect(text, 'Redis keys and values').not.toContain(secret);
      expect(files, 'Redis files (AOF, RDB)').not.toContain(secret);
    }
  });

  it('SCALE-10, SCALE-11: without Redis /healthz fails, limits hold per process and requests are answered; with Redis back all is ready again', async () => {
    const shift = freshWindowShift();
    const [p1, p2] = await twoProcesses(shift);
    for (const p of [p1, p2]) {
      expect(await health(p)).toEqual({
        status: 200,
        body: expect.objectContaining({ ok: true, components: { redis: 'ok', database: 'ok' } }) as unknown,
      });
    }
    await redis.stop({ mode: 'kill' });
    for (const p of [p1, p2]) {
      await pollUntilAsync(
        async () => (await health(p)).status === 503,
        10_000,
        'healthz fails without Redis',
      );
      expect((await health(p)).body).toMatchObject({
        ok: false,
        components: { redis: 'down', database: 'ok' },
      });
    }

    // Limits still apply, each process counting for itself, and nobody waits for Redis.
    const address = '198.51.100.20';
    const answers = [];
    for (let i = 0; i < JOIN_BUDGET; i++) answers.push(await attempt(p1, address, i));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: JOIN_BUDGET }, () => 404));
    expect((await attempt(p1, address, 200)).status).toBe(429);
    expect((await attempt(p2, address, 201)).status).toBe(404);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(2_000);
    // A drain does not wait for the absent Redis either (BUILD-3).
    const stopping = performance.now();
    expect(await p2.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(performance.now() - stopping).toBeLessThan(2_000);

    // A process started now waits for Redis rather than refusing at once, and starts once it is back.
    const third = spawnServer({
      dataDir: tempDataDir(),
      env: serverEnv({ [SERVICE_WAIT_ENV]: '25000' }),
      clockShiftMs: shift,
    });
    await redis.start();
    const p3 = await third;
    for (const p of [p1, p3]) {
      await pollUntilAsync(async () => (await health(p)).status === 200, 10_000, 'healthz ready again');
      expect((await health(p)).body).toMatchObject({ ok: true, components: { redis: 'ok', database: 'ok' } });
    }
  });
  it('SCALE-1, SCALE-11: HAProxy (docs/haproxy.cfg) takes the processes out while Redis is away, and back when it returns', async () => {
    const [p1, p2] = await twoProcesses(0);
    const lb = await startHaproxy([
      { name: 'app1', port: p1.port },
      { name: 'app2', port: p2.port },
    ]);
    const status = async (route: string) => {
      const res = await fetch(`${lb.url}${route}`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await status('/api/templates')).toBe(200);
    await redis.stop({ mode: 'kill' });
    // The processes still answer /api/templates themselves: a 503 here is HAProxy having no ready one.
    await pollUntilAsync(async () => (await status('/api/templates')) === 503, 15_000, 'no process ready');
    await redis.start();
    await pollUntilAsync(async () => (await status('/api/templates')) === 200, 15_000, 'processes back');
    await lb.stop();
  });
});

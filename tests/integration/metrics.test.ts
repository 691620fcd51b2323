/**
 * GET /metrics on the real server during a meeting: real Socket.IO and y-websocket clients, a
 * parse of the Prometheus text, and a search of every label and value for what must stay out.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES as E } from '../../shared/errors';
import {
  BOARD_NAMES,
  goToPhase,
  noteSecret,
  startBoardCast,
  startBoardServer,
  type BoardFixture,
} from '../helpers/board-fixture';
import { nextEvent, startServer, type UntypedSocket } from '../helpers/server-fixture';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, strictly: a line that is neither a comment nor a sample fails. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const raw of text.split('\n')) {
    if (raw === '' || raw.startsWith('# HELP ') || raw.startsWith('# TYPE ')) continue;
    const m = line.exec(raw);
    if (!m) throw new Error(`not a sample line: ${raw}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(label)) labels[l[1] as string] = l[2] as string;
    const value = Number(m[3]);
    if (Number.isNaN(value)) throw new Error(`not a number: ${raw}`);
    samples.push({ name: m[1] as string, labels, value });
  }
  return samples;
}

function one(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return (found[0] as Sample).value;
}

async function scrape(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** A scrape from a chosen local source address (127.0.0.2 is loopback, yet not 127.0.0.1). */
function scrapeFrom(port: number, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const add = (fx: BoardFixture, c: Awaited<ReturnType<BoardFixture['connect']>>, text: string) =>
  c.send<{ noteId: string }>('note:add', { secret: noteSecret(), kind: 'feeling', text });

describe('METRICS-1: /metrics during a meeting', () => {
  it('METRICS-1: counts meetings, connections, commands, notes and refusals, with no id, code or name', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx, { title: 'Metrics Quinquagesima group' });
    await goToPhase(cast.leader, 'speculation');
    const boards = [fx.openBoard(cast.leader.token, cast.meetingId, 0, 'board0')];
    boards.push(fx.openBoard(cast.projector.token, cast.meetingId, 0, 'board1'));
    await Promise.all(boards.map((b) => b.synced()));
    const noteText = 'QuetzalcoatlMetricsCanary';
    for (const member of cast.members.slice(0, 3)) expect((await add(fx, member, noteText)).ok).toBe(true);
    // Refused: an observer may not post, and an unknown event is counted without its name.
    const refused = await add(fx, cast.observer, noteText);
    expect(refused.ok).toBe(false);
    const member = cast.members[0];
    if (!member) throw new Error('no member');
    (member.socket as unknown as UntypedSocket).emit('no:such-event-QzxWv', {});
    await member.barrier();
    const badJoin = await fx.api.request('POST', '/api/join', { code: 'ZZZZ-ZZZZ', name: 'Nobody Here' });
    expect(badJoin.status).toBe(404);

    const got = await scrape(fx.url);
    expect(got.status).toBe(200);
    expect(got.type).toContain('text/plain');
    expect(got.type).toContain('version=0.0.4');
    const samples = parseExposition(got.text);

    expect(one(samples, 'balint_meetings_live')).toBe(1);
    expect(one(samples, 'balint_socketio_connections')).toBe(cast.everyone.length);
    expect(one(samples, 'balint_board_connections')).toBe(2);
    expect(one(samples, 'balint_notes_added_total')).toBe(3);
    expect(one(samples, 'balint_commands_total', { event: 'note:add' })).toBe(4);
    // presenter:set, meeting:start and phase:jump
    expect(one(samples, 'balint_commands_total', { event: 'meeting:command' })).toBeGreaterThanOrEqual(3);
    expect(one(samples, 'balint_commands_total', { event: 'other' })).toBe(1);
    expect(one(samples, 'balint_commands_total', { event: 'time:ping' })).toBeGreaterThanOrEqual(1);
    expect(one(samples, 'balint_refusals_total', { channel: 'http', code: E.NOT_FOUND })).toBe(1);
    const socketRefusals = samples.filter(
      (s) => s.name === 'balint_refusals_total' && s.labels.channel === 'socket',
    );
    expect(socketRefusals.reduce((n, s) => n + s.value, 0)).toBe(1);
    expect(one(samples, 'balint_purges_pending')).toBe(0);
    expect(one(samples, 'balint_event_loop_delay_seconds', { quantile: '0.99' })).toBeGreaterThan(0);
    expect(one(samples, 'balint_process_memory_bytes', { kind: 'rss' })).toBeGreaterThan(10 * 1024 * 1024);

    // Nothing that names the meeting or a person, in any label or value, nor anywhere in the text.
    const seats = cast.leader.view.seats ?? [];
    const secrets = [
      cast.meetingId,
      cast.leader.view.joinCode ?? 'no-code',
      'Quinquagesima',
      noteText,
      'QzxWv',
      ...seats.map((s) => s.id),
      ...cast.everyone.map((c) => c.token),
      BOARD_NAMES.leader,
      BOARD_NAMES.presenter,
      BOARD_NAMES.observer,
      ...BOARD_NAMES.members,
    ];
    const labelText = samples.flatMap((s) => [s.name, ...Object.keys(s.labels), ...Object.values(s.labels)]);
    for (const secret of secrets) {
      expect(got.text, secret).not.toContain(secret);
      expect(labelText.some((l) => l.includes(secret))).toBe(false);
    }
    // Bounded: each label takes only values from closed sets.
    const codes = new Set<string>([...Object.values(E), 'other']);
    for (const s of samples.filter((x) => x.name === 'balint_refusals_total'))
      expect(codes.has(s.labels.code ?? '')).toBe(true);
    for (const b of boards) b.destroy();
  });

  it('METRICS-1: connections and meetings fall back when people leave and the meeting ends', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx, {}, 2);
    await goToPhase(cast.leader, 'speculation');
    const board = fx.openBoard(cast.projector.token, cast.meetingId, 0, 'board');
    await board.synced();
    let samples = parseExposition((await scrape(fx.url)).text);
    expect(one(samples, 'balint_board_connections')).toBe(1);
    const closed = board.closed();
    expect((await cast.leader.run({ type: 'meeting:end' })).ok).toBe(true);
    await closed;
    await expect
      .poll(async () => one(parseExposition((await scrape(fx.url)).text), 'balint_socketio_connections'), {
        timeout: 5_000,
      })
      .toBe(0);
    samples = parseExposition((await scrape(fx.url)).text);
    expect(one(samples, 'balint_meetings_live')).toBe(0);
    expect(one(samples, 'balint_board_connections')).toBe(0);
    board.destroy();
  });
});

describe('METRICS-1: purges pending', () => {
  it('METRICS-1: a meeting whose stored rows could not be deleted counts until the next start', async () => {
    const fx = await startServer();
    const meeting = await fx.api.createMeeting({});
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    // The disk refuses the delete: memory is cleared, the rows wait for the next start (CONF-9).
    fx.storage.purgeMeeting = () => {
      throw new Error('disk I/O error');
    };
    const ended = nextEvent(leader.socket, 'meeting:ended');
    expect((await leader.command({ type: 'meeting:end' })).ok).toBe(true);
    await ended;
    const samples = parseExposition((await scrape(fx.url)).text);
    expect(one(samples, 'balint_meetings_live')).toBe(0);
    expect(one(samples, 'balint_purges_pending')).toBe(1);
  });
});

describe('METRICS-2 / METRICS-3: who may scrape', () => {
  it('METRICS-2: loopback by default; another allowed list refuses loopback with 403 and a code', async () => {
    const fx = await startServer();
    expect((await scrape(fx.url)).status).toBe(200);
    expect(await scrapeFrom(fx.port, '127.0.0.2')).toBe(200);

    const narrow = await startServer({ metricsAllow: ['127.0.0.2'] });
    const refused = await scrape(narrow.url);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: E.FORBIDDEN } });
    expect(refused.text).not.toContain('balint_');
    expect(await scrapeFrom(narrow.port, '127.0.0.2')).toBe(200);
  });

  it('METRICS-3: with TRUST_PROXY=0 a request carrying X-Forwarded-For is refused, even from loopback', async () => {
    const fx = await startServer();
    expect((await scrape(fx.url, { 'x-forwarded-for': '127.0.0.1' })).status).toBe(403);
    expect((await scrape(fx.url, { forwarded: 'for=127.0.0.1' })).status).toBe(403);
  });

  it('METRICS-3: with TRUST_PROXY=1 the forwarded client address is judged, not the proxy', async () => {
    const fx = await startServer({ trustProxy: { kind: 'hops', hops: 1 } });
    expect((await scrape(fx.url, { 'x-forwarded-for': '127.0.0.1' })).status).toBe(200);
    expect((await scrape(fx.url, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
  });

  it('METRICS-4: each app has its own registry: two servers in one process count apart', async () => {
    const a = await startServer();
    const b = await startServer();
    await a.api.createMeeting({});
    await a.api.createMeeting({});
    const aLive = one(parseExposition((await scrape(a.url)).text), 'balint_meetings_live');
    const bLive = one(parseExposition((await scrape(b.url)).text), 'balint_meetings_live');
    expect([aLive, bLive]).toEqual([2, 0]);
  });
});

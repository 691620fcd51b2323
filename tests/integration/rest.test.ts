/**
 * The REST API on the real server: create, join, projector claim, health; malformed bodies,
 * limits, the create key, and rate limits per client address.
 */
import { queryMeetingsDb } from '../helpers/test-storage';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import { hashSecret } from '../../server/security/tokens';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { MIN, startServer, type HttpAnswer } from '../helpers/server-fixture';

/** A POST from a chosen loopback address (Linux routes all of 127/8 to lo), to test per-address limits. */
function postFrom(
  url: string,
  localAddress: string,
  route: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer<{ error?: { code: string } }>> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${route}`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const JOIN_CODE = /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/;

describe('REST: health and templates (API-13)', () => {
  it('API-13, TPL-1: answers /healthz and lists the built-in templates', async () => {
    const fx = await startServer();
    const health = await fx.api.request('GET', '/healthz');
    expect(health).toEqual({
      status: 200,
      body: { ok: true, protocolVersion: PROTOCOL_VERSION, meetings: 0 },
    });
    const res = await fetch(`${fx.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();

    const templates = await fx.api.request<{ templates: { id: string }[]; defaultTemplateId: string }>(
      'GET',
      '/api/templates',
    );
    expect(templates.status).toBe(200);
    expect(templates.body.templates.map((t) => t.id)).toEqual(
      expect.arrayContaining(['classic-90-one-case', 'classic-90-two-cases', 'step-back-30']),
    );
    const unknown = await fx.api.request('GET', '/api/nothing-here');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } });
  });
});

describe('REST: creating a meeting (API-1..3, API-7)', () => {
  it('API-1, MEET-10: creates with defaults: links with secrets of at least 128 bits, a 50-bit join code', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    expect(m.joinCode).toMatch(JOIN_CODE);
    // base64url: 6 bits a character; at least 128 bits.
    expect(m.leaderToken.length * 6).toBeGreaterThanOrEqual(128);
    expect(m.projectorKey.length * 6).toBeGreaterThanOrEqual(128);
    expect(m.leaderLink).toBe(`${fx.url}/m/${m.meetingId}/lead#t=${m.leaderToken}`);
    expect(m.projectorLink).toBe(`${fx.url}/m/${m.meetingId}/projector#k=${m.projectorKey}`);
    expect(m.joinLink).toBe(`${fx.url}/join#code=${m.joinCode}`);
    const state = fx.app.hub.state(m.meetingId);
    expect(state?.phases.map((p) => p.kind)).toEqual([
      'opening',
      'case-choice',
      'presentation',
      'questions',
      'speculation',
      'return',
      'closing',
    ]);
    expect((await fx.api.request('GET', '/healthz')).body).toMatchObject({ meetings: 1 });
  });

  it('API-7: stores tokens and keys only as hashes', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({ title: 'Hash check' });
    const seat = await fx.api.join(m.joinCode, 'Hannah Hash');
    const dump = JSON.stringify([
      await queryMeetingsDb(fx.dbFile, 'SELECT * FROM meetings'),
      await queryMeetingsDb(fx.dbFile, 'SELECT * FROM seat_tokens'),
    ]);
    for (const secret of [m.leaderToken, m.projectorKey, seat.token]) expect(dump).not.toContain(secret);
    // The stored form (CONF-4): SHA-256 on SQLite, an HMAC under the meeting's key on PostgreSQL.
    const stored = (s: string) => fx.storage.secretHash(m.meetingId, s);
    expect(dump).toContain(await stored(seat.token));
    expect(dump).toContain(await stored(m.leaderToken));
    if (fx.storage.dialect === 'sqlite') expect(await stored(seat.token)).toBe(hashSecret(seat.token));
  });

  it('API-1: takes settings, a built-in template, and a leader-made template', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({
      title: '  Step back  ',
      templateId: 'step-back-30',
      autoAdvance: true,
      timerVisibility: 'everyone',
      anonymity: 'named',
    });
    const state = fx.app.hub.state(m.meetingId);
    expect(state?.title).toBe('Step back');
    expect(state?.settings).toMatchObject({
      autoAdvance: true,
      timerVisibility: 'everyone',
      anonymity: 'named',
    });
    expect(state?.phases.map((p) => p.plannedMs / MIN)).toEqual([10, 5, 10, 5]);

    const own = await fx.api.createMeeting({
      template: {
        name: 'Short',
        phases: [
          { kind: 'opening', minutes: 2, caseIndex: null },
          { kind: 'speculation', minutes: 15, caseIndex: 0 },
        ],
      },
    });
    expect(fx.app.hub.state(own.meetingId)?.phases.map((p) => [p.kind, p.plannedMs / MIN])).toEqual([
      ['opening', 2],
      ['speculation', 15],
    ]);
  });

  it('API-2: refuses bad bodies with 400 bad-request and creates nothing', async () => {
    const fx = await startServer();
    const raw = async (body: string) => fx.api.request('POST', '/api/meetings', body);
    const cases: [string, () => Promise<HttpAnswer>][] = [
      ['broken JSON', () => raw('{"title":')],
      ['a JSON string', () => raw('"hello"')],
      ['a JSON array', () => raw('[1, 2]')],
      ['JSON null', () => raw('null')],
      [
        'an unknown template',
        () => fx.api.request('POST', '/api/meetings', { templateId: 'no-such-template' }),
      ],
      ['a numeric template id', () => fx.api.request('POST', '/api/meetings', { templateId: 7 })],
      [
        'a title of 121 characters',
        () => fx.api.request('POST', '/api/meetings', { title: 't'.repeat(121) }),
      ],
      ['a huge title', () => fx.api.request('POST', '/api/meetings', { title: 't'.repeat(15_000) })],
      ['a body over 16 kB', () => fx.api.request('POST', '/api/meetings', { title: 't'.repeat(20_000) })],
      ['an unknown field', () => fx.api.request('POST', '/api/meetings', { title: 'x', admin: true })],
      ['a __proto__ key', () => raw('{"title":"x","__proto__":{"polluted":true}}')],
      ['autoAdvance as a string', () => fx.api.request('POST', '/api/meetings', { autoAdvance: 'yes' })],
      ['a negative plannedStartAt', () => fx.api.request('POST', '/api/meetings', { plannedStartAt: -5 })],
      ['an unknown anonymity', () => fx.api.request('POST', '/api/meetings', { anonymity: 'secret' })],
      [
        'a template with an unknown phase kind',
        () =>
          fx.api.request('POST', '/api/meetings', {
            template: { name: 'x', phases: [{ kind: 'nap', minutes: 5, caseIndex: null }] },
          }),
      ],
      [
        'a template with no phases',
        () => fx.api.request('POST', '/api/meetings', { template: { name: 'x', phases: [] } }),
      ],
    ];
    for (const [what, send] of cases) {
      const res = await send();
      expect(res.status, what).toBe(400);
      expect(res.body, what).toMatchObject({ error: { code: 'bad-request', message: expect.any(String) } });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(fx.app.hub.meetingIds()).toEqual([]);
    // The limit is 120 characters, not less.
    expect((await fx.api.request('POST', '/api/meetings', { title: 't'.repeat(120) })).status).toBe(201);
  });

  it('API-3: needs the create key when one is configured', async () => {
    const fx = await startServer({ createKey: 'open-sesame-2026' });
    const without = await fx.api.request('POST', '/api/meetings', {});
    expect(without).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const wrong = await fx.api.request('POST', '/api/meetings', {}, { 'x-create-key': 'open-sesame-2025' });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(fx.app.hub.meetingIds()).toEqual([]);
    const right = await fx.api.request('POST', '/api/meetings', {}, { 'x-create-key': 'open-sesame-2026' });
    expect(right.status).toBe(201);
    // Joining needs no key: the join code is the key for members.
    const m = right.body as { joinCode: string };
    expect((await fx.api.request('POST', '/api/join', { code: m.joinCode, name: 'Nina' })).status).toBe(201);
  });

  it('API-3: rate-limits guesses of the create key', async () => {
    const fx = await startServer({ createKey: 'open-sesame-2026' });
    for (let i = 0; i < 20; i++) {
      const guess = await postFrom(
        fx.url,
        '127.0.0.1',
        '/api/meetings',
        {},
        { 'x-create-key': `guess-${i}` },
      );
      expect(guess.status).toBe(403);
    }
    const more = await postFrom(fx.url, '127.0.0.1', '/api/meetings', {}, { 'x-create-key': 'guess-20' });
    expect(more).toMatchObject({ status: 429, body: { error: { code: 'rate-limited' } } });
  });

  it('API-3: limits meeting creation per address: 20 an hour', async () => {
    const fx = await startServer();
    for (let i = 0; i < 20; i++)
      expect((await postFrom(fx.url, '127.0.0.1', '/api/meetings', {})).status).toBe(201);
    expect(await postFrom(fx.url, '127.0.0.1', '/api/meetings', {})).toMatchObject({
      status: 429,
      body: { error: { code: 'rate-limited' } },
    });
    expect((await postFrom(fx.url, '127.0.0.3', '/api/meetings', {})).status).toBe(201);
    (fx.clock as ManualClock).advance(60 * MIN);
    expect((await postFrom(fx.url, '127.0.0.1', '/api/meetings', {})).status).toBe(201);
  });
});

describe('REST: joining (API-4..6)', () => {
  it('API-4: joins as participant or observer, with the code typed loosely', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const loose = m.joinCode.toLowerCase().replace('-', ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    const seat = await fx.api.join(loose, '  Pia Participant  ');
    expect(seat.meetingId).toBe(m.meetingId);
    expect(seat.token.length * 6).toBeGreaterThanOrEqual(128);
    const observer = await fx.api.join(m.joinCode, 'Oskar', 'observer');
    const state = fx.app.hub.state(m.meetingId);
    expect(state?.seats.find((s) => s.id === seat.seatId)).toMatchObject({
      name: 'Pia Participant',
      role: 'participant',
    });
    expect(state?.seats.find((s) => s.id === observer.seatId)?.role).toBe('observer');
  });

  it('API-4: refuses bad join bodies with 400 and unknown codes with 404', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const join = (body: unknown) => fx.api.request('POST', '/api/join', body);
    const bad: [string, unknown][] = [
      ['no name', { code: m.joinCode }],
      ['a blank name', { code: m.joinCode, name: '   ' }],
      ['a name of 61 characters', { code: m.joinCode, name: 'n'.repeat(61) }],
      ['a numeric name', { code: m.joinCode, name: 42 }],
      ['no code', { name: 'Ann' }],
      ['a huge code', { code: 'C'.repeat(5_000), name: 'Ann' }],
      ['as leader', { code: m.joinCode, name: 'Ann', as: 'leader' }],
      ['as co-leader', { code: m.joinCode, name: 'Ann', as: 'co-leader' }],
      ['as projector', { code: m.joinCode, name: 'Ann', as: 'projector' }],
      ['an extra field', { code: m.joinCode, name: 'Ann', role: 'leader' }],
    ];
    for (const [what, body] of bad) {
      expect(await join(body), what).toMatchObject({ status: 400, body: { error: { code: 'bad-request' } } });
    }
    for (const code of ['ZZZZZ-ZZZZZ', 'not a code', '']) {
      expect(await join({ code, name: 'Ann' }), code).toMatchObject({
        status: 404,
        body: { error: { code: 'not-found' } },
      });
    }
    expect(fx.app.hub.state(m.meetingId)?.seats).toHaveLength(1);
  });

  it('API-6: claims the projector seat only with the projector key', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const claim = (id: string, body: unknown) =>
      fx.api.request('POST', `/api/meetings/${id}/projector`, body);
    expect(await claim(m.meetingId, { key: m.leaderToken })).toMatchObject({ status: 401 });
    expect(await claim(m.meetingId, { key: 'k'.repeat(32) })).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthenticated' } },
    });
    expect(await claim('no-such-meeting', { key: m.projectorKey })).toMatchObject({ status: 401 });
    expect(await claim(m.meetingId, { key: 'short' })).toMatchObject({ status: 400 });
    expect(await claim(m.meetingId, {})).toMatchObject({ status: 400 });
    const ok = await claim(m.meetingId, { key: m.projectorKey });
    expect(ok.status).toBe(201);
    const seats = fx.app.hub.state(m.meetingId)?.seats ?? [];
    expect(seats.filter((s) => s.role === 'projector')).toHaveLength(1);
  });

  it('API-5: limits join attempts per address (30 per 10 minutes), also for the right code', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const attempts: number[] = [];
    // Someone guessing codes: 200 attempts from one address.
    for (let i = 0; i < 200; i++) {
      const guess = `${String(i).padStart(5, '0')}-00000`;
      attempts.push(
        (await postFrom(fx.url, '127.0.0.1', '/api/join', { code: guess, name: 'Guess' })).status,
      );
    }
    expect(attempts.filter((s) => s === 404)).toHaveLength(30);
    expect(attempts.slice(30).every((s) => s === 429)).toBe(true);
    // Once limited, even the right code waits: the limit protects the code, not the guesses.
    expect(
      await postFrom(fx.url, '127.0.0.1', '/api/join', { code: m.joinCode, name: 'Real' }),
    ).toMatchObject({
      status: 429,
      body: { error: { code: 'rate-limited' } },
    });
    // A forged X-Forwarded-For does not help when no proxy is trusted.
    const forged = await postFrom(
      fx.url,
      '127.0.0.1',
      '/api/join',
      { code: m.joinCode, name: 'Forger' },
      { 'x-forwarded-for': '203.0.113.9' },
    );
    expect(forged.status).toBe(429);
    // The projector claim shares the limit.
    expect(
      (await postFrom(fx.url, '127.0.0.1', `/api/meetings/${m.meetingId}/projector`, { key: m.projectorKey }))
        .status,
    ).toBe(429);
    // Another address is not affected.
    expect(
      (await postFrom(fx.url, '127.0.0.2', '/api/join', { code: m.joinCode, name: 'Neighbour' })).status,
    ).toBe(201);
    // After the window the first address may try again.
    (fx.clock as ManualClock).advance(10 * MIN);
    expect(
      (await postFrom(fx.url, '127.0.0.1', '/api/join', { code: m.joinCode, name: 'Later' })).status,
    ).toBe(201);
    expect(
      fx.app.hub
        .state(m.meetingId)
        ?.seats.map((s) => s.name)
        .sort(),
    ).toEqual(['', 'Later', 'Neighbour']);
  });

  it('API-5: behind a trusted proxy, limits by the forwarded client address', async () => {
    const fx = await startServer({ trustProxy: { kind: 'hops', hops: 1 } });
    const from = (ip: string) =>
      postFrom(
        fx.url,
        '127.0.0.1',
        '/api/join',
        { code: 'ZZZZZ-ZZZZZ', name: 'X' },
        { 'x-forwarded-for': ip },
      );
    for (let i = 0; i < 30; i++) expect((await from('198.51.100.7')).status).toBe(404);
    expect((await from('198.51.100.7')).status).toBe(429);
    expect((await from('198.51.100.8')).status).toBe(404);
  });
});

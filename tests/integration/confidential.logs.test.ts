/**
 * Logs are structured and say what happened, never what was written (DESIGN.md sections 4 and 6):
 * a whole meeting with everything a meeting does, refusals and bad input included, logged at debug
 * level into a captured logger; then every line is parsed, and the whole text searched for every
 * secret, name, note text, theme, title, join code and token the test used.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { notesMap, readBoard } from '../../shared/board/schema';
import { BOARD_SUBPROTOCOL } from '../../shared/protocol';
import { noteSecret, type RecordingClient } from '../helpers/board-fixture';
import {
  canary,
  captureLog,
  findIn,
  plantCanaryMeeting,
  startConfidentialServer,
  tempFolder,
} from '../helpers/confidential';
import { nextEvent } from '../helpers/server-fixture';

/** A log value that can only be an id, an event or command name, a code or an enum. */
const SAFE_STRING = /^[A-Za-z0-9_.:-]{1,64}$/;

describe('logs (CONF-6)', () => {
  it('CONF-6: a whole meeting logged at debug level: structured lines of ids, events and timings, and none of its secrets, names, texts, codes or tokens', async () => {
    const log = captureLog();
    const fx = await startConfidentialServer({ dataDir: tempFolder(), logger: log.logger });
    const planted = await plantCanaryMeeting(fx);
    const extra: string[] = [];
    const plant = (label: string) => {
      const c = canary(label);
      extra.push(c);
      return c;
    };
    const { leader } = planted;
    const [a, b, c] = planted.members as [RecordingClient, RecordingClient, RecordingClient];

    // Roles and seats: a co-leader, a removed seat, a locked door with a waiting seat admitted.
    expect(await leader.run({ type: 'seat:setRole', seatId: c.seatId, role: 'co-leader' })).toEqual({
      ok: true,
    });
    expect(await leader.run({ type: 'settings:update', locked: true, title: plant('newtitle') })).toEqual({
      ok: true,
    });
    const code = (await leader.waitFor((v) => v.joinCode !== undefined)).joinCode as string;
    const late = await fx.api.join(code, plant('latename'));
    extra.push(late.token);
    expect(await leader.run({ type: 'seat:admit', seatId: late.seatId })).toEqual({ ok: true });
    const removed = await fx.api.join(code, plant('removedname'));
    extra.push(removed.token);
    expect(await leader.run({ type: 'seat:remove', seatId: removed.seatId })).toEqual({ ok: true });

    // Notes: added, read back, deleted; a refused one; the author's status query; an export.
    const secret = noteSecret();
    extra.push(secret);
    const added = await a.send<{ noteId: string }>('note:add', {
      secret,
      kind: 'image',
      text: plant('deletednote'),
    });
    if (!added.ok) throw new Error(added.error.code);
    await a.send('note:mine', { notes: [{ noteId: added.value.noteId, secret }] });
    await a.send('note:delete', { noteId: added.value.noteId, secret });
    await planted.everyone[5]?.send('note:add', {
      secret: noteSecret(),
      kind: 'image',
      text: plant('refusednote'),
    });
    await a.send('note:edit', {
      noteId: added.value.noteId,
      secret: noteSecret(),
      text: plant('wrongsecret'),
    });
    expect((await c.send('board:export', {})).ok).toBe(true);
    await b.send('board:export', { leak: plant('exportleak') });

    // Bad input of every kind, carrying canaries: none of it may be echoed into a log.
    await leader.sendRaw('meeting:command', {
      commandId: plant('badcommandid'),
      command: { type: plant('badtype') },
    });
    await leader.sendRaw('meeting:command', {
      commandId: 'cmd-0000-0001',
      command: { type: 'settings:update', title: 'x'.repeat(500) + plant('longtitle') },
    });
    await a.sendRaw('note:add', { secret: plant('badsecret'), kind: 'image', text: 'x' });
    await fx.api.request('POST', '/api/join', { code: plant('badcode'), name: plant('badjoinname') });
    await fx.api.request('POST', '/api/join', { code: 'AAAAA-AAAAA', name: plant('unknowncode') });
    await fx.api.request('POST', `/api/meetings/${planted.meetingId}/projector`, {
      key: plant('wrongprojectorkey'),
    });
    await fx.api.request('POST', '/api/meetings', `{"title": "${plant('malformedjson')}"`);
    await fx.api.request('POST', '/api/meetings', { title: plant('unknownfield'), colour: plant('colour') });

    // The board: a participant's forbidden write, a malformed frame, a stranger's token.
    const reader = fx.openBoard(b.token, planted.meetingId, 1, 'writing reader');
    await reader.synced();
    reader.doc.transact(() => {
      const first = readBoard(reader.doc).notes[0];
      if (first) notesMap(reader.doc).get(first.id)?.set('text', plant('forgedtext'));
    });
    expect((await reader.closed()).code).toBe(4403);
    const raw = new WebSocket(`${fx.wsUrl}/${planted.meetingId}/1`, [BOARD_SUBPROTOCOL, leader.token]);
    raw.on('error', () => {});
    await new Promise<void>((resolve) => raw.once('open', () => resolve()));
    const rawClosed = new Promise<number>((resolve) =>
      raw.once('close', (closeCode: number) => resolve(closeCode)),
    );
    raw.send(Buffer.from(plant('garbageframe')));
    expect(await rawClosed).toBe(4400);
    const stranger = fx.openBoard(plant('strangertoken') + 'x'.repeat(20), planted.meetingId, 1, 'stranger');
    expect((await stranger.closed()).code).toBe(4401);

    const ended = nextEvent(leader.socket, 'meeting:ended');
    expect(await leader.run({ type: 'meeting:end' })).toEqual({ ok: true });
    await ended;
    await fx.close();

    // Every line is one JSON object of a time, a level, an event and plain ids, names of events,
    // codes, counts and timings.
    const lines = log.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) {
      const { t, level, event, ...fields } = line;
      expect(typeof t === 'string' && !Number.isNaN(Date.parse(t)), JSON.stringify(line)).toBe(true);
      expect(['debug', 'info', 'warn', 'error']).toContain(level);
      expect(event).toMatch(SAFE_STRING);
      for (const [key, value] of Object.entries(fields)) {
        const plain = typeof value === 'number' || typeof value === 'boolean' || value === null;
        expect(
          plain || (typeof value === 'string' && SAFE_STRING.test(value)),
          `${key} in ${JSON.stringify(line)}`,
        ).toBe(true);
      }
    }
    const events = new Set(lines.map((l) => l.event));
    for (const e of [
      'meeting.created',
      'seat.joined',
      'command.applied',
      'board.released',
      'board.exported',
      'meeting.purged',
    ]) {
      expect(events, e).toContain(e);
    }

    // And nothing that was written, named or kept secret: searched as text, whole and in halves.
    const secrets = [
      ...planted.stored,
      ...planted.replaced,
      ...planted.secrets,
      ...planted.secretHashes,
      ...extra,
    ];
    expect(
      findIn([{ name: 'log', bytes: Buffer.from(log.text(), 'utf8') }], secrets, { halves: true }),
    ).toEqual([]);
  });
});

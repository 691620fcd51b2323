/**
 * Ending a meeting deletes it (DESIGN.md section 6): every row of it, every document of it in the
 * server's memory, every connection to it; its seats, tokens, join code and projector key stop
 * working; and a stale client that held the board cannot bring any of it back.
 */
import { queryMeetingsDb } from '../helpers/test-storage';
import { createHash } from 'node:crypto';
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { readBoard, setNoteLayout, setTheme } from '../../shared/board/schema';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import type { BoardClient, BoardFixture } from '../helpers/board-fixture';
import {
  captureLog,
  plantCanaryMeeting,
  startConfidentialServer,
  tempFolder,
  type PlantedMeeting,
} from '../helpers/confidential';
import { nextEvent, refusedHandshake, type ClientSocket } from '../helpers/server-fixture';

const TABLES_BY_MEETING: Record<string, string> = {
  meetings: 'id',
  seat_tokens: 'meeting_id',
  commands: 'meeting_id',
  notes: 'meeting_id',
  board_updates: 'meeting_id',
};

/** Rows per table that belong to the meeting, read with a connection of its own (then closed). */
async function rowsOf(file: string, meetingId: string): Promise<Record<string, number>> {
  const count = async (sql: string, params: unknown[] = []) =>
    (await queryMeetingsDb<{ n: number }>(file, sql, params))[0]?.n ?? -1;
  const out: Record<string, number> = {};
  for (const [table, column] of Object.entries(TABLES_BY_MEETING))
    out[table] = await count(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`, [meetingId]);
  out.allMeetings = await count('SELECT count(*) AS n FROM meetings');
  return out;
}

const NO_ROWS = { meetings: 0, seat_tokens: 0, commands: 0, notes: 0, board_updates: 0 };

async function plantedServer() {
  const dataDir = tempFolder();
  const fx = await startConfidentialServer({ dataDir, logger: captureLog().logger });
  const planted = await plantCanaryMeeting(fx);
  return { fx, planted };
}

/** Every way a token of the meeting could still be used, refused. */
async function expectAllRefused(fx: BoardFixture, planted: PlantedMeeting, tokens: string[]) {
  for (const token of tokens) {
    expect(await refusedHandshake(fx.url, { token, protocolVersion: PROTOCOL_VERSION })).toBe(
      'unauthenticated',
    );
    const board = fx.openBoard(token, planted.meetingId, 0, 'after the end');
    expect((await board.closed()).code).toBe(BOARD_CLOSE.BAD_TOKEN);
  }
}

describe('ending a meeting deletes it (CONF-1, CONF-2, CONF-3)', () => {
  it('CONF-1, CONF-2: every row is deleted, every client is told, every token stops working; another meeting is untouched', async () => {
    const { fx, planted } = await plantedServer();
    const other = await fx.api.createMeeting({ title: 'Another group' });
    const otherLeader = await fx.connect(other.leaderToken, 'other leader');
    const before = await rowsOf(fx.dbFile, planted.meetingId);
    for (const table of ['meetings', 'seat_tokens', 'commands', 'notes', 'board_updates'])
      expect(before[table], table).toBeGreaterThan(0);
    expect((await fx.storage.listNotes(planted.meetingId)).map((n) => n.status).sort()).toEqual(
      expect.arrayContaining(['hidden', 'released', 'screening', 'waiting']),
    );
    const open = planted.boards.filter((b) => b.provider.wsconnected);
    expect(open.length).toBeGreaterThan(0);
    const sockets = planted.everyone.map((c) =>
      Promise.all([nextEvent(c.socket, 'meeting:ended'), nextEvent<[string]>(c.socket, 'disconnect')]),
    );
    const boardCloses = open.map((b) => b.closed(b.closes.length));

    expect(await planted.leader.run({ type: 'meeting:end' })).toEqual({ ok: true });

    for (const [[info], [reason]] of await Promise.all(sockets)) {
      expect(info).toEqual({ meetingId: planted.meetingId });
      expect(reason).toBe('io server disconnect');
    }
    for (const close of await Promise.all(boardCloses))
      expect(close).toEqual({ code: BOARD_CLOSE.MEETING_ENDED, reason: 'meeting ended' });
    // A 44xx close is final for a stock provider: it does not come back by itself.
    for (const b of open) expect(b.provider.shouldConnect).toBe(false);

    expect(await rowsOf(fx.dbFile, planted.meetingId)).toEqual({ ...NO_ROWS, allMeetings: 1 });
    expect(await fx.storage.listNotes(planted.meetingId)).toEqual([]);
    for (const c of [0, 1]) expect(await fx.storage.loadBoardUpdates(planted.meetingId, c)).toEqual([]);
    for (const token of planted.secrets) expect(await fx.storage.findSeatByToken(token)).toBeNull();
    expect(await fx.storage.projectorKeyHash(planted.meetingId)).toBeNull();

    // Nothing of it in the hub; no Socket.IO room of it is left.
    expect(fx.app.hub.state(planted.meetingId)).toBeNull();
    expect(fx.app.hub.meetingIds()).toEqual([other.meetingId]);
    const rooms = [...fx.app.io.of('/').adapter.rooms.keys()];
    expect(rooms.filter((r) => r.includes(planted.meetingId))).toEqual([]);
    expect((await fx.api.request('GET', '/healthz')).body).toMatchObject({ meetings: 1 });

    // Seats, tokens, the join codes and the projector key stop working.
    const tokens = planted.everyone.map((c) => c.token);
    await expectAllRefused(fx, planted, tokens);
    for (const code of planted.replaced
      .concat(planted.stored)
      .filter((s) => /^[0-9A-Z]{5}-[0-9A-Z]{5}$/.test(s))) {
      expect((await fx.api.request('POST', '/api/join', { code, name: 'Late' })).status).toBe(404);
    }
    const projectorKey = planted.secrets[1] as string;
    expect(
      (await fx.api.request('POST', `/api/meetings/${planted.meetingId}/projector`, { key: projectorKey }))
        .status,
    ).toBe(401);

    // The other meeting goes on.
    expect(await otherLeader.run({ type: 'meeting:start' })).toEqual({ ok: true });
    expect((await rowsOf(fx.dbFile, other.meetingId)).meetings).toBe(1);
  });

  it("CONF-3: a stale leader's and a participant's provider that held the board reconnect after the end: refused, nothing stored", async () => {
    const { fx, planted } = await plantedServer();
    const leaderToken = planted.leader.token;
    const memberToken = (planted.members[1] as PlantedMeeting['leader']).token;
    // Stale copies of case 1's board, disconnected before the end (a phone that went to sleep).
    const staleLeader = fx.openBoard(leaderToken, planted.meetingId, 1, 'stale leader');
    const staleMember = fx.openBoard(memberToken, planted.meetingId, 1, 'stale member');
    await Promise.all([staleLeader.synced(), staleMember.synced()]);
    const held = (b: BoardClient) => readBoard(b.doc);
    expect(held(staleLeader).notes.length).toBeGreaterThan(0);
    expect(held(staleMember).themes.length).toBe(1);
    staleLeader.provider.disconnect();
    staleMember.provider.disconnect();
    // While away the leader's copy changes, as a leader's client does offline: it will try to
    // send this, and its whole state, when it reconnects.
    setTheme(staleLeader.doc, 'theme-offline-cccc', 'written offline');
    setNoteLayout(staleLeader.doc, held(staleLeader).notes[0]?.id as string, { x: 77, y: 77 });

    const gone = nextEvent(planted.leader.socket, 'disconnect');
    expect(await planted.leader.run({ type: 'meeting:end' })).toEqual({ ok: true });
    await gone;
    expect(await rowsOf(fx.dbFile, planted.meetingId)).toEqual({ ...NO_ROWS, allMeetings: 0 });

    for (const stale of [staleLeader, staleMember]) {
      const closed = stale.closed(stale.closes.length);
      stale.provider.connect();
      expect((await closed).code).toBe(BOARD_CLOSE.BAD_TOKEN);
      expect(stale.provider.shouldConnect).toBe(false);
    }
    // Nothing came back: no update, no note, no meeting row, nothing in memory.
    expect(await rowsOf(fx.dbFile, planted.meetingId)).toEqual({ ...NO_ROWS, allMeetings: 0 });
    expect(fx.app.hub.meetingIds()).toEqual([]);
    // A Socket.IO client with an old token is refused the same way.
    expect(await refusedHandshake(fx.url, { token: leaderToken, protocolVersion: PROTOCOL_VERSION })).toBe(
      'unauthenticated',
    );
    expect(await refusedHandshake(fx.url, { token: memberToken, protocolVersion: PROTOCOL_VERSION })).toBe(
      'unauthenticated',
    );
    // Once more through the whole stack: the raw tables hold nothing of the meeting at all.
    expect(await queryMeetingsDb(fx.dbFile, 'SELECT count(*) AS n FROM board_updates')).toEqual([{ n: 0 }]);
  });

  it('CONF-2: a connection whose handshake passed just before the purge is told and closed, and nothing is kept for it', async () => {
    const { fx, planted } = await plantedServer();
    const seat = await fx.api.join(
      (await planted.leader.waitFor((v) => v.joinCode !== undefined)).joinCode as string,
      'Late Comer',
    );
    // The purge lands between the handshake check and Socket.IO's connection event.
    fx.app.io.use((socket, next) => {
      if (socket.data.seatId !== seat.seatId) return next();
      fx.app.hub.purge(planted.meetingId, 'ended').then(() => next(), next);
    });
    const socket: ClientSocket = io(fx.url, {
      auth: { token: seat.token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    try {
      const [[info], [reason]] = await Promise.all([
        nextEvent<[{ meetingId: string }]>(socket, 'meeting:ended'),
        nextEvent<[string]>(socket, 'disconnect'),
      ]);
      expect(info).toEqual({ meetingId: planted.meetingId });
      expect(reason).toBe('io server disconnect');
    } finally {
      socket.disconnect();
    }
    const rooms = [...fx.app.io.of('/').adapter.rooms.keys()];
    expect(rooms.filter((r) => r.includes(planted.meetingId))).toEqual([]);
    expect(await rowsOf(fx.dbFile, planted.meetingId)).toEqual({ ...NO_ROWS, allMeetings: 0 });
  });
});

describe('tokens (CONF-7)', () => {
  it('CONF-7: seat tokens and the projector key are stored only as hashes (SHA-256 on SQLite, HMAC on PostgreSQL) and looked up by hash', async () => {
    const { fx, planted } = await plantedServer();
    const stored = await queryMeetingsDb<{ token_hash: string }>(
      fx.dbFile,
      'SELECT token_hash FROM seat_tokens WHERE meeting_id = ?',
      [planted.meetingId],
    );
    const [meeting] = await queryMeetingsDb<{ leader_token_hash: string; projector_key_hash: string }>(
      fx.dbFile,
      'SELECT leader_token_hash, projector_key_hash FROM meetings WHERE id = ?',
      [planted.meetingId],
    );
    if (!meeting) throw new Error('the meeting row is missing');
    const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
    // The stored form (CONF-4): SHA-256 on SQLite, an HMAC under the meeting's key on PostgreSQL.
    const stored_ = (s: string) => fx.storage.secretHash(planted.meetingId, s);
    if (fx.storage.dialect === 'sqlite') expect(await stored_('x')).toBe(sha('x'));
    const tokens = planted.everyone.map((c) => c.token);
    expect(stored.map((r) => r.token_hash).sort()).toEqual((await Promise.all(tokens.map(stored_))).sort());
    expect(meeting.leader_token_hash).toBe(await stored_(planted.leader.token));
    expect(meeting.projector_key_hash).toBe(await stored_(planted.secrets[1] as string));
    for (const token of tokens) {
      // A stored hash is no token: it finds nothing.
      expect(await fx.storage.findSeatByToken(await stored_(token))).toBeNull();
      expect((await fx.storage.findSeatByToken(token))?.meetingId).toBe(planted.meetingId);
    }
  });
});

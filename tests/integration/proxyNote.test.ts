/**
 * A note a leader types for a member without a device (DESIGN.md section 9, SPEC PROXY-n), on the
 * real server with real clients: it takes the members' path, and nothing on the board, in any
 * frame or payload, in the database, in the logs or in the metrics tells it apart from a member's.
 */
import { queryMeetingsDb } from '../helpers/test-storage';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { LeaderNotesView } from '../../shared/board/commands';
import { notesMap, readBoard } from '../../shared/board/schema';
import { ERROR_CODES as E } from '../../shared/errors';
import {
  BOARD_NAMES,
  goToPhase,
  noteSecret,
  startBoardCast,
  startBoardServer,
  type BoardFixture,
  type RecordingClient,
} from '../helpers/board-fixture';
import { captureLog } from '../helpers/confidential';
import { pollUntil } from '../helpers/poll';

const FOR_NAME = 'Gudrun Ohnehandy';

interface Sample {
  name: string;
  labels: string;
  value: number;
}

/** Every counter of /metrics (gauges such as memory and event-loop delay move by themselves). */
async function counters(fx: BoardFixture): Promise<Map<string, number>> {
  const text = await (await fetch(`${fx.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+_total)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m) continue;
    const sample: Sample = { name: m[1] as string, labels: m[2] ?? '', value: Number(m[3]) };
    out.set(`${sample.name}${sample.labels}`, sample.value);
  }
  return out;
}

function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after) {
    const d = value - (before.get(key) ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

type NoteRow = Record<string, unknown>;

async function storedNotes(fx: BoardFixture, meetingId: string): Promise<Map<string, NoteRow>> {
  const rows = await queryMeetingsDb<NoteRow>(fx.dbFile, 'SELECT * FROM notes WHERE meeting_id = ?', [
    meetingId,
  ]);
  return new Map(rows.map((r) => [r.note_id as string, r]));
}

/** What one note:add leaves behind: its ack, the log lines, counters and leader views it caused. */
interface Trace {
  ack: unknown;
  logs: string[];
  metrics: Record<string, number>;
  leaderViews: LeaderNotesView[];
}

async function traced(
  fx: BoardFixture,
  log: ReturnType<typeof captureLog>,
  leader: RecordingClient,
  leaderViews: LeaderNotesView[],
  send: () => Promise<unknown>,
): Promise<Trace> {
  const before = await counters(fx);
  const firstLine = log.lines.length;
  const firstView = leaderViews.length;
  const ack = await send();
  await leader.barrier();
  return {
    ack,
    logs: log.lines.slice(firstLine),
    metrics: delta(before, await counters(fx)),
    leaderViews: leaderViews.slice(firstView),
  };
}

/** Note ids and times differ by nature; everything else of a log line must be equal. */
function normalised(lines: string[], ids: string[]): string[] {
  return lines.map((l) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    delete o.time;
    let s = JSON.stringify(o);
    for (const id of ids) s = s.replaceAll(id, '<note>');
    return s;
  });
}

describe('PROXY: a note written on a member’s behalf', () => {
  it('PROXY-1: a proxy note and a member’s note in the same batch are alike in Yjs, ack, rows, board:leader, logs and metrics', async () => {
    const log = captureLog();
    const fx = await startBoardServer({ seed: 21, logger: log.logger });
    const cast = await startBoardCast(fx, {}, 3);
    const { leader, members } = cast;
    const [alice, bob] = members as [RecordingClient, RecordingClient];
    await goToPhase(leader, 'speculation');
    const leaderViews: LeaderNotesView[] = [];
    leader.socket.on('board:leader', (v) => leaderViews.push(v));
    const watcher = fx.openBoard(cast.projector.token, cast.meetingId, 0, 'projector board');
    await watcher.synced();

    const member = await traced(fx, log, leader, leaderViews, () =>
      alice.send('note:add', { secret: noteSecret(), kind: 'feeling', text: 'member wrote this' }),
    );
    const proxy = await traced(fx, log, leader, leaderViews, () =>
      leader.send('note:add', {
        secret: noteSecret(),
        kind: 'feeling',
        text: 'leader typed this',
        onBehalfOf: FOR_NAME,
      }),
    );
    expect((await bob.send('note:add', { secret: noteSecret(), kind: 'image', text: 'third' })).ok).toBe(
      true,
    );

    // The acks: the same shape and status; only the random id differs.
    const ids = [member, proxy].map((t) => (t.ack as { value: { noteId: string } }).value.noteId);
    const [memberId, proxyId] = ids as [string, string];
    expect({
      ...(member.ack as object),
      value: { ...(member.ack as { value: object }).value, noteId: 'x' },
    }).toEqual({
      ...(proxy.ack as object),
      value: { ...(proxy.ack as { value: object }).value, noteId: 'x' },
    });
    expect(member.ack).toMatchObject({ ok: true, value: { status: 'waiting' } });
    // Logs, counters and the leaders' view moved alike.
    expect(normalised(proxy.logs, ids)).toEqual(normalised(member.logs, ids));
    expect(proxy.metrics).toEqual(member.metrics);
    expect(member.metrics['balint_notes_added_total']).toBe(1);
    expect(proxy.leaderViews).toEqual(member.leaderViews);

    // Stored rows before release: every column but id, text and secret hash is equal.
    const waiting = await storedNotes(fx, cast.meetingId);
    const same = (row: NoteRow | undefined) => {
      const { note_id: _id, text: _text, secret_hash: _hash, ...rest } = row ?? {};
      return rest;
    };
    expect(Object.keys(waiting.get(proxyId) ?? {}).sort()).toEqual(
      Object.keys(waiting.get(memberId) ?? {}).sort(),
    );
    expect(same(waiting.get(proxyId))).toEqual(same(waiting.get(memberId)));
    expect(waiting.get(proxyId)?.author_name).toBeNull();

    // One batch: both reach the board together, written by the same server-side Yjs client.
    expect((await leader.send('board:release', {})).ok).toBe(true);
    await watcher.until((d) => readBoard(d).notes.length === 3, 'the batch');
    const entry = (id: string) => notesMap(watcher.doc).get(id) as Y.Map<unknown>;
    const writer = (id: string) => entry(id)._item?.id.client;
    expect(writer(proxyId)).toBeDefined();
    expect(writer(proxyId)).toBe(writer(memberId));
    expect([...entry(proxyId).keys()].sort()).toEqual([...entry(memberId).keys()].sort());
    const onBoard = (id: string) => {
      const { id: _id, text: _text, ...rest } = readBoard(watcher.doc).notes.find((n) => n.id === id) ?? {};
      return rest;
    };
    expect(onBoard(proxyId)).toEqual(onBoard(memberId));
    const released = await storedNotes(fx, cast.meetingId);
    expect(same(released.get(proxyId))).toEqual(same(released.get(memberId)));
    expect(released.get(proxyId)?.batch).not.toBeNull();

    // The name given for an anonymous meeting is kept nowhere and sent nowhere.
    for (const c of cast.everyone.filter((x) => x !== leader)) {
      expect(c.packets.join('\n'), c.label).not.toContain(FOR_NAME);
    }
    expect(Buffer.concat(watcher.frames).includes(Buffer.from(FOR_NAME))).toBe(false);
    expect(log.text()).not.toContain(FOR_NAME);
    expect(JSON.stringify([...released.values()])).not.toContain(FOR_NAME);
  });

  it('PROXY-1: in screening mode the leaders see both in their queue alike, and approved they reach the board alike', async () => {
    const fx = await startBoardServer({ seed: 24 });
    const cast = await startBoardCast(fx, {}, 2);
    const { leader } = cast;
    const alice = cast.members[0] as RecordingClient;
    expect((await leader.run({ type: 'settings:update', release: 'screening' })).ok).toBe(true);
    await goToPhase(leader, 'speculation');
    const leaderViews: LeaderNotesView[] = [];
    leader.socket.on('board:leader', (v) => leaderViews.push(v));
    const watcher = fx.openBoard(cast.projector.token, cast.meetingId, 0, 'projector board');
    await watcher.synced();
    const member = await alice.send<{ noteId: string; status: string }>('note:add', {
      secret: noteSecret(),
      kind: 'relationship',
      text: 'from the member',
    });
    const proxy = await leader.send<{ noteId: string; status: string }>('note:add', {
      secret: noteSecret(),
      kind: 'relationship',
      text: 'from the leader’s keyboard',
      onBehalfOf: FOR_NAME,
    });
    if (!member.ok || !proxy.ok) throw new Error('refused');
    expect(proxy.value.status).toBe(member.value.status);
    const third = await alice.send('note:add', { secret: noteSecret(), kind: 'feeling', text: 'third one' });
    expect(third.ok).toBe(true);
    // Three changes wait: the leader sends them to the queue now, not after the random delay (REL-4).
    expect((await leader.send('board:release', {})).ok).toBe(true);
    await pollUntil(() => leaderViews.some((v) => v.screening.length === 3), 5_000, 'the screening queue');
    const queued = leaderViews.find((v) => v.screening.length === 3) as LeaderNotesView;
    const entry = (id: string) => {
      const { noteId: _id, text: _text, ...rest } = queued.screening.find((n) => n.noteId === id) ?? {};
      return rest;
    };
    expect(entry(proxy.value.noteId)).toEqual(entry(member.value.noteId));
    expect(Object.keys(entry(proxy.value.noteId))).toEqual(['kind']);
    expect(JSON.stringify(leaderViews)).not.toContain(FOR_NAME);
    for (const id of [member.value.noteId, proxy.value.noteId]) {
      expect((await leader.send('note:moderate', { noteId: id, action: 'approve' })).ok).toBe(true);
    }
    await watcher.until((d) => readBoard(d).notes.length === 2, 'both approved');
    const writer = (id: string) => (notesMap(watcher.doc).get(id) as Y.Map<unknown>)._item?.id.client;
    expect(writer(proxy.value.noteId)).toBe(writer(member.value.noteId));
  });

  it('PROXY-2: in a named meeting the note carries the member’s name, never the leader’s', async () => {
    const fx = await startBoardServer({ seed: 22 });
    const cast = await startBoardCast(fx, {}, 2);
    expect((await cast.leader.run({ type: 'settings:update', anonymity: 'named' })).ok).toBe(true);
    await goToPhase(cast.leader, 'speculation');
    const watcher = fx.openBoard(cast.projector.token, cast.meetingId, 0, 'projector board');
    await watcher.synced();
    const ack = await cast.leader.send<{ noteId: string }>('note:add', {
      secret: noteSecret(),
      kind: 'image',
      text: 'typed for Gudrun',
      onBehalfOf: `  ${FOR_NAME}  `,
    });
    if (!ack.ok) throw new Error(ack.error.code);
    await watcher.until((d) => readBoard(d).notes.length === 1, 'the named note');
    const note = readBoard(watcher.doc).notes[0];
    expect(note?.author).toBe(FOR_NAME);
    expect(Buffer.concat(watcher.frames).includes(Buffer.from(BOARD_NAMES.leader))).toBe(false);
    // Read through the storage: on PostgreSQL the column holds the name sealed (CONF-4).
    expect((await fx.storage.getNote(cast.meetingId, ack.value.noteId))?.authorName).toBe(FOR_NAME);
  });

  it('PROXY-3: only leaders write on a member’s behalf, under the members’ phase rules; refusals change nothing', async () => {
    const fx = await startBoardServer({ seed: 23 });
    const cast = await startBoardCast(fx, {}, 2);
    const { leader, members } = cast;
    const member = members[0] as RecordingClient;
    const proxyNote = (kind: string, extra: Record<string, unknown> = {}) =>
      leader.send('note:add', {
        secret: noteSecret(),
        kind,
        text: 'for someone',
        onBehalfOf: FOR_NAME,
        ...extra,
      });
    const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error?.code);

    expect(code(await proxyNote('feeling'))).toBe(E.WRONG_STATUS); // the lobby
    await goToPhase(leader, 'questions');
    expect(code(await proxyNote('feeling'))).toBe(E.KIND_NOT_ALLOWED);
    await goToPhase(leader, 'speculation');
    expect(code(await proxyNote('question'))).toBe(E.KIND_NOT_ALLOWED);
    expect(code(await proxyNote('feeling', { onBehalfOf: 'x'.repeat(61) }))).toBe(E.BAD_REQUEST);
    expect(code(await proxyNote('feeling', { onBehalfOf: '   ' }))).toBe(E.BAD_REQUEST);
    expect(
      code(
        await member.send('note:add', {
          secret: noteSecret(),
          kind: 'feeling',
          text: 'me',
          onBehalfOf: FOR_NAME,
        }),
      ),
    ).toBe(E.FORBIDDEN);
    expect((await leader.run({ type: 'settings:update', boardOpen: false })).ok).toBe(true);
    expect(code(await proxyNote('feeling'))).toBe(E.BOARD_CLOSED);
    expect((await storedNotes(fx, cast.meetingId)).size).toBe(0);
    expect((await leader.run({ type: 'settings:update', boardOpen: true })).ok).toBe(true);
    expect(code(await proxyNote('feeling'))).toBe('ok');
    expect((await storedNotes(fx, cast.meetingId)).size).toBe(1);
  });
});

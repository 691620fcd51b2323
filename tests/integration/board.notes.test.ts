/**
 * Note commands over Socket.IO: phase rules for every kind, phase and role; retries; bad input;
 * the author's edit and delete proved by the secret; release modes; moderation; resonance.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { LeaderNotesView } from '../../shared/board/commands';
import { readBoard } from '../../shared/board/schema';
import { EVENT_BUDGETS } from '../../server/limits/budgets';
import { ERROR_CODES as E } from '../../shared/errors';
import { NOTE_KINDS } from '../../shared/meeting/phases';
import { canPostNote, findSeat } from '../../shared/meeting/roles';
import {
  goToPhase,
  noteSecret,
  startBoardCast,
  startBoardServer,
  type BoardFixture,
  type RecordingClient,
} from '../helpers/board-fixture';
import type { UntypedSocket } from '../helpers/server-fixture';

type AddAck = { noteId: string; status: string };

const add = (c: RecordingClient, text: string, secret = noteSecret(), kind = 'feeling') =>
  c.send<AddAck>('note:add', { secret, kind, text });

async function addOk(c: RecordingClient, text: string, secret = noteSecret()) {
  const ack = await add(c, text, secret);
  if (!ack.ok) throw new Error(`note:add refused: ${ack.error.code}`);
  return { ...ack.value, secret };
}

async function serverBoard(fx: BoardFixture, meetingId: string, caseIndex = 0) {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, await fx.board.encodeBoard(meetingId, caseIndex));
  return readBoard(doc);
}

const CODE: Record<string, string> = {
  'wrong-status': E.WRONG_STATUS,
  'board-closed': E.BOARD_CLOSED,
  'kind-not-allowed': E.KIND_NOT_ALLOWED,
  'presenter-listening': E.LISTENING,
  forbidden: E.FORBIDDEN,
};

describe('note:add phase rules (every kind, phase and role)', () => {
  it('the server refuses exactly what canPostNote refuses, with its code', async () => {
    const fx = await startBoardServer({ unlimited: true });
    const cast = await startBoardCast(fx, {}, 1);
    const roles: [string, RecordingClient][] = [
      ['leader', cast.leader],
      ['presenter', cast.presenter],
      ['participant', cast.members[0] as RecordingClient],
      ['observer', cast.observer],
      ['projector', cast.projector],
    ];
    const seen = new Set<string>();
    const check = async (where: string) => {
      const state = fx.app.hub.state(cast.meetingId);
      if (!state) throw new Error('no state');
      for (const [role, client] of roles) {
        const seat = findSeat(state, client.seatId);
        if (!seat) throw new Error('no seat');
        for (const kind of NOTE_KINDS) {
          const expected = canPostNote(state, seat, kind);
          const ack = await add(client, `${where} ${role} ${kind}`, noteSecret(), kind);
          const label = `${where} / ${role} / ${kind}`;
          if (expected.ok) expect(ack.ok, label).toBe(true);
          else expect(ack.ok ? 'accepted' : ack.error.code, label).toBe(CODE[expected.reason]);
          seen.add(expected.ok ? 'ok' : expected.reason);
        }
      }
    };
    await check('lobby');
    for (const phase of cast.leader.view.phases) {
      await goToPhase(cast.leader, phase.kind, phase.caseIndex);
      await check(phase.kind);
    }
    await goToPhase(cast.leader, 'speculation');
    await cast.leader.run({ type: 'settings:update', boardOpen: false });
    await check('board closed');
    expect([...seen].sort()).toEqual(
      ['board-closed', 'forbidden', 'kind-not-allowed', 'ok', 'presenter-listening', 'wrong-status'].sort(),
    );

    // Spot checks of the table itself, so the test does not only mirror the function.
    await cast.leader.run({ type: 'settings:update', boardOpen: true });
    const member = cast.members[0] as RecordingClient;
    expect((await add(member, 'a feeling', noteSecret(), 'feeling')).ok).toBe(true);
    const q = await add(member, 'a question?', noteSecret(), 'question');
    expect(!q.ok && q.error.code).toBe(E.KIND_NOT_ALLOWED);
    const p = await add(cast.presenter, 'presenter speaks', noteSecret(), 'feeling');
    expect(!p.ok && p.error.code).toBe(E.LISTENING);
    const o = await add(cast.observer, 'observer speaks', noteSecret(), 'feeling');
    expect(!o.ok && o.error.code).toBe(E.FORBIDDEN);
    await goToPhase(cast.leader, 'questions');
    expect((await add(member, 'a factual question?', noteSecret(), 'question')).ok).toBe(true);
  });
});

describe('note:add input and retries', () => {
  it('a resent note (same secret) is acknowledged with the same id and appears once', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const member = cast.members[0] as RecordingClient;
    const secret = noteSecret();
    const first = await addOk(member, 'only once', secret);
    // The same add again, also from a new connection of the same seat (after a reload).
    const again = await addOk(member, 'only once', secret);
    const reloaded = await fx.connect(member.token, 'member-again');
    const third = await addOk(reloaded, 'only once', secret);
    expect(again.noteId).toBe(first.noteId);
    expect(third.noteId).toBe(first.noteId);
    // One note leaves only with the phase end (REL-4).
    await goToPhase(cast.leader, 'return');
    expect((await serverBoard(fx, cast.meetingId)).notes.filter((n) => n.text === 'only once')).toHaveLength(
      1,
    );
    expect(await fx.storage.listNotes(cast.meetingId)).toHaveLength(1);
  });

  it('refuses bad input with bad-request and stores nothing', async () => {
    const fx = await startBoardServer({ unlimited: true });
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const member = cast.members[0] as RecordingClient;
    const secret = noteSecret();
    const bad: unknown[] = [
      { secret, kind: 'feeling', text: '' },
      { secret, kind: 'feeling', text: '   \n\t ' },
      { secret, kind: 'feeling', text: 'x'.repeat(501) },
      { secret, kind: 'feeling', text: 'bell \u0007 character' },
      { secret, kind: 'advice', text: 'you should' },
      { secret, kind: 'feeling', text: 42 },
      { secret, kind: null, text: 'x' },
      { secret: 'short', kind: 'feeling', text: 'x' },
      { secret: 'g'.repeat(32), kind: 'feeling', text: 'x' },
      { kind: 'feeling', text: 'no secret' },
      { secret, kind: 'feeling', text: 'x', seatId: member.seatId },
      'a string',
      ['an', 'array'],
      null,
      42,
    ];
    for (const payload of bad) {
      const ack = (await member.sendRaw('note:add', payload)) as { ok: boolean; error?: { code: string } };
      expect(ack.ok, JSON.stringify(payload)).toBe(false);
      expect(ack.error?.code).toBe(E.BAD_REQUEST);
    }
    // A trimmed 500-character note is fine.
    expect((await add(member, `  ${'y'.repeat(500)}  `)).ok).toBe(true);
    expect((await fx.storage.listNotes(cast.meetingId)).map((n) => n.text.length)).toEqual([500]);
    // A command without an ack is not applied (API-10) and breaks nothing.
    const raw = member.socket as unknown as UntypedSocket;
    raw.emit('note:add', { secret: noteSecret(), kind: 'feeling', text: 'no ack' });
    raw.emit('note:add', { secret: noteSecret(), kind: 'feeling', text: 'no ack' }, 'not a function');
    raw.emit('note:delete');
    await member.barrier();
    expect(await fx.storage.listNotes(cast.meetingId)).toHaveLength(1);
    expect((await add(member, 'still served')).ok).toBe(true);
  });

  it('limits note commands per connection (memory only)', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const member = cast.members[0] as RecordingClient;
    const edit = () => member.send('note:edit', { noteId: 'A'.repeat(16), secret: noteSecret(), text: 'x' });
    for (let i = 0; i < EVENT_BUDGETS['note-write'].perConnection; i++) {
      const ack = await edit();
      expect(!ack.ok && ack.error.code).toBe(E.NO_SUCH_NOTE);
    }
    const limited = await add(member, 'too many');
    expect(!limited.ok && limited.error.code).toBe(E.RATE_LIMITED);
    expect(!limited.ok && limited.error.retryAfterMs).toBeGreaterThan(0);
    await fx.advance(10_000);
    expect((await add(member, 'later')).ok).toBe(true);
  });
});

describe('the author edits and deletes, proved by the secret', () => {
  it('edits and deletions of released notes wait for the next batch; waiting notes change at once', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const [a, b, c] = cast.members as [RecordingClient, RecordingClient, RecordingClient];
    const na = await addOk(a, 'first version');
    const nb = await addOk(b, 'to be deleted');
    // A waiting note changes in place: nobody has seen it.
    expect(
      (await a.send('note:edit', { noteId: na.noteId, secret: na.secret, text: 'second version' })).ok,
    ).toBe(true);
    const nc = await addOk(c, 'third note');
    expect(nc.status).toBe('waiting');
    expect((await cast.leader.send('board:release', {})).ok).toBe(true);
    expect((await serverBoard(fx, cast.meetingId)).notes.map((n) => n.text).sort()).toEqual([
      'second version',
      'third note',
      'to be deleted',
    ]);

    // Wrong secret, someone else's note: the same answer as a note that does not exist.
    for (const payload of [
      { noteId: na.noteId, secret: nb.secret, text: 'hijack' },
      { noteId: na.noteId, secret: noteSecret(), text: 'hijack' },
      { noteId: 'no-such-note-0', secret: na.secret, text: 'hijack' },
    ]) {
      const ack = await b.send('note:edit', payload);
      expect(!ack.ok && ack.error.code).toBe(E.NO_SUCH_NOTE);
    }
    const wrongDelete = await a.send('note:delete', { noteId: nb.noteId, secret: na.secret });
    expect(!wrongDelete.ok && wrongDelete.error.code).toBe(E.NO_SUCH_NOTE);

    // Released: the edit and the deletion wait (two changes < 3); a leader's release does not send
    // them (REL-4), the phase end does.
    expect(
      (await a.send('note:edit', { noteId: na.noteId, secret: na.secret, text: 'third version' })).ok,
    ).toBe(true);
    expect((await b.send('note:delete', { noteId: nb.noteId, secret: nb.secret })).ok).toBe(true);
    expect((await serverBoard(fx, cast.meetingId)).notes.map((n) => n.text)).toContain('second version');
    expect((await serverBoard(fx, cast.meetingId)).notes.map((n) => n.text)).toContain('to be deleted');
    const mine = await a.send<Record<string, string>>('note:mine', {
      notes: [
        { noteId: na.noteId, secret: na.secret },
        { noteId: nb.noteId, secret: nb.secret },
        { noteId: nc.noteId, secret: na.secret },
      ],
    });
    expect(mine.ok && mine.value).toEqual({
      [na.noteId]: 'released',
      [nb.noteId]: 'deleted',
      [nc.noteId]: 'deleted',
    });
    expect(await cast.leader.send('board:release', {})).toEqual({ ok: true });
    expect((await serverBoard(fx, cast.meetingId)).notes.map((n) => n.text)).toContain('to be deleted');
    await goToPhase(cast.leader, 'return');
    expect((await serverBoard(fx, cast.meetingId)).notes.map((n) => n.text).sort()).toEqual([
      'third note',
      'third version',
    ]);
    expect(await fx.storage.getNote(cast.meetingId, nb.noteId)).toBeNull();
  });
});

describe('release modes, moderation and the leaders’ view', () => {
  it('screening: batches go to the leaders’ queue; approve, hide and show; never a seat in the view', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx, { release: 'screening' });
    await goToPhase(cast.leader, 'speculation');
    const views: LeaderNotesView[] = [];
    cast.leader.socket.on('board:leader', (v) => views.push(v));
    const ids: string[] = [];
    for (const [i, m] of cast.members.slice(0, 3).entries())
      ids.push((await addOk(m, `screened ${i}`)).noteId);
    await cast.leader.barrier();
    // No view per note (REL-5); the leader's release sends the three to the queue.
    expect(views).toEqual([]);
    expect((await cast.leader.send('board:release', {})).ok).toBe(true);
    await cast.leader.barrier();
    const queue = views.at(-1);
    expect(queue?.screening.map((n) => n.text).sort()).toEqual(['screened 0', 'screened 1', 'screened 2']);
    expect((await serverBoard(fx, cast.meetingId)).notes).toEqual([]);

    const [one, two, three] = ids as [string, string, string];
    expect((await cast.leader.send('note:moderate', { noteId: one, action: 'approve' })).ok).toBe(true);
    expect((await cast.leader.send('note:moderate', { noteId: two, action: 'hide' })).ok).toBe(true);
    expect((await serverBoard(fx, cast.meetingId)).notes.map((n) => n.id)).toEqual([one]);
    await cast.leader.barrier();
    expect(views.at(-1)?.hidden.map((n) => n.noteId)).toEqual([two]);
    expect(views.at(-1)?.screening.map((n) => n.noteId)).toEqual([three]);
    expect((await cast.leader.send('note:moderate', { noteId: two, action: 'show' })).ok).toBe(true);
    expect((await serverBoard(fx, cast.meetingId)).notes.map((n) => n.id).sort()).toEqual([one, two].sort());
    // A released note can be hidden and shown again, in its place.
    expect((await cast.leader.send('note:moderate', { noteId: one, action: 'hide' })).ok).toBe(true);
    expect((await serverBoard(fx, cast.meetingId)).notes.map((n) => n.id)).toEqual([two]);

    const wrong = await cast.leader.send('note:moderate', { noteId: three, action: 'show' });
    expect(!wrong.ok && wrong.error.code).toBe(E.WRONG_STATUS);
    const member = await (cast.members[0] as RecordingClient).send('note:moderate', {
      noteId: three,
      action: 'approve',
    });
    expect(!member.ok && member.error.code).toBe(E.FORBIDDEN);
    const release = await (cast.members[0] as RecordingClient).send('board:release', {});
    expect(!release.ok && release.error.code).toBe(E.FORBIDDEN);

    const seatIds = cast.everyone.map((c) => c.seatId);
    for (const v of views)
      for (const seatId of seatIds) expect(JSON.stringify(v).includes(seatId)).toBe(false);
  });

  it('named meetings: notes carry the display name and appear at once', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx, { anonymity: 'named' });
    await goToPhase(cast.leader, 'speculation');
    const member = cast.members[0] as RecordingClient;
    const ack = await addOk(member, 'signed note');
    expect(ack.status).toBe('released');
    expect((await serverBoard(fx, cast.meetingId)).notes).toMatchObject([
      { text: 'signed note', author: member.view.you.name },
    ]);
  });

  it('anonymous meetings never store or show an author', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    for (const m of cast.members.slice(0, 3)) await addOk(m, 'anonymous');
    expect((await serverBoard(fx, cast.meetingId)).notes.every((n) => n.author === undefined)).toBe(true);
    expect((await fx.storage.listNotes(cast.meetingId)).every((n) => n.authorName === null)).toBe(true);
  });

  it('BOARD-10: the presenter marks resonance in the return phase only: a count, no names, kept with the row', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const ids: string[] = [];
    for (const m of cast.members.slice(0, 3)) ids.push((await addOk(m, 'resonates?')).noteId);
    const noteId = ids[0] as string;
    const early = await cast.presenter.send('note:resonate', { noteId, on: true });
    expect(!early.ok && early.error.code).toBe(E.WRONG_STATUS);
    await goToPhase(cast.leader, 'return');
    const member = await (cast.members[0] as RecordingClient).send('note:resonate', { noteId, on: true });
    expect(!member.ok && member.error.code).toBe(E.FORBIDDEN);
    expect((await cast.presenter.send('note:resonate', { noteId, on: true })).ok).toBe(true);
    // Kept with the note; the public board carries it only once the presenter shows it (BOARD-10).
    expect((await fx.storage.getNote(cast.meetingId, noteId))?.resonance).toBe(1);
    expect((await serverBoard(fx, cast.meetingId)).notes.find((n) => n.id === noteId)?.resonance).toBe(0);
    expect(await cast.presenter.run({ type: 'case:showResonance', caseIndex: 0, on: true })).toEqual({
      ok: true,
    });
    expect((await serverBoard(fx, cast.meetingId)).notes.find((n) => n.id === noteId)?.resonance).toBe(1);
    expect((await cast.presenter.send('note:resonate', { noteId, on: false })).ok).toBe(true);
    expect((await serverBoard(fx, cast.meetingId)).notes.find((n) => n.id === noteId)?.resonance).toBe(0);
    expect((await fx.storage.getNote(cast.meetingId, noteId))?.resonance).toBe(0);
    const missing = await cast.presenter.send('note:resonate', { noteId: 'no-such-note-0', on: true });
    expect(!missing.ok && missing.error.code).toBe(E.NO_SUCH_NOTE);
  });
});

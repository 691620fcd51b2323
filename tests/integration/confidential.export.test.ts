/**
 * `board:export` (DESIGN.md section 6: the leader may export before the end): every case's public
 * board, themes and notes, never an author, not even in named meetings; leaders and co-leaders only.
 */
import { describe, expect, it } from 'vitest';
import { setNoteLayout, setTheme, readBoard } from '../../shared/board/schema';
import { ERROR_CODES as E } from '../../shared/errors';
import type { BoardExport } from '../../shared/protocol';
import {
  BOARD_NAMES,
  goToPhase,
  noteSecret,
  startBoardCast,
  startBoardServer,
  type BoardCast,
  type BoardFixture,
  type RecordingClient,
} from '../helpers/board-fixture';

async function add(c: RecordingClient, text: string, kind = 'feeling'): Promise<string> {
  const ack = await c.send<{ noteId: string }>('note:add', { secret: noteSecret(), kind, text });
  if (!ack.ok) throw new Error(`note:add refused: ${ack.error.code}`);
  return ack.value.noteId;
}

const exportOf = (c: RecordingClient) => c.send<BoardExport>('board:export', {});

/**
 * A named two-case meeting: case 0 with a theme (a highlighted, resonated note in it, one in no
 * theme, one parked, one hidden by a leader), case 1 with one approved note in a theme and one
 * still held for screening. A member is co-leader.
 */
async function arrangedMeeting(fx: BoardFixture) {
  const cast = await startBoardCast(fx, {
    title: 'Export group',
    anonymity: 'named',
    templateId: 'classic-90-two-cases',
  });
  const [a, b, c, co] = cast.members as [RecordingClient, RecordingClient, RecordingClient, RecordingClient];
  expect(await cast.leader.run({ type: 'seat:setRole', seatId: co.seatId, role: 'co-leader' })).toEqual({
    ok: true,
  });
  await goToPhase(cast.leader, 'speculation', 0);
  const lead0 = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'leader case 0');
  await lead0.synced();
  const themed = await add(a, 'a knot in the stomach');
  const loose = await add(b, 'the patient as a lighthouse', 'image');
  const parked = await add(c, 'try a referral', 'association');
  const hidden = await add(a, 'a remark the leader hides');
  await lead0.until((d) => readBoard(d).notes.length === 4, 'four notes');
  setTheme(lead0.doc, 'theme-export-aaaa', 'Helplessness');
  setTheme(lead0.doc, 'theme-export-bbbb', 'An empty theme');
  setNoteLayout(lead0.doc, themed, { theme: 'theme-export-aaaa', highlight: true, x: 5, y: 5 });
  // BOARD-9: parked by command; the leader keeps case 0's parking lot for the export.
  expect((await cast.leader.send('note:moderate', { noteId: parked, action: 'park' })).ok).toBe(true);
  expect(await cast.leader.run({ type: 'case:setParkingLot', caseIndex: 0, parkingLot: 'export' })).toEqual({
    ok: true,
  });
  expect((await cast.leader.send('note:moderate', { noteId: hidden, action: 'hide' })).ok).toBe(true);
  await goToPhase(cast.leader, 'return', 0);
  expect((await cast.presenter.send('note:resonate', { noteId: themed, on: true })).ok).toBe(true);

  expect(await cast.leader.run({ type: 'settings:update', release: 'screening' })).toEqual({ ok: true });
  await goToPhase(cast.leader, 'speculation', 1);
  const approved = await add(b, 'a locked door', 'image');
  await add(c, 'still held for screening');
  expect((await cast.leader.send('note:moderate', { noteId: approved, action: 'approve' })).ok).toBe(true);
  const lead1 = fx.openBoard(cast.leader.token, cast.meetingId, 1, 'leader case 1');
  await lead1.synced();
  setTheme(lead1.doc, 'theme-export-cccc', 'Closed doors');
  setNoteLayout(lead1.doc, approved, { theme: 'theme-export-cccc' });
  // The theme is stored once a read-only board sees it (the server relays only what it stored).
  const watch = fx.openBoard(a.token, cast.meetingId, 1, 'member case 1');
  await watch.until((d) => readBoard(d).notes.some((n) => n.theme === 'theme-export-cccc'), 'the theme');
  return { cast, coLeader: co, ids: { themed, loose, parked, hidden, approved } };
}

const EXPECTED_CASES: BoardExport['cases'] = [
  {
    caseIndex: 0,
    themes: [
      { name: 'An empty theme', notes: [] },
      {
        name: 'Helplessness',
        notes: [{ kind: 'feeling', text: 'a knot in the stomach', highlight: true, resonance: 1 }],
      },
    ],
    unthemed: [{ kind: 'image', text: 'the patient as a lighthouse', highlight: false, resonance: 0 }],
    parked: [{ kind: 'association', text: 'try a referral', highlight: false, resonance: 0 }],
  },
  {
    caseIndex: 1,
    themes: [
      {
        name: 'Closed doors',
        notes: [{ kind: 'image', text: 'a locked door', highlight: false, resonance: 0 }],
      },
    ],
    unthemed: [],
    parked: [],
  },
];

function expectNoIdentity(exp: unknown, cast: BoardCast, ids: Record<string, string>) {
  const json = JSON.stringify(exp);
  const names = [BOARD_NAMES.leader, BOARD_NAMES.presenter, BOARD_NAMES.observer, ...BOARD_NAMES.members];
  const seats = cast.everyone.map((c) => c.seatId);
  for (const s of [...names, ...seats, ...Object.values(ids), 'author', 'theme-export']) {
    expect(json.includes(s), s).toBe(false);
  }
}

describe('board:export (CONF-5)', () => {
  it("CONF-5: a leader gets every case's board (themes, unthemed, parked, highlight, resonance) and no author, not even in named mode", async () => {
    const fx = await startBoardServer();
    const { cast, coLeader, ids } = await arrangedMeeting(fx);
    const ack = await exportOf(cast.leader);
    if (!ack.ok) throw new Error(ack.error.code);
    expect(ack.value).toEqual({ title: 'Export group', exportedAt: fx.clock.now(), cases: EXPECTED_CASES });
    // Not the hidden note, not the one held for screening.
    expect(JSON.stringify(ack.value)).not.toMatch(/hides|held for screening/);
    expectNoIdentity(ack.value, cast, ids);
    // The board itself does name authors in this meeting: the export leaves them out on purpose.
    const doc = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'leader again');
    // Two notes: the parked one is off the public board (BOARD-9).
    await doc.until((d) => readBoard(d).notes.length === 2, 'the board');
    expect(readBoard(doc.doc).notes.every((n) => n.author !== undefined)).toBe(true);

    // A co-leader gets the same; nothing changed on the way.
    expect(await exportOf(coLeader)).toEqual(ack);
    // Exporting changes nothing and is repeatable.
    expect(await exportOf(cast.leader)).toEqual(ack);
  });

  it('CONF-5: notes waiting for release are not exported (nobody has seen them)', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx, { title: '' });
    await goToPhase(cast.leader, 'speculation');
    await add(cast.members[0] as RecordingClient, 'waiting one');
    await add(cast.members[1] as RecordingClient, 'waiting two');
    const ack = await exportOf(cast.leader);
    expect(ack).toEqual({
      ok: true,
      value: {
        title: '',
        exportedAt: fx.clock.now(),
        cases: [{ caseIndex: 0, themes: [], unthemed: [], parked: [] }],
      },
    });
    // Two notes leave with the phase end (REL-4).
    await goToPhase(cast.leader, 'return');
    const after = await exportOf(cast.leader);
    expect(after.ok && after.value.cases[0]?.unthemed.map((n) => n.text).sort()).toEqual([
      'waiting one',
      'waiting two',
    ]);
  });

  it('CONF-5: participant, presenter, observer, projector, a waiting seat and a demoted co-leader are refused with forbidden', async () => {
    const fx = await startBoardServer();
    const { cast, coLeader } = await arrangedMeeting(fx);
    await goToPhase(cast.leader, 'return', 0);
    await cast.presenter.waitFor((v) => v.you.effectiveRole === 'presenter');
    expect(await cast.leader.run({ type: 'settings:update', locked: true })).toEqual({ ok: true });
    const code = (await cast.leader.waitFor((v) => v.joinCode !== undefined)).joinCode as string;
    const waiting = await fx.connect((await fx.api.join(code, 'Wanda Waiting')).token, 'waiting');
    expect(waiting.view.you.admitted).toBe(false);

    const others = [
      cast.presenter,
      cast.members[0],
      cast.observer,
      cast.projector,
      waiting,
    ] as RecordingClient[];
    for (const c of others) {
      const ack = await exportOf(c);
      expect(ack.ok ? 'exported' : ack.error.code, c.label).toBe(E.FORBIDDEN);
      expect(JSON.stringify(ack), c.label).not.toContain('knot');
    }
    // A co-leader stepped down is refused at once.
    expect(
      await cast.leader.run({ type: 'seat:setRole', seatId: coLeader.seatId, role: 'participant' }),
    ).toEqual({
      ok: true,
    });
    const demoted = await exportOf(coLeader);
    expect(demoted.ok ? 'exported' : demoted.error.code).toBe(E.FORBIDDEN);
    // A malformed request is refused before anything is read.
    for (const bad of [{ caseIndex: 0 }, 'all', 7]) {
      const ack = await cast.leader.send('board:export', bad);
      expect(ack.ok ? 'exported' : ack.error.code).toBe(E.BAD_REQUEST);
    }
  });
});

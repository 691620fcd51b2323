/**
 * Several copies of a case board converge, whatever order their frames arrive in, with clients
 * dropping and reconnecting, the server's writer releasing and deleting notes and two leaders
 * rearranging at the same time. Seeded: a failing seed replays exactly.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { hashSecret } from '../../server/security/tokens';
import { BoardRoom } from '../../server/board/room';
import { notesMap, readBoard, setNoteLayout, setTheme, themesMap } from '../../shared/board/schema';
import { createPrng } from '../helpers/prng';
import { SimClient, startBoardSim } from '../helpers/board-sim';

const SEEDS = [1, 2, 3, 4, 5, 6];
const STEPS = 500;

async function runSeed(seed: number) {
  const rng = createPrng(seed);
  const sim = await startBoardSim(seed);
  const leaders = [
    new SimClient('leader', sim.leaderSeatId, true),
    new SimClient('leader-tab-2', sim.leaderSeatId, true),
  ];
  const readers = sim.memberSeatIds.map((seatId, i) => new SimClient(`reader${i}`, seatId, false));
  const clients = [...leaders, ...readers];
  let notes = 0;

  const addNote = async () => {
    notes += 1;
    await sim.storage.putNote({
      meetingId: sim.meetingId,
      noteId: `sim-note-${seed}-${notes}`,
      caseIndex: 0,
      kind: 'association',
      text: `association ${notes}`,
      secretHash: hashSecret(`secret-${seed}-${notes}`),
      status: 'waiting',
      pendingText: null,
      pendingDelete: false,
      batch: null,
      authorName: null,
    });
    await sim.core.release(sim.meetingId, 0, 'change');
  };
  const deleteSomeNote = async () => {
    const released = (await sim.storage.listNotes(sim.meetingId)).filter(
      (n) => n.status === 'released' && !n.pendingDelete,
    );
    if (released.length === 0) return;
    await sim.storage.putNote({ ...rng.pick(released), pendingDelete: true });
    await sim.core.release(sim.meetingId, 0, 'change');
  };
  const leaderEdit = (leader: SimClient) => {
    const ids = [...notesMap(leader.doc).keys()];
    const themes = [...themesMap(leader.doc).keys()];
    const roll = rng.next();
    if (roll < 0.15 || ids.length === 0)
      setTheme(leader.doc, `theme-${seed}-${rng.int(0, 5)}`, `Theme ${rng.int(0, 99)}`);
    else if (roll < 0.2 && themes.length > 0) themesMap(leader.doc).delete(rng.pick(themes));
    else {
      const id = rng.pick(ids);
      setNoteLayout(leader.doc, id, {
        x: rng.int(0, 1000),
        y: rng.int(0, 1000),
        highlight: rng.next() < 0.3,
        theme: themes.length > 0 && rng.next() < 0.5 ? rng.pick(themes) : null,
      });
    }
  };

  for (const c of clients) await sim.connect(c);
  for (let step = 0; step < STEPS; step++) {
    const roll = rng.next();
    const client = rng.pick(clients);
    if (roll < 0.5) await sim.deliver(client, rng.next() < 0.5 ? 'in' : 'out');
    else if (roll < 0.62) await addNote();
    else if (roll < 0.66) await deleteSomeNote();
    else if (roll < 0.8) {
      const leader = rng.pick(leaders);
      if (leader.connected) leaderEdit(leader);
    } else if (roll < 0.86) sim.disconnect(client);
    else if (roll < 0.92) await sim.connect(client);
    else if (roll < 0.94) await sim.core.release(sim.meetingId, 0, 'leader');
  }
  for (const c of clients) await sim.connect(c);
  await sim.flush(clients);
  return { sim, clients, leaders };
}

describe('board convergence (seeded random delivery)', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every copy equals the server's board, and nobody was closed`, async () => {
      const { sim, clients, leaders } = await runSeed(seed);
      const server = (await sim.core.room(sim.meetingId, 0)).doc;
      try {
        for (const c of clients) {
          expect(c.closedWith, `${c.label}: ${c.closedReason}`).toBeNull();
          expect(Y.equalSnapshots(Y.snapshot(c.doc), Y.snapshot(server)), c.label).toBe(true);
          expect(readBoard(c.doc), c.label).toEqual(readBoard(server));
        }
        // Every item was written by the server (its writer, or a release batch's own, SCALE-18) or
        // by a leader's copy; never by a participant's copy.
        const participantCopies = new Set(
          clients.filter((c) => !leaders.includes(c)).map((c) => c.doc.clientID),
        );
        const { structs } = Y.decodeUpdate(Y.encodeStateAsUpdate(server));
        for (const s of structs) expect(participantCopies.has(s.id.client)).toBe(false);
        // What storage holds loads into the same board.
        const reloaded = await BoardRoom.load(sim.meetingId, 0, {
          storage: sim.storage,
          now: () => sim.clock.now(),
          serialized: (id, job) => sim.hub.serialized(id, job),
        });
        expect(Y.equalSnapshots(Y.snapshot(reloaded.doc), Y.snapshot(server))).toBe(true);
        expect(readBoard(reloaded.doc)).toEqual(readBoard(server));
        reloaded.destroy();
      } finally {
        for (const c of clients) c.destroy();
        await sim.close();
      }
    });
  }

  it('is repeatable: the same seed gives the same board', async () => {
    const a = await runSeed(3);
    const b = await runSeed(3);
    const strip = (doc: Y.Doc) => readBoard(doc);
    try {
      expect(
        strip((await a.sim.core.room(a.sim.meetingId, 0)).doc).notes.map((n) => [n.text, n.batch]),
      ).toEqual(strip((await b.sim.core.room(b.sim.meetingId, 0)).doc).notes.map((n) => [n.text, n.batch]));
    } finally {
      for (const c of [...a.clients, ...b.clients]) c.destroy();
      await a.sim.close();
      await b.sim.close();
    }
  });
});

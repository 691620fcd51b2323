/**
 * Shuffled batches (DESIGN 4): with a seeded random source and 62 notes sent by four participants
 * in a known order, the board's order is unrelated to the send order, and no batch goes out with
 * fewer than three notes unless a leader released it or the phase ended.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MIN_BATCH, RELEASE_DELAY_MAX_MS } from '../../server/board/release';
import { notesMap, readBoard } from '../../shared/board/schema';
import { goToPhase, noteSecret, startBoardCast, startBoardServer } from '../helpers/board-fixture';

const NOTES = 62;

/** Spearman's rank correlation of two equally long lists of distinct values. */
function spearman(a: readonly number[], b: readonly number[]): number {
  const ranks = (xs: readonly number[]) => {
    const order = xs.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(xs.length);
    order.forEach(([, i], rank) => (r[i] = rank));
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const d2 = ra.reduce((sum, r, i) => sum + (r - (rb[i] as number)) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

describe('shuffled release batches (REL-1)', () => {
  it('62 notes from four participants: board order unrelated to send order; batches of at least three', async () => {
    const fx = await startBoardServer({ seed: 2026 });
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const projector = fx.openBoard(cast.projector.token, cast.meetingId, 0, 'projector');
    await projector.synced();

    // Round robin over the four participants: send index -> text.
    const sent: string[] = [];
    const boardSizes: number[] = [];
    for (let i = 0; i < NOTES; i++) {
      const author = cast.members[i % 4];
      const text = `note number ${i} from member ${i % 4}`;
      const ack = await author?.send<{ noteId: string; status: string }>('note:add', {
        secret: noteSecret(),
        kind: 'association',
        text,
      });
      if (!ack?.ok) throw new Error('note:add failed');
      // Every note waits; a full batch leaves after its random delay (REL-1).
      expect(ack.value.status).toBe('waiting');
      sent.push(text);
      if ((i + 1) % MIN_BATCH === 0) {
        await fx.advance(RELEASE_DELAY_MAX_MS);
        await projector.until((d) => readBoard(d).notes.length === i + 1, `${i + 1} notes`);
      }
      boardSizes.push(readBoard(projector.doc).notes.length);
    }
    // Nothing reached the board before its batch was complete.
    expect(boardSizes).toEqual(sent.map((_, i) => Math.floor((i + 1) / MIN_BATCH) * MIN_BATCH));
    expect(readBoard(projector.doc).notes).toHaveLength(60);

    // The phase ends: the last two go out as a smaller batch.
    await goToPhase(cast.leader, 'return');
    await projector.until((d) => readBoard(d).notes.length === NOTES, 'the phase-end batch');

    const board = readBoard(projector.doc);
    const sendIndex = (text: string) => sent.indexOf(text);
    const batches = new Map<number, number[]>();
    for (const n of board.notes) batches.set(n.batch, [...(batches.get(n.batch) ?? []), sendIndex(n.text)]);
    const sizes = [...batches.entries()].sort((a, b) => a[0] - b[0]).map(([, xs]) => xs.length);
    expect(sizes).toEqual([...new Array<number>(20).fill(3), 2]);
    expect(sizes.slice(0, -1).every((s) => s >= MIN_BATCH)).toBe(true);

    // Board order (what every screen shows) against send order: no relation.
    const shown = board.notes.map((n) => sendIndex(n.text));
    const rhoShown = spearman(
      shown,
      shown.map((_, i) => i),
    );
    expect(Math.abs(rhoShown)).toBeLessThan(0.25);

    // The writer's item order inside each batch (what a Yjs update reveals) against send order.
    const clockOf = (id: string) => (notesMap(projector.doc).get(id) as Y.Map<unknown>)._item?.id.clock ?? -1;
    const placed: { sendPos: number; writePos: number; author: number }[] = [];
    for (const [batch, indices] of batches) {
      const bySend = [...indices].sort((x, y) => x - y);
      board.notes
        .filter((n) => n.batch === batch)
        .sort((x, y) => clockOf(x.id) - clockOf(y.id))
        .forEach((n, writePos) => {
          const idx = sendIndex(n.text);
          placed.push({ sendPos: bySend.indexOf(idx), writePos, author: idx % 4 });
        });
    }
    expect(Math.abs(pearson(placed.map((p) => [p.sendPos, p.writePos])))).toBeLessThan(0.3);
    // Each author's notes are written at different places in their batches, not always the same.
    for (let author = 0; author < 4; author++) {
      const positions = new Set(placed.filter((p) => p.author === author).map((p) => p.writePos));
      expect(positions.size, `member ${author}`).toBeGreaterThan(1);
    }
  });
});

function pearson(pairs: readonly [number, number][]): number {
  const n = pairs.length;
  const mx = pairs.reduce((s, p) => s + p[0], 0) / n;
  const my = pairs.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

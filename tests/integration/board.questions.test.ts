/**
 * BOARD-11: written questions are never on the push-back board. In the questions phase they reach
 * the leaders in shuffled batches; the presenter and the projector get only what a leader passes
 * on (one, or all at once), in a questions view of their own; participants never. From push-back
 * on only leaders receive them: every frame and payload of the presenter, a participant and the
 * projector is searched.
 */
import { describe, expect, it } from 'vitest';
import type { LeaderNotesView, QuestionsView } from '../../shared/board/commands';
import { readBoard } from '../../shared/board/schema';
import { ERROR_CODES as E } from '../../shared/errors';
import {
  goToPhase,
  noteSecret,
  startBoardCast,
  startBoardServer,
  type BoardClient,
  type RecordingClient,
} from '../helpers/board-fixture';
import { pollUntil } from '../helpers/poll';

const WAIT_MS = 5_000;
const QUESTIONS = [
  'Qzq-one: how old is the patient?',
  'Qzq-two: did she come alone?',
  'Qzq-three: how long have you known her?',
];

function latest<T>(client: RecordingClient, event: string): T | undefined {
  const last = client.received.filter((e) => e.event === event).at(-1);
  return last ? (JSON.parse(last.json) as [T])[0] : undefined;
}

const texts = (v: QuestionsView | undefined) => (v?.questions ?? []).map((q) => q.text).sort();

describe('questions are never on the board (BOARD-11)', () => {
  it('BOARD-11: questions reach the leaders in a batch; the presenter and the projector get only what is passed on, and nothing from push-back on; participants never', async () => {
    const fx = await startBoardServer({ seed: 61 });
    const cast = await startBoardCast(fx);
    const { leader, presenter, projector } = cast;
    const member = cast.members[3] as RecordingClient;
    await goToPhase(leader, 'questions');
    const ids: string[] = [];
    for (const [i, text] of QUESTIONS.entries()) {
      const ack = await cast.members[i]?.send<{ noteId: string; status: string }>('note:add', {
        secret: noteSecret(),
        kind: 'question',
        text,
      });
      if (!ack?.ok) throw new Error('note:add refused');
      ids.push(ack.value.noteId);
    }
    // The leader's release sends the batch, to the leaders only.
    expect((await leader.send('board:release', {})).ok).toBe(true);
    await pollUntil(
      () => (latest<LeaderNotesView>(leader, 'board:leader')?.questions.length ?? 0) === 3,
      WAIT_MS,
      "the batch in the leaders' view",
    );
    expect(latest<LeaderNotesView>(leader, 'board:leader')?.questions.every((q) => !q.passed)).toBe(true);
    await Promise.all([presenter, projector].map((c) => c.barrier()));
    expect(texts(latest<QuestionsView>(presenter, 'board:questions'))).toEqual([]);

    // Only leaders pass them on.
    for (const who of [presenter, member, projector, cast.observer]) {
      const r = await who.send('question:pass', { noteId: ids[0] });
      expect(r, who.label).toEqual({ ok: false, error: expect.objectContaining({ code: E.FORBIDDEN }) });
    }
    expect((await leader.send('question:pass', { noteId: 'no-such-note-00' })).ok).toBe(false);
    expect((await leader.send('question:pass', { noteId: ids[0], all: true })).ok).toBe(false);
    // A question cannot be put on the board by another way.
    const hide = await leader.send('note:moderate', { noteId: ids[0], action: 'hide' });
    expect(!hide.ok && hide.error.code).toBe(E.WRONG_STATUS);

    // One question passed on: the presenter and the projector get that one.
    expect((await leader.send('question:pass', { noteId: ids[0] })).ok).toBe(true);
    for (const c of [presenter, projector]) {
      await pollUntil(
        () => texts(latest<QuestionsView>(c, 'board:questions')).length === 1,
        WAIT_MS,
        `${c.label}: one question`,
      );
      expect(texts(latest<QuestionsView>(c, 'board:questions'))).toEqual([QUESTIONS[0]]);
    }
    const again = await leader.send('question:pass', { noteId: ids[0] });
    expect(!again.ok && again.error.code).toBe(E.WRONG_STATUS);
    // The rest at once.
    expect((await leader.send('question:pass', {})).ok).toBe(true);
    for (const c of [presenter, projector]) {
      await pollUntil(
        () => texts(latest<QuestionsView>(c, 'board:questions')).length === 3,
        WAIT_MS,
        `${c.label}: every question`,
      );
    }
    expect(texts(latest<QuestionsView>(projector, 'board:questions'))).toEqual([...QUESTIONS].sort());

    // Push-back: the board has no question; from here on no question reaches a non-leader.
    const from = new Map([presenter, member, projector].map((c) => [c, c.packets.length]));
    await goToPhase(leader, 'speculation');
    const boards = [presenter, member, projector].map((c) =>
      fx.openBoard(c.token, cast.meetingId, 0, `${c.label} board`),
    );
    await Promise.all(boards.map((b) => b.synced()));
    for (const c of [presenter, projector]) {
      await pollUntil(
        () => texts(latest<QuestionsView>(c, 'board:questions')).length === 0,
        WAIT_MS,
        `${c.label}: the questions area emptied`,
      );
    }
    // A new batch of push-back notes, so that the boards did receive something.
    for (const m of cast.members.slice(0, 3)) {
      expect(
        (await m.send('note:add', { secret: noteSecret(), kind: 'feeling', text: 'a feeling' })).ok,
      ).toBe(true);
    }
    expect((await leader.send('board:release', {})).ok).toBe(true);
    await Promise.all(boards.map((b) => b.until((d) => readBoard(d).notes.length === 3, 'the batch')));
    await Promise.all([presenter, member, projector].map((c) => c.barrier()));
    for (const [i, c] of [presenter, member, projector].entries()) {
      expect(readBoard((boards[i] as BoardClient).doc).notes.every((n) => n.kind !== 'question')).toBe(true);
      for (const frame of boards[i]?.frames ?? []) {
        expect(Buffer.from(frame).includes(Buffer.from('Qzq-')), `${c.label} board frame`).toBe(false);
      }
      for (const packet of c.packets.slice(from.get(c))) {
        expect(packet.includes('Qzq-'), `${c.label}: ${packet.slice(0, 60)}`).toBe(false);
      }
    }
    // The participant never got one, not even in the questions phase.
    for (const packet of member.packets) expect(packet.includes('Qzq-'), packet.slice(0, 60)).toBe(false);
    // The leaders still have them.
    expect(
      latest<LeaderNotesView>(leader, 'board:leader')
        ?.questions.map((q) => q.text)
        .sort(),
    ).toEqual([...QUESTIONS].sort());
  });
});

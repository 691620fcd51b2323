/**
 * SCALE-60 on one server, on both databases: on PostgreSQL a case's release delay is also a
 * stored due time, written in the transaction that decided not to release and gone in the one
 * that sends the batch (or finds fewer than three when the delay passes); on SQLite the note
 * path writes no due time at all (REL-3: memory only). The storage is wrapped to record every
 * due-time write the server makes.
 */
import { describe, expect, it } from 'vitest';
import { MIN_BATCH, RELEASE_DELAY_MAX_MS, RELEASE_DELAY_MIN_MS } from '../../server/board/release';
import type { AsyncStorage, MeetingTransaction } from '../../server/storage/async/types';
import {
  goToPhase,
  noteSecret,
  startBoardCast,
  startBoardServer,
  type BoardFixture,
  type RecordingClient,
} from '../helpers/board-fixture';
import { TEST_DATABASE } from '../helpers/test-storage';

const DUE_WRITES = new Set(['setDue', 'keepDue']);

/** The storage as given, recording `name kind` of every due-time write, in transactions too. */
function recordingDueWrites(writes: string[]) {
  const recording = <T extends object>(ops: T): T =>
    new Proxy(ops, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => unknown;
        if (name === 'transaction')
          return (body: (tx: MeetingTransaction) => Promise<unknown>) =>
            fn.call(target, (tx: MeetingTransaction) => body(recording(tx)));
        if (!DUE_WRITES.has(String(name))) return fn.bind(target);
        return (...args: unknown[]) => {
          writes.push(`${String(name)} ${String(args[1])}`);
          return fn.apply(target, args);
        };
      },
    });
  return (storage: AsyncStorage): AsyncStorage => recording(storage);
}

async function add(author: RecordingClient, text: string) {
  const secret = noteSecret();
  const ack = await author.send<{ noteId: string; status: string }>('note:add', {
    secret,
    kind: 'association',
    text,
  });
  if (!ack.ok) throw new Error(`note:add refused: ${ack.error.code}`);
  return { ...ack.value, secret, author };
}

const releaseRows = async (fx: BoardFixture, meetingId: string) =>
  (await fx.storage.listDue(meetingId)).filter((r) => r.kind.startsWith('release:'));

const statuses = async (fx: BoardFixture, meetingId: string, ids: string[]) =>
  Promise.all(ids.map(async (id) => (await fx.storage.getNote(meetingId, id))?.status ?? 'gone'));

describe(`the release delay as a due time (${TEST_DATABASE})`, () => {
  it('SCALE-60: stored with the third change and gone with the batch on PostgreSQL; on SQLite no due-time write at all', async () => {
    const writes: string[] = [];
    const fx = await startBoardServer({ seed: 11, wrapStorage: recordingDueWrites(writes) });
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const members = cast.members as RecordingClient[];
    const onPostgres = TEST_DATABASE === 'postgres';

    // The third change arms the delay; on PostgreSQL it is stored for the same moment.
    writes.length = 0;
    const first = [];
    for (let i = 0; i < MIN_BATCH; i++) first.push(await add(members[i] as RecordingClient, `first ${i}`));
    const armedAt = fx.clock.now();
    const stored = await releaseRows(fx, cast.meetingId);
    if (onPostgres) {
      expect(writes).toContain('keepDue release:0');
      expect(stored).toHaveLength(1);
      expect(stored[0]?.kind).toBe('release:0');
      const delay = (stored[0]?.dueAt as number) - armedAt;
      expect(delay).toBeGreaterThanOrEqual(RELEASE_DELAY_MIN_MS);
      expect(delay).toBeLessThanOrEqual(RELEASE_DELAY_MAX_MS);
      // The local timer ends at the stored time: not a millisecond before it.
      await fx.advance(delay - 1);
      expect(
        await statuses(
          fx,
          cast.meetingId,
          first.map((n) => n.noteId),
        ),
      ).toEqual(['waiting', 'waiting', 'waiting']);
      await fx.advance(1);
    } else {
      expect(writes).toEqual([]);
      expect(stored).toEqual([]);
      await fx.advance(RELEASE_DELAY_MAX_MS);
    }
    expect(
      await statuses(
        fx,
        cast.meetingId,
        first.map((n) => n.noteId),
      ),
    ).toEqual(['released', 'released', 'released']);
    expect(await releaseRows(fx, cast.meetingId)).toEqual([]);

    // A leader's release sends the batch before the delay, and the stored delay goes with it.
    const second = [];
    for (let i = 0; i < MIN_BATCH; i++) second.push(await add(members[i] as RecordingClient, `second ${i}`));
    expect(await releaseRows(fx, cast.meetingId)).toHaveLength(onPostgres ? 1 : 0);
    expect(await cast.leader.send('board:release', {})).toEqual({ ok: true });
    expect(
      await statuses(
        fx,
        cast.meetingId,
        second.map((n) => n.noteId),
      ),
    ).toEqual(['released', 'released', 'released']);
    expect(await releaseRows(fx, cast.meetingId)).toEqual([]);

    // Three wait, one is taken back: when the delay passes with two, nothing leaves, and no
    // stored delay is left behind to release them later (REL-1: a fresh delay from three on).
    const third = [];
    for (let i = 0; i < MIN_BATCH; i++) third.push(await add(members[i] as RecordingClient, `third ${i}`));
    const taken = third[0] as (typeof third)[number];
    expect((await taken.author.send('note:delete', { noteId: taken.noteId, secret: taken.secret })).ok).toBe(
      true,
    );
    expect(await releaseRows(fx, cast.meetingId)).toHaveLength(onPostgres ? 1 : 0);
    await fx.advance(RELEASE_DELAY_MAX_MS);
    expect(
      await statuses(
        fx,
        cast.meetingId,
        third.slice(1).map((n) => n.noteId),
      ),
    ).toEqual(['waiting', 'waiting']);
    expect(await releaseRows(fx, cast.meetingId)).toEqual([]);

    if (!onPostgres) expect(writes).toEqual([]);
  });
});

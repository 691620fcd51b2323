import { describe, expect, it } from 'vitest';
import {
  MIN_BATCH,
  orderBatch,
  pendingChanges,
  pendingCount,
  releaseDelayMs,
  releaseTarget,
  RELEASE_DELAY_MAX_MS,
  RELEASE_DELAY_MIN_MS,
  shouldArmDelay,
  shouldRelease,
  type ReleaseTrigger,
} from '../../server/board/release';
import { seededRandom } from '../../server/core/random';
import type { NoteRow } from '../../server/storage/types';

const ANON_BATCH = { anonymity: 'anonymous', release: 'batch' } as const;
const ANON_SCREEN = { anonymity: 'anonymous', release: 'screening' } as const;
const NAMED_BATCH = { anonymity: 'named', release: 'batch' } as const;
const NAMED_SCREEN = { anonymity: 'named', release: 'screening' } as const;

let seq = 0;
function note(partial: Partial<NoteRow> = {}): NoteRow {
  seq += 1;
  return {
    meetingId: 'm',
    noteId: `note-${String(seq).padStart(4, '0')}`,
    caseIndex: 0,
    kind: 'feeling',
    text: `text ${seq}`,
    secretHash: 'ab'.repeat(32),
    status: 'waiting',
    pendingText: null,
    pendingDelete: false,
    batch: null,
    authorName: null,
    ...partial,
  };
}

describe('shouldRelease (REL-1, REL-4)', () => {
  it('REL-1: anonymous meetings never send at the moment of a change; from three on they arm the delay', () => {
    for (const settings of [ANON_BATCH, ANON_SCREEN]) {
      for (const n of [0, 1, MIN_BATCH - 1, MIN_BATCH, 10])
        expect(shouldRelease(settings, n, 'change')).toBe(false);
      expect(shouldArmDelay(settings, MIN_BATCH - 1)).toBe(false);
      expect(shouldArmDelay(settings, MIN_BATCH)).toBe(true);
      expect(shouldRelease(settings, MIN_BATCH - 1, 'timer')).toBe(false);
      expect(shouldRelease(settings, MIN_BATCH, 'timer')).toBe(true);
    }
    expect(shouldArmDelay(NAMED_BATCH, 10)).toBe(false);
  });

  it('REL-4: a leader release needs three; a phase end sends even one, never zero', () => {
    for (const settings of [ANON_BATCH, ANON_SCREEN]) {
      expect(shouldRelease(settings, 1, 'leader')).toBe(false);
      expect(shouldRelease(settings, MIN_BATCH - 1, 'leader')).toBe(false);
      expect(shouldRelease(settings, MIN_BATCH, 'leader')).toBe(true);
      expect(shouldRelease(settings, 1, 'phase-end')).toBe(true);
    }
    const triggers: ReleaseTrigger[] = ['leader', 'phase-end', 'timer', 'change'];
    for (const settings of [ANON_BATCH, ANON_SCREEN, NAMED_BATCH, NAMED_SCREEN])
      for (const trigger of triggers) expect(shouldRelease(settings, 0, trigger)).toBe(false);
  });

  it('REL-1: the delay is drawn from the injected source, within 5–20 s', () => {
    const random = seededRandom(11);
    const delays = Array.from({ length: 200 }, () => releaseDelayMs(random));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(RELEASE_DELAY_MIN_MS);
      expect(d).toBeLessThanOrEqual(RELEASE_DELAY_MAX_MS);
    }
    expect(releaseDelayMs({ next: () => 0 })).toBe(RELEASE_DELAY_MIN_MS);
    expect(releaseDelayMs({ next: () => 1 - 2 ** -48 })).toBe(RELEASE_DELAY_MAX_MS);
    expect(new Set(delays).size).toBeGreaterThan(150);
  });

  it('named meetings send every change at once', () => {
    expect(shouldRelease(NAMED_BATCH, 1, 'change')).toBe(true);
    expect(shouldRelease(NAMED_SCREEN, 1, 'change')).toBe(true);
  });

  it('a batch goes to the board, or to the leaders’ queue in screening mode', () => {
    expect(releaseTarget(ANON_BATCH)).toBe('released');
    expect(releaseTarget(NAMED_BATCH)).toBe('released');
    expect(releaseTarget(ANON_SCREEN)).toBe('screening');
    expect(releaseTarget(NAMED_SCREEN)).toBe('screening');
  });
});

describe('pendingChanges', () => {
  it('counts waiting notes, and edits and deletions of notes others can see', () => {
    const notes = [
      note(), // waiting: insert
      note({ status: 'released', batch: 0 }), // nothing pending
      note({ status: 'released', batch: 0, pendingText: 'new' }), // edit
      note({ status: 'released', batch: 0, pendingDelete: true }), // removal
      note({ status: 'hidden', pendingText: 'new' }), // edit (the leader sees hidden notes)
      note({ status: 'screening', pendingDelete: true }), // removal from the queue
      note({ caseIndex: 1 }), // another case
    ];
    const p = pendingChanges(notes, 0, ANON_SCREEN);
    expect(p.insert).toHaveLength(1);
    expect(p.edit).toHaveLength(2);
    expect(p.remove).toHaveLength(2);
    expect(pendingCount(p)).toBe(5);
    expect(pendingCount(pendingChanges(notes, 1, ANON_SCREEN))).toBe(1);
  });

  it('in batch mode, notes left in the screening queue go to the board with the next batch', () => {
    const queued = note({ status: 'screening', batch: 0, pendingText: 'edited' });
    expect(pendingChanges([queued], 0, ANON_BATCH).insert).toEqual([queued]);
    expect(pendingChanges([queued], 0, ANON_BATCH).edit).toEqual([]);
    expect(pendingChanges([queued], 0, ANON_SCREEN).insert).toEqual([]);
    expect(pendingChanges([queued], 0, ANON_SCREEN).edit).toEqual([queued]);
  });
});

describe('orderBatch', () => {
  it('shuffles new notes with the injected source: the same seed gives the same order', () => {
    const waiting = Array.from({ length: 12 }, () => note());
    const a = orderBatch({ insert: waiting, edit: [], remove: [] }, seededRandom(7)).insert.map(
      (n) => n.noteId,
    );
    const b = orderBatch(
      { insert: [...waiting].reverse(), edit: [], remove: [] },
      seededRandom(7),
    ).insert.map((n) => n.noteId);
    // The arrival order of the input does not matter, only the seed.
    expect(a).toEqual(b);
    expect(a).not.toEqual(waiting.map((n) => n.noteId));
    expect([...a].sort()).toEqual(waiting.map((n) => n.noteId).sort());
  });

  it('orders edits and removals by their random id, never by arrival', () => {
    const edits = [note({ noteId: 'zz-edit-note' }), note({ noteId: 'aa-edit-note' })];
    const ordered = orderBatch({ insert: [], edit: edits, remove: [...edits].reverse() }, seededRandom(1));
    expect(ordered.edit.map((n) => n.noteId)).toEqual(['aa-edit-note', 'zz-edit-note']);
    expect(ordered.remove.map((n) => n.noteId)).toEqual(['aa-edit-note', 'zz-edit-note']);
  });
});

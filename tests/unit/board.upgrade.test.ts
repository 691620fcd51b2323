/**
 * What a server before PROTOCOL_VERSION 3 stored still loads: a meeting state without the
 * projector's blank or the cases' parking-lot setting, and a board whose notes carry `parked`
 * (BOARD-9: the parking lot left the public document).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BoardRoom } from '../../server/board/room';
import { upgradeParkedField } from '../../server/board/upgradeBoard';
import { MeetingQueue } from '../../server/core/meetingQueue';
import { openAsyncSqliteStorage } from '../../server/storage/async/open';
import type { AsyncStorage } from '../../server/storage/async/types';
import type { NoteRow } from '../../server/storage/types';
import { notesMap, readBoard } from '../../shared/board/schema';
import type { MeetingState } from '../../shared/meeting/state';
import { upgradeStoredState } from '../../shared/meeting/upgrade';
import { newMeeting } from '../helpers/meetingFixtures';

let storage: AsyncStorage;
afterEach(() => storage?.close());

function row(noteId: string, text: string): NoteRow {
  return {
    meetingId: 'meeting-1',
    noteId,
    caseIndex: 0,
    kind: 'feeling',
    text,
    secretHash: `hash-${noteId}`,
    status: 'released',
    pendingText: null,
    pendingDelete: false,
    batch: 0,
    authorName: null,
    layout: null,
  };
}

/** A note as a version-2 server wrote it, `parked` among the layout fields. */
function oldNote(doc: Y.Doc, id: string, text: string, parked: boolean) {
  const map = new Y.Map<unknown>();
  const fields = {
    text,
    kind: 'feeling',
    theme: null,
    highlight: true,
    parked,
    x: 3,
    y: 4,
    resonance: 0,
    batch: 0,
  };
  for (const [k, v] of Object.entries(fields)) map.set(k, v);
  notesMap(doc).set(id, map);
}

describe('loading what a version-2 server stored', () => {
  it('SCREEN-12, BOARD-9: a stored meeting state without the new fields gets their defaults', () => {
    const state = newMeeting();
    const old = structuredClone(state) as unknown as Record<string, unknown> & MeetingState;
    delete (old.settings as Partial<MeetingState['settings']>).projectorBlank;
    old.cases = old.cases.map(({ presenterSeatId }) => ({ presenterSeatId })) as MeetingState['cases'];
    const upgraded = upgradeStoredState(old);
    expect(upgraded.settings.projectorBlank).toBe(false);
    expect(upgraded.cases.every((c) => c.parkingLot === 'leaders')).toBe(true);
    expect(upgradeStoredState(state)).toEqual(state);
  });

  it('BOARD-9: a parked note leaves the public board and its row is parked with its layout; others lose the field', async () => {
    storage = openAsyncSqliteStorage({ file: ':memory:', synchronous: 'NORMAL' });
    const queue = new MeetingQueue();
    const deps = { storage, now: Date.now, serialized: queue.run.bind(queue) };
    const old = new Y.Doc();
    oldNote(old, 'note-keep-0001', 'stays on the board', false);
    oldNote(old, 'note-park-0001', 'advice, parked', true);
    await storage.appendBoardUpdate('meeting-1', 0, Y.encodeStateAsUpdate(old));
    await storage.putNote(row('note-keep-0001', 'stays on the board'));
    await storage.putNote(row('note-park-0001', 'advice, parked'));

    const room = await BoardRoom.load('meeting-1', 0, deps);
    // Before: the strict schema reads neither note.
    expect(readBoard(room.doc).notes).toEqual([]);
    await upgradeParkedField(room, storage);
    expect(readBoard(room.doc).notes.map((n) => n.id)).toEqual(['note-keep-0001']);
    expect(await storage.getNote('meeting-1', 'note-park-0001')).toMatchObject({
      status: 'parked',
      layout: { theme: null, highlight: true, x: 3, y: 4, resonance: 0 },
    });
    expect((await storage.getNote('meeting-1', 'note-keep-0001'))?.status).toBe('released');
    // A second load finds nothing to do and writes nothing.
    const stored = (await storage.loadBoardUpdates('meeting-1', 0)).length;
    const again = await BoardRoom.load('meeting-1', 0, deps);
    await upgradeParkedField(again, storage);
    expect((await storage.loadBoardUpdates('meeting-1', 0)).length).toBeLessThanOrEqual(stored);
    expect(readBoard(again.doc).notes.map((n) => n.id)).toEqual(['note-keep-0001']);
    room.destroy();
    again.destroy();
  });
});

import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  bringsNothingNew,
  checkLeaderUpdate,
  checkReadOnlyUpdate,
  type UpdateVerdict,
} from '../../server/board/updateCheck';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import {
  insertNote,
  MAX_THEMES,
  notesMap,
  removeNote,
  setNoteLayout,
  setTheme,
  themesMap,
} from '../../shared/board/schema';

const IDS = ['note-aaaa-1', 'note-bbbb-2', 'note-cccc-3'];

/** The server's board with three notes, one of them later deleted. */
function serverBoard(): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const [i, id] of IDS.entries()) insertNote(doc, { id, text: `note ${i}`, kind: 'image', batch: 0 });
  });
  setTheme(doc, 'theme-aaaa-1', 'Shame');
  return doc;
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/** What a client's provider would send for a local change: the update event of its doc. */
function clientUpdate(server: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const client = copyOf(server);
  const updates: Uint8Array[] = [];
  client.on('update', (u: Uint8Array) => updates.push(u));
  change(client);
  return Y.mergeUpdates(updates);
}

function refusedWith(verdict: UpdateVerdict): number | null {
  return verdict.kind === 'refused' ? verdict.code : null;
}

describe('read-only check (BOARD-1)', () => {
  it('a stock client’s sync reply after deletions and moves brings nothing new', () => {
    const server = serverBoard();
    const reader = copyOf(server);
    // The server deletes a note and a leader moves another; the reader receives both.
    removeNote(server, 'note-aaaa-1');
    const leader = copyOf(server);
    const moves: Uint8Array[] = [];
    leader.on('update', (u: Uint8Array) => moves.push(u));
    setNoteLayout(leader, 'note-bbbb-2', { x: 3, y: 4 });
    for (const u of moves) Y.applyUpdate(server, u);
    Y.applyUpdate(reader, Y.encodeStateAsUpdate(server, Y.encodeStateVector(reader)));
    // On reconnect the reader answers the server's sync step 1 with its full delete set.
    const reply = Y.encodeStateAsUpdate(reader, Y.encodeStateVector(server));
    expect(bringsNothingNew(server, reply)).toBe(true);
    expect(checkReadOnlyUpdate(server, reply)).toEqual({ kind: 'nothing-new' });
  });

  it('any change, insertion or deletion alike, is a write', () => {
    const server = serverBoard();
    const before = Y.encodeStateAsUpdate(server);
    const writes = [
      clientUpdate(server, (d) => notesMap(d).get('note-aaaa-1')?.set('text', 'mine now')),
      clientUpdate(server, (d) => notesMap(d).delete('note-aaaa-1')),
      clientUpdate(server, (d) => d.getMap('other').set('a', 1)),
      clientUpdate(server, (d) => d.getText('t').insert(0, 'x')),
    ];
    for (const update of writes) {
      expect(refusedWith(checkReadOnlyUpdate(server, update))).toBe(BOARD_CLOSE.FORBIDDEN);
    }
    expect(Y.encodeStateAsUpdate(server)).toEqual(before);
  });

  it('a malformed update is malformed, not a write', () => {
    const server = serverBoard();
    expect(refusedWith(checkReadOnlyUpdate(server, new Uint8Array([1, 2, 3, 200, 255])))).toBe(
      BOARD_CLOSE.MALFORMED,
    );
  });
});

describe('leader update check (BOARD-2)', () => {
  it('allows layout changes, highlights and themes', () => {
    const server = serverBoard();
    const allowed = [
      clientUpdate(server, (d) => setNoteLayout(d, 'note-aaaa-1', { x: 100, y: 200 })),
      clientUpdate(server, (d) => setNoteLayout(d, 'note-bbbb-2', { highlight: true })),
      clientUpdate(server, (d) => setNoteLayout(d, 'note-cccc-3', { theme: 'theme-aaaa-1' })),
      clientUpdate(server, (d) => {
        setTheme(d, 'theme-bbbb-2', 'Longing');
        setNoteLayout(d, 'note-cccc-3', { theme: 'theme-bbbb-2' });
      }),
      clientUpdate(server, (d) => setTheme(d, 'theme-aaaa-1', 'Renamed')),
      clientUpdate(server, (d) => themesMap(d).delete('theme-aaaa-1')),
      // A theme another leader just removed: a race, not a fault.
      clientUpdate(server, (d) => setNoteLayout(d, 'note-aaaa-1', { theme: 'theme-gone-01' })),
    ];
    for (const update of allowed) expect(checkLeaderUpdate(server, update)).toEqual({ kind: 'allowed' });
  });

  it('refuses new, removed or replaced notes, rewritten text and server fields', () => {
    const server = serverBoard();
    const before = Y.encodeStateAsUpdate(server);
    const note = (d: Y.Doc, id = 'note-aaaa-1') => notesMap(d).get(id) as Y.Map<unknown>;
    const refused: [string, Uint8Array][] = [
      [
        'new note',
        clientUpdate(server, (d) =>
          insertNote(d, { id: 'note-new-01', text: 'x', kind: 'feeling', batch: 0 }),
        ),
      ],
      ['removed', clientUpdate(server, (d) => notesMap(d).delete('note-aaaa-1'))],
      [
        'replaced with the same text',
        clientUpdate(server, (d) =>
          insertNote(d, { id: 'note-aaaa-1', text: 'note 0', kind: 'image', batch: 0 }),
        ),
      ],
      ['text', clientUpdate(server, (d) => note(d).set('text', 'rewritten'))],
      ['kind', clientUpdate(server, (d) => note(d).set('kind', 'feeling'))],
      ['resonance', clientUpdate(server, (d) => note(d).set('resonance', 5))],
      ['batch', clientUpdate(server, (d) => note(d).set('batch', 9))],
      ['author', clientUpdate(server, (d) => note(d).set('author', 'Somebody'))],
      ['unknown field', clientUpdate(server, (d) => note(d).set('color', 'red'))],
      ['deleted field', clientUpdate(server, (d) => note(d).delete('x'))],
      ['wrong type', clientUpdate(server, (d) => note(d).set('x', 'left'))],
      ['nested type', clientUpdate(server, (d) => note(d).set('theme', new Y.Text('theme-aaaa-1')))],
      ['unknown root', clientUpdate(server, (d) => d.getMap('secrets').set('a', 1))],
      ['list content', clientUpdate(server, (d) => d.getArray<number>('notes').insert(0, [1]))],
      ['long theme name', clientUpdate(server, (d) => setTheme(d, 'theme-long-1', 'x'.repeat(81)))],
      ['bad theme id', clientUpdate(server, (d) => setTheme(d, 'x', 'Short id'))],
      [
        'too many themes',
        clientUpdate(server, (d) => {
          for (let i = 0; i < MAX_THEMES; i++) setTheme(d, `theme-many-${i}`, `T${i}`);
        }),
      ],
    ];
    for (const [what, update] of refused) {
      expect(refusedWith(checkLeaderUpdate(server, update)), what).toBe(BOARD_CLOSE.FORBIDDEN);
    }
    expect(Y.encodeStateAsUpdate(server)).toEqual(before);
  });

  it('refuses oversized updates before trying them, and malformed ones', () => {
    const server = serverBoard();
    const big = clientUpdate(server, (d) => setTheme(d, 'theme-big-01', 'y'.repeat(80)));
    expect(refusedWith(checkLeaderUpdate(server, big, { maxUpdateBytes: 16, maxBoardBytes: 1 << 20 }))).toBe(
      BOARD_CLOSE.TOO_LARGE,
    );
    expect(refusedWith(checkLeaderUpdate(server, big, { maxUpdateBytes: 1 << 20, maxBoardBytes: 64 }))).toBe(
      BOARD_CLOSE.TOO_LARGE,
    );
    expect(refusedWith(checkLeaderUpdate(server, new Uint8Array([3, 1])))).toBe(BOARD_CLOSE.MALFORMED);
  });

  it('holds an update that depends on content the server does not have yet', () => {
    const server = serverBoard();
    const leader = copyOf(server);
    const first: Uint8Array[] = [];
    const second: Uint8Array[] = [];
    let sink = first;
    leader.on('update', (u: Uint8Array) => sink.push(u));
    setTheme(leader, 'theme-cccc-3', 'One');
    sink = second;
    (themesMap(leader).get('theme-cccc-3') as Y.Map<unknown>).set('name', 'Two');
    // The second update alone refers to a theme map the server never received.
    expect(checkLeaderUpdate(server, Y.mergeUpdates(second))).toEqual({ kind: 'incomplete' });
    // Together with the earlier update (resent in the client's sync step 2) it is fine.
    expect(checkLeaderUpdate(server, Y.mergeUpdates([...second, ...first]))).toEqual({ kind: 'allowed' });
  });

  it('a leader reconnecting with what the server has brings nothing new', () => {
    const server = serverBoard();
    const leader = copyOf(server);
    expect(checkLeaderUpdate(server, Y.encodeStateAsUpdate(leader, Y.encodeStateVector(server)))).toEqual({
      kind: 'nothing-new',
    });
  });
});

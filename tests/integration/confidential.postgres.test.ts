/**
 * CONF-4 and CONF-10 on PostgreSQL: a real PostgreSQL 15 (tests/helpers/services.ts) whose data
 * directory, pg_wal included, is read byte by byte, and the asynchronous storage with its key file
 * in a data folder of the test's own. Each meeting's content is sealed under its key from the
 * first write, so no canary is ever in PostgreSQL's files; the purge destroys the key, whose bytes
 * are then in no file of either folder; a sealed value copied into another row does not open; a
 * meeting whose key is missing is dropped at load, without a crash and without a word of content
 * in the log.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import * as Y from 'yjs';
import { createLogger } from '../../server/core/logger';
import { keyedHash } from '../../server/security/sealing';
import { newSeatToken } from '../../server/security/tokens';
import { openPostgresStorage } from '../../server/storage/async/open';
import type { AsyncStorage } from '../../server/storage/async/types';
import { KEY_FILE_NAME, openKeyStore } from '../../server/storage/keyStore';
import type { NoteRow, StoredMeeting } from '../../server/storage/types';
import type { MeetingState } from '../../shared/meeting/state';
import { canary, findIn, keyHits, scanFolder, tempFolder } from '../helpers/confidential';
import { populatedLobby } from '../helpers/meetingFixtures';
import { pollUntilAsync } from '../helpers/poll';
import { queryPostgres, startPostgres, type PostgresServer } from '../helpers/services';

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
});

let databases = 0;
const AT = Date.UTC(2031, 4, 6, 9, 30, 0, 123);

interface Opened {
  storage: AsyncStorage;
  url: string;
  keyFolder: string;
  lines: string[];
}

/** A fresh database and key folder, and the storage on them (closed when the test ends). */
async function open(keyFolder = tempFolder('balint-keys-')): Promise<Opened> {
  const url = await postgres.createDatabase(`sealed_${++databases}`);
  const lines: string[] = [];
  const storage = await openPostgresStorage({
    url,
    keyFolder,
    logger: createLogger('debug', (line) => lines.push(line)),
  });
  onTestFinished(() => storage.close());
  return { storage, url, keyFolder, lines };
}

const query = queryPostgres;

/** The meeting's key as the key file holds it, read through a connection of the test's own. */
function keyOf(keyFolder: string, meetingId: string): Buffer | null {
  const keys = openKeyStore({ file: path.join(keyFolder, KEY_FILE_NAME), synchronous: 'FULL' });
  try {
    return keys.find(`meeting:${meetingId}`);
  } finally {
    keys.close();
  }
}

function meeting(id: string, joinCode: string, title = `Group ${id}`, names: string[] = []): StoredMeeting {
  const lobby = populatedLobby();
  const seats = lobby.seats.map((s, i) => (names[i] === undefined ? s : { ...s, name: names[i] }));
  const state: MeetingState = { ...lobby, id, title, seats };
  return { state, joinCode, lastActivityAt: AT };
}

function note(meetingId: string, noteId: string, extra: Partial<NoteRow> = {}): NoteRow {
  return {
    meetingId,
    noteId,
    caseIndex: 0,
    kind: 'image',
    text: `text of ${noteId}`,
    secretHash: `hash-${noteId}`,
    status: 'released',
    pendingText: null,
    pendingDelete: false,
    batch: 1,
    authorName: null,
    layout: null,
    resonance: 0,
    ...extra,
  };
}

/** A board update that writes these strings into a Yjs document, as the board's notes and themes. */
function boardUpdate(texts: readonly string[]): Uint8Array {
  const doc = new Y.Doc();
  const notes = doc.getMap<string>('notes');
  texts.forEach((t, i) => notes.set(`n${i}`, t));
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/** Every file of PostgreSQL's data directory (pg_wal included) after a CHECKPOINT wrote its pages. */
async function scanPostgres(url: string, needles: readonly string[]) {
  await query(url, 'CHECKPOINT');
  return scanFolder(postgres.dataDir, needles);
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('each meeting sealed under its own key on PostgreSQL (CONF-4)', () => {
  it('CONF-4: no canary of a meeting (title, names, notes and their edits, board) is ever in PostgreSQL’s files; after the purge the key is in no file either', async () => {
    const { storage, url, keyFolder } = await open();
    const c = {
      title: canary('title'),
      names: [canary('leadername'), canary('coleader'), canary('presenter')],
      text: canary('notetext'),
      edit: canary('noteedit'),
      author: canary('author'),
      replaced: canary('replaced'),
      theme: canary('themename'),
      board: canary('boardtext'),
      joinCode: 'QZ7KQ-X9RTA',
    };
    const leaderToken = newSeatToken('m1');
    const seatToken = newSeatToken('m1');
    const noteSecret = canary('notesecret');
    await storage.insertMeeting(meeting('m1', c.joinCode, c.title, c.names), {
      leaderToken,
      projectorKey: canary('projectorkey'),
    });
    await storage.addSeatToken('m1', 'seat-a', seatToken);
    const secretHash = await storage.secretHash('m1', noteSecret);
    await storage.putNote(note('m1', 'n1', { text: c.replaced, secretHash, status: 'waiting', batch: null }));
    // An edit in place (the replaced text leaves a dead tuple and WAL records behind), and a
    // released note with an edit pending, a named author and a layout.
    await storage.putNote(note('m1', 'n1', { text: c.text, secretHash, status: 'waiting', batch: null }));
    await storage.putNote(
      note('m1', 'n2', {
        text: canary('released'),
        pendingText: c.edit,
        authorName: c.author,
        layout: { theme: c.theme, highlight: true, x: 0.5, y: 0.5, resonance: 0 },
      }),
    );
    await storage.appendBoardUpdate('m1', 0, boardUpdate([c.board, c.theme]));
    await storage.replaceBoardUpdates('m1', 0, boardUpdate([c.board, c.theme, c.text]));
    await storage.saveMeeting(
      { ...meeting('m1', c.joinCode, c.title, c.names).state, title: c.title },
      AT + 1,
    );

    // Everything reads back as it was written.
    const [loaded] = await storage.loadLiveMeetings();
    expect(loaded?.state.title).toBe(c.title);
    expect(loaded?.joinCode).toBe(c.joinCode);
    expect(loaded?.state.seats.slice(0, 3).map((s) => s.name)).toEqual(c.names);
    expect(await storage.findMeetingByJoinCode(c.joinCode)).toBe('m1');
    expect(await storage.findSeatByToken(seatToken)).toEqual({ meetingId: 'm1', seatId: 'seat-a' });
    expect((await storage.getNote('m1', 'n2'))?.pendingText).toBe(c.edit);
    expect((await storage.findNoteBySecretHash('m1', secretHash))?.text).toBe(c.text);
    const doc = new Y.Doc();
    for (const u of await storage.loadBoardUpdates('m1', 0)) Y.applyUpdate(doc, u);
    expect(doc.getMap('notes').get('n0')).toBe(c.board);
    doc.destroy();

    // Sealed from the first write: nothing of it in clear, not even the join code or the SHA-256
    // of a token or secret (which would let a copy be tested against a token).
    const needles = [
      c.title,
      ...c.names,
      c.text,
      c.edit,
      c.author,
      c.replaced,
      c.theme,
      c.board,
      c.joinCode,
      leaderToken,
      seatToken,
      noteSecret,
      sha256(leaderToken),
      sha256(seatToken),
      sha256(noteSecret),
    ];
    expect(await scanPostgres(url, needles)).toEqual([]);

    const key = keyOf(keyFolder, 'm1');
    expect(key).not.toBeNull();
    if (!key) return;
    expect(keyHits([keyFolder], key).length).toBeGreaterThan(0);
    expect(keyHits([postgres.dataDir], key)).toEqual([]);
    // The stored hashes are the HMACs under this very key.
    const [row] = await query<{ token_hash: string }>(
      url,
      'SELECT token_hash FROM seat_tokens WHERE seat_id = $1',
      ['seat-a'],
    );
    expect(row?.token_hash).toBe(keyedHash(key, seatToken));

    let scrubbed = false;
    await storage.purgeMeeting('m1', () => (scrubbed = true));
    await pollUntilAsync(() => Promise.resolve(scrubbed), 10_000, 'the key file to be scrubbed');
    expect(keyOf(keyFolder, 'm1')).toBeNull();
    expect(await scanPostgres(url, needles)).toEqual([]);
    expect(keyHits([keyFolder, postgres.dataDir], key)).toEqual([]);
    expect(await storage.loadLiveMeetings()).toEqual([]);
    expect(await storage.findSeatByToken(seatToken)).toBeNull();
    // Three byte-by-byte scans of PostgreSQL's whole directory (some 80 MB, read as it is for each
    // of 15 needles, their halves and encodings): a few seconds alone, far more on a loaded machine.
  }, 180_000);

  it('CONF-4: a sealed value copied into another meeting’s row, or another note’s, does not open there', async () => {
    const { storage, url } = await open();
    await storage.insertMeeting(meeting('m1', 'AAAAA-11111'), { leaderToken: 'l1', projectorKey: 'p1' });
    await storage.insertMeeting(meeting('m2', 'BBBBB-22222'), { leaderToken: 'l2', projectorKey: 'p2' });
    await storage.putNote(note('m1', 'n1', { text: 'the first meeting’s note' }));
    await storage.putNote(note('m1', 'n9', { text: 'another note of it' }));
    await storage.putNote(note('m2', 'n1', { text: 'the second meeting’s note' }));

    // Another meeting's row: another key and another identity.
    await query(
      url,
      "UPDATE notes SET text = (SELECT text FROM notes WHERE meeting_id = 'm1' AND note_id = 'n1') WHERE meeting_id = 'm2'",
    );
    await expect(storage.getNote('m2', 'n1')).rejects.toThrow();
    // The same meeting's key, but another note: the identity differs.
    await query(
      url,
      "UPDATE notes SET text = (SELECT text FROM notes WHERE note_id = 'n1' AND meeting_id = 'm1') WHERE note_id = 'n9'",
    );
    await expect(storage.getNote('m1', 'n9')).rejects.toThrow();
    // Another column of the same note: the identity names the column.
    await query(url, "UPDATE notes SET pending_text = text WHERE meeting_id = 'm1' AND note_id = 'n1'");
    await expect(storage.getNote('m1', 'n1')).rejects.toThrow();
    // A meeting's state copied into another meeting's row: that meeting is unreadable, the first is not.
    await query(
      url,
      "UPDATE meetings SET state = (SELECT state FROM meetings WHERE id = 'm1') WHERE id = 'm2'",
    );
    expect((await storage.loadLiveMeetings()).map((m) => m.state.id)).toEqual(['m1']);
  });

  it('CONF-10: a meeting whose key is missing is dropped at load: logged by id only, its rows purged, the others served', async () => {
    const { storage, url, keyFolder, lines } = await open();
    const title = canary('lostmeeting');
    await storage.insertMeeting(meeting('kept', 'AAAAA-11111'), { leaderToken: 'l1', projectorKey: 'p1' });
    await storage.insertMeeting(meeting('lost', 'BBBBB-22222', title), {
      leaderToken: 'l2',
      projectorKey: 'p2',
    });
    await storage.putNote(note('lost', 'n1', { text: canary('lostnote') }));
    await storage.appendBoardUpdate('lost', 0, boardUpdate(['x']));
    await storage.addSeatToken('lost', 'seat-a', newSeatToken('lost'));
    // The key goes behind the storage's back (a key file restored from an older copy).
    const keys = openKeyStore({ file: path.join(keyFolder, KEY_FILE_NAME), synchronous: 'FULL' });
    await new Promise<void>((resolve) => keys.destroy('meeting:lost', resolve));
    keys.close();

    expect((await storage.loadLiveMeetings()).map((m) => m.state.id)).toEqual(['kept']);
    const event = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.event === 'storage.meeting_key_missing');
    expect(event).toMatchObject({ level: 'error', meetingId: 'lost' });
    expect(lines.join('')).not.toContain(title);
    for (const table of ['notes', 'board_updates', 'seat_tokens'])
      expect(await query(url, `SELECT 1 FROM ${table} WHERE meeting_id = 'lost'`)).toEqual([]);
    expect(await query(url, "SELECT 1 FROM meetings WHERE id = 'lost'")).toEqual([]);
    // Writing to it is refused with a clear error; reading what is not there is simply nothing.
    await expect(storage.putNote(note('lost', 'n2'))).rejects.toThrow(/key is missing/);
    expect(await storage.listNotes('lost')).toEqual([]);
    expect((await storage.loadLiveMeetings()).map((m) => m.state.id)).toEqual(['kept']);
  });

  it('CONF-4, CONF-9: hashes are HMACs under the meeting’s key (another meeting, another hash); a token naming no live meeting finds nothing and makes no key; the start-up sweep destroys keys without a meeting', async () => {
    const keyFolder = tempFolder('balint-keys-');
    const { storage } = await open(keyFolder);
    await storage.insertMeeting(meeting('m1', 'AAAAA-11111'), { leaderToken: 'l1', projectorKey: 'p1' });
    await storage.insertMeeting(meeting('m2', 'BBBBB-22222'), { leaderToken: 'l2', projectorKey: 'p2' });
    const key = keyOf(keyFolder, 'm1');
    expect(key).not.toBeNull();
    expect(await storage.secretHash('m1', 'a secret')).toBe(keyedHash(key ?? Buffer.alloc(32), 'a secret'));
    expect(await storage.secretHash('m1', 'a secret')).not.toBe(await storage.secretHash('m2', 'a secret'));
    expect(await storage.secretHash('m1', 'a secret')).not.toBe(sha256('a secret'));
    await expect(storage.secretHash('none', 'a secret')).rejects.toThrow(/key is missing/);

    const keys = openKeyStore({ file: path.join(keyFolder, KEY_FILE_NAME), synchronous: 'FULL' });
    onTestFinished(() => keys.close());
    const before = keys.owners();
    expect(await storage.findSeatByToken(newSeatToken('ghost'))).toBeNull();
    expect(await storage.findSeatByToken('a token without its meeting')).toBeNull();
    expect(keys.owners()).toEqual(before);

    // A key whose meeting never committed (a crash between the two), and a purged meeting's.
    keys.obtain('meeting:ghost');
    await storage.purgeMeeting('m2');
    expect(await storage.purgeLeftovers()).toBe(0);
    expect(keys.owners()).toEqual(['meeting:m1', 'server:join-codes']);
  });
});

describe('payloads that cross Redis (CONF-11)', () => {
  it('CONF-11: a relayed payload is sealed under its meeting’s key for its channel, opens only there, and not after the purge', async () => {
    const { storage } = await open();
    await storage.insertMeeting(meeting('m1', 'AAAAA-11111'), { leaderToken: 'l1', projectorKey: 'p1' });
    await storage.insertMeeting(meeting('m2', 'BBBBB-22222'), { leaderToken: 'l2', projectorKey: 'p2' });
    const text = canary('relayed');
    const payload = boardUpdate([text]);
    const sealed = storage.relay.seal('m1', 'board:0', payload);
    expect(sealed).not.toBeNull();
    if (!sealed) return;
    expect(findIn([{ name: 'sealed', bytes: Buffer.from(sealed) }], [text], { halves: true })).toEqual([]);
    expect(storage.relay.open('m1', 'board:0', sealed)).toEqual(payload);
    expect(storage.relay.open('m1', 'board:1', sealed)).toBeNull();
    expect(storage.relay.open('m2', 'board:0', sealed)).toBeNull();
    expect(storage.relay.open('m1', 'board:0', payload)).toBeNull();
    await storage.purgeMeeting('m1');
    expect(storage.relay.open('m1', 'board:0', sealed)).toBeNull();
    expect(storage.relay.seal('m1', 'board:0', payload)).toBeNull();
  });
});

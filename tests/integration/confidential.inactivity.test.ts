/**
 * The inactivity backstop (DESIGN.md section 6): a meeting with no activity for the limit is ended
 * and purged, counted from the last activity (notes and board work included, presence and reads
 * not) or from the planned start, also across restarts; and what a crash left behind is purged at
 * start-up. The clock is a ManualClock: tests move it, nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/core/clock';
import { openTestStorage, queryMeetingsDb, TEST_DATABASE } from '../helpers/test-storage';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { setTheme } from '../../shared/board/schema';
import { goToPhase, noteSecret, startBoardCast, type RecordingClient } from '../helpers/board-fixture';
import {
  canary,
  captureLog,
  HOUR,
  scanFolder,
  startConfidentialServer,
  tempFolder,
} from '../helpers/confidential';
import { MIN, nextEvent } from '../helpers/server-fixture';

const LIMIT = HOUR;

describe('what counts as activity (CONF-8)', () => {
  it('CONF-8: notes, edits, deletions, moderation, release, resonance and leader board writes each restart the limit; reads and presence do not', async () => {
    const clock = new ManualClock();
    const dataDir = tempFolder();
    const fx = await startConfidentialServer({
      dataDir,
      logger: captureLog().logger,
      clock,
      inactivityLimitMs: LIMIT,
      keepAliveMs: 100 * LIMIT,
    });
    const cast = await startBoardCast(fx);
    const [a, b] = cast.members as [RecordingClient, RecordingClient];
    await goToPhase(cast.leader, 'speculation');
    const alive = () => fx.app.hub.state(cast.meetingId) !== null;
    /** The time of the latest activity so far; each step waits until a minute before its limit. */
    let last = clock.now();
    const touched = () => void (last = clock.now());
    const counts = async (what: string, act: () => Promise<unknown>) => {
      clock.advance(last + LIMIT - MIN - clock.now());
      expect(alive(), `alive before ${what}`).toBe(true);
      await act();
      touched();
      // A minute past the deadline the meeting had before this step.
      clock.advance(2 * MIN);
      await cast.leader.barrier();
      expect(alive(), `${what} counts as activity`).toBe(true);
    };
    let note = { noteId: '', secret: noteSecret() };
    await counts('note:add', async () => {
      const ack = await a.send<{ noteId: string }>('note:add', {
        secret: note.secret,
        kind: 'image',
        text: 'one',
      });
      if (!ack.ok) throw new Error(ack.error.code);
      note = { ...note, noteId: ack.value.noteId };
    });
    await counts('note:edit', () => a.send('note:edit', { ...note, text: 'one, edited' }));
    await counts('note:delete', () => a.send('note:delete', note));
    const shown: string[] = [];
    for (const text of ['two', 'three', 'four']) {
      const ack = await b.send<{ noteId: string }>('note:add', { secret: noteSecret(), kind: 'image', text });
      if (ack.ok) shown.push(ack.value.noteId);
    }
    touched();
    // One note waits (fewer than a batch); only the leader's release is timed.
    expect((await b.send('note:add', { secret: noteSecret(), kind: 'image', text: 'five' })).ok).toBe(true);
    touched();
    await counts('board:release', () => cast.leader.send('board:release', {}));
    await counts('note:moderate', () =>
      cast.leader.send('note:moderate', { noteId: shown[0], action: 'hide' }),
    );
    const lead = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'leader board');
    const watch = fx.openBoard(b.token, cast.meetingId, 0, 'member board');
    await Promise.all([lead.synced(), watch.synced()]);
    await counts('a leader board write', async () => {
      setTheme(lead.doc, 'theme-activity-aa', 'Stored');
      await watch.until((d) => d.getMap('themes').size === 1, 'the theme');
    });
    await goToPhase(cast.leader, 'return');
    touched();
    await counts('note:resonate', () => cast.presenter.send('note:resonate', { noteId: shown[1], on: true }));

    // Reads and presence are no activity: the meeting ends at the deadline all the same.
    clock.advance(last + LIMIT - MIN - clock.now());
    await cast.leader.send('board:export', {});
    await a.send('note:mine', { notes: [] });
    await fx.connect(b.token, 'second tab');
    const ended = cast.everyone.map((c) => nextEvent(c.socket, 'meeting:ended'));
    const closed = [lead, watch].map((w) => w.closed(w.closes.length));
    clock.advance(MIN);
    await Promise.all(ended);
    for (const c of await Promise.all(closed)) expect(c.code).toBe(BOARD_CLOSE.MEETING_ENDED);
    expect(alive()).toBe(false);
    expect(await fx.storage.listNotes(cast.meetingId)).toEqual([]);
    expect(await fx.storage.loadBoardUpdates(cast.meetingId, 0)).toEqual([]);
  });
});

describe('the limit across restarts (CONF-8)', () => {
  it('CONF-8: a note is stored as activity: after a restart the limit counts from it, not from the last command', async () => {
    const clock = new ManualClock();
    const dataDir = tempFolder();
    const logger = captureLog().logger;
    const first = await startConfidentialServer({ dataDir, logger, clock, inactivityLimitMs: LIMIT });
    const cast = await startBoardCast(first);
    await goToPhase(cast.leader, 'speculation');
    clock.advance(50 * MIN);
    const ack = await (cast.members[0] as RecordingClient).send('note:add', {
      secret: noteSecret(),
      kind: 'image',
      text: 'the last activity',
    });
    expect(ack.ok).toBe(true);
    await first.close();

    // Down for 30 minutes: 80 minutes after the last command, 30 after the note.
    clock.advance(30 * MIN);
    const second = await startConfidentialServer({ dataDir, logger, clock, inactivityLimitMs: LIMIT });
    expect(second.app.hub.state(cast.meetingId)?.status).toBe('running');
    clock.advance(30 * MIN - 1);
    await second.app.hub.idle();
    expect(second.app.hub.state(cast.meetingId)).not.toBeNull();
    clock.advance(1);
    await second.app.hub.idle();
    expect(second.app.hub.state(cast.meetingId)).toBeNull();
    expect(await second.storage.listNotes(cast.meetingId)).toEqual([]);
  });

  it('CONF-8: a meeting created ahead counts from its planned start, also after a restart', async () => {
    const clock = new ManualClock();
    const dataDir = tempFolder();
    const logger = captureLog().logger;
    const first = await startConfidentialServer({ dataDir, logger, clock, inactivityLimitMs: LIMIT });
    const plannedStartAt = clock.now() + 48 * HOUR;
    const m = await first.api.createMeeting({ title: 'Ahead', plannedStartAt });
    await first.close();
    clock.advance(48 * HOUR + LIMIT - MIN);
    const second = await startConfidentialServer({ dataDir, logger, clock, inactivityLimitMs: LIMIT });
    expect(second.app.hub.state(m.meetingId)?.title).toBe('Ahead');
    clock.advance(MIN);
    await second.app.hub.idle();
    expect(second.app.hub.state(m.meetingId)).toBeNull();
    expect(await second.storage.loadLiveMeetings()).toEqual([]);
  });

  it('CONF-9: what a crash left behind (a meeting stored as ended, rows of no meeting) is purged at start-up', async () => {
    const clock = new ManualClock();
    const dataDir = tempFolder();
    const log = captureLog();
    const first = await startConfidentialServer({ dataDir, logger: log.logger, clock });
    const cast = await startBoardCast(first, { title: canary('crashedtitle') });
    await goToPhase(cast.leader, 'speculation');
    const text = canary('crashednote');
    for (const m of cast.members.slice(0, 3)) {
      expect(
        (await m.send('note:add', { secret: noteSecret(), kind: 'image', text: `${text} ${m.label}` })).ok,
      ).toBe(true);
    }
    const state = first.app.hub.state(cast.meetingId);
    if (!state) throw new Error('a live meeting');
    await first.close();

    // The process died after storing the end and before the purge; and a note row of no meeting.
    const orphan = canary('orphannote');
    const storage = await openTestStorage(first.dbFile);
    await storage.saveMeeting(
      { ...state, status: 'ended', current: null, endedAt: clock.now() },
      clock.now(),
    );
    const ghost = {
      meetingId: 'ghost-meeting-0001',
      noteId: 'ghost-note-00001',
      caseIndex: 0,
      kind: 'image' as const,
      text: orphan,
      secretHash: 'ab'.repeat(32),
      status: 'waiting' as const,
      pendingText: null,
      pendingDelete: false,
      batch: null,
      authorName: null,
    };
    // On PostgreSQL the storage writes no row of a meeting without a key (CONF-10): the crash's
    // orphan goes in as a raw row.
    if (TEST_DATABASE === 'sqlite') await storage.putNote(ghost);
    await storage.close();
    if (TEST_DATABASE === 'postgres')
      await queryMeetingsDb(
        first.dbFile,
        "INSERT INTO notes (meeting_id, note_id, case_index, kind, text, secret_hash, status, pending_delete) VALUES (?, ?, 0, 'image', ?, ?, 'waiting', 0)",
        [ghost.meetingId, ghost.noteId, orphan, ghost.secretHash],
      );
    // The positive control of the searches below, where the rows live: the data folder's SQLite
    // file, or the test's PostgreSQL database (where the meeting's own notes are sealed).
    const kept =
      TEST_DATABASE === 'sqlite'
        ? scanFolder(dataDir, [text, orphan])
        : await queryMeetingsDb(first.dbFile, 'SELECT note_id FROM notes WHERE meeting_id IN (?, ?)', [
            ghost.meetingId,
            cast.meetingId,
          ]);
    expect(kept.length).toBeGreaterThan(0);

    const second = await startConfidentialServer({ dataDir, logger: log.logger, clock });
    expect(second.app.hub.meetingIds()).toEqual([]);
    expect(await second.storage.listNotes(cast.meetingId)).toEqual([]);
    expect(await second.storage.listNotes('ghost-meeting-0001')).toEqual([]);
    expect(log.text()).toContain('"event":"meeting.leftovers_purged","meetings":2');
    expect(scanFolder(dataDir, [text, orphan, state.title])).toEqual([]);
  });
});

/**
 * The SQLite storage at the database level: migrations on a fresh file, reopening, WAL mode;
 * and a restart in-process (same file, a ManualClock) catching up over several deadlines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ManualClock } from '../../server/core/clock';
import { openAsyncSqliteStorage } from '../../server/storage/async/open';
import type { NoteRow } from '../../server/storage/types';
import { MIN, startServer } from '../helpers/server-fixture';

function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'balint-db-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'balint-room.sqlite');
}

function userVersion(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

describe('SQLite storage (DUR-3, DUR-5)', () => {
  it('the narrow note queries agree with listNotes: count, last batch, the unsettled notes of a case', async () => {
    const storage = openAsyncSqliteStorage({ file: ':memory:', synchronous: 'NORMAL' });
    onTestFinished(() => storage.close());
    const statuses = ['waiting', 'screening', 'released', 'hidden'] as const;
    let n = 0;
    const note = (meetingId: string, caseIndex: number, extra: Partial<NoteRow>): NoteRow => ({
      meetingId,
      noteId: `note-${(n * 7919) % 1000}-${n++}`,
      caseIndex,
      kind: 'image',
      text: 't',
      secretHash: `h${n}`,
      status: 'released',
      pendingText: null,
      pendingDelete: false,
      batch: null,
      authorName: null,
      ...extra,
    });
    for (const meetingId of ['m1', 'm2'])
      for (let c = 0; c < 2; c++)
        for (let i = 0; i < 24; i++) {
          const status = statuses[i % 4] as NoteRow['status'];
          await storage.putNote(
            note(meetingId, c, {
              status,
              batch: status === 'waiting' ? null : i + c,
              pendingText: i % 5 === 0 ? 'edited' : null,
              pendingDelete: i % 7 === 0,
            }),
          );
        }
    await storage.putNote(note('m3', 0, { status: 'waiting' }));
    for (const meetingId of ['m1', 'm2', 'm3', 'none'])
      for (let c = 0; c < 3; c++) {
        const all = (await storage.listNotes(meetingId)).filter((r) => r.caseIndex === c);
        expect((await storage.noteAddChecks(meetingId, c, 'no such hash')).unhidden).toBe(
          all.filter((r) => r.status !== 'hidden').length,
        );
        expect(await storage.listMarkedNoteIds(meetingId, c)).toEqual(
          all
            .filter((r) => (r.resonance ?? 0) > 0 && r.status !== 'removed')
            .map((r) => r.noteId)
            .sort(),
        );
        const batches = all.flatMap((r) => (r.batch === null ? [] : [r.batch]));
        expect(await storage.maxNoteBatch(meetingId, c)).toBe(batches.length ? Math.max(...batches) : null);
        expect(await storage.listUnsettledNotes(meetingId, c)).toEqual(
          all.filter((r) => r.status !== 'released' || r.pendingText !== null || r.pendingDelete),
        );
      }
  });

  it('DUR-5: migrates a fresh file; reopening keeps user_version and the data', async () => {
    const file = tempFile();
    const storage = openAsyncSqliteStorage({ file, synchronous: 'NORMAL' });
    await storage.close();

    const db = new Database(file, { readonly: true });
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => t.name);
    expect(version).toBeGreaterThanOrEqual(1);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(tables).toEqual(
      expect.arrayContaining(['meetings', 'commands', 'seat_tokens', 'notes', 'board_updates']),
    );
    // Notes carry no author column and no arrival order (no rowid).
    const noteColumns = (db.pragma('table_info(notes)') as { name: string }[]).map((c) => c.name);
    expect(noteColumns).not.toContain('seat_id');
    expect(noteColumns).not.toContain('created_at');
    const notesSql = (
      db.prepare("SELECT sql FROM sqlite_master WHERE name = 'notes'").get() as { sql: string }
    ).sql;
    expect(notesSql).toMatch(/WITHOUT ROWID/);
    db.close();

    // Reopen: nothing is migrated twice (a second CREATE TABLE would throw), the version stays.
    const fx = await startServer({ file });
    const m = await fx.api.createMeeting({ title: 'Kept' });
    await fx.close();
    const reopened = openAsyncSqliteStorage({ file, synchronous: 'FULL' });
    expect((await reopened.loadLiveMeetings()).map((s) => s.state.title)).toEqual(['Kept']);
    expect(await reopened.findMeetingByJoinCode(m.joinCode)).toBe(m.meetingId);
    await reopened.close();
    expect(userVersion(file)).toBe(version);
  });

  it('DUR-3, TIME-6: a restart on the same file catches up over several deadlines from the stored ones', async () => {
    const file = tempFile();
    const clock = new ManualClock();
    const first = await startServer({ file, clock });
    const m = await first.api.createMeeting({ templateId: 'step-back-30', autoAdvance: true });
    const leader = await first.connect(m.leaderToken, 'leader');
    expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    const t0 = clock.now();
    await first.close();

    // Down for 17 minutes: phase 1 (10 min) ended at +10, phase 2 (5 min) at +15.
    clock.advance(17 * MIN);
    const second = await startServer({ file, clock });
    const state = second.app.hub.state(m.meetingId);
    expect(state?.current).toEqual({
      index: 2,
      startedAt: t0 + 15 * MIN,
      timing: { state: 'running', endsAt: t0 + 25 * MIN },
    });
    // And it keeps following the deadlines after the restart.
    const back = await second.connect(m.leaderToken, 'leader again');
    const next = back.nextState((v) => v.currentIndex === 3);
    clock.advance(8 * MIN);
    expect((await next).timer?.startedAt).toBe(t0 + 25 * MIN);
  });

  it('DUR-6, DUR-3: a meeting whose inactivity limit passed while the server was down is purged at start-up', async () => {
    const file = tempFile();
    const clock = new ManualClock();
    const first = await startServer({ file, clock, inactivityLimitMs: 60 * MIN });
    const stale = await first.api.createMeeting({ title: 'Stale' });
    clock.advance(30 * MIN);
    const fresh = await first.api.createMeeting({ title: 'Fresh' });
    await first.close();

    clock.advance(45 * MIN);
    const second = await startServer({ file, clock, inactivityLimitMs: 60 * MIN });
    clock.advance(0);
    expect(second.app.hub.state(stale.meetingId)).toBeNull();
    expect(second.app.hub.state(fresh.meetingId)?.title).toBe('Fresh');
    expect((await second.storage.loadLiveMeetings()).map((s) => s.state.title)).toEqual(['Fresh']);
  });
});

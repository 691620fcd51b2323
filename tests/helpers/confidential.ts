/**
 * Confidentiality fixtures: a board server in-process whose logs are captured at debug level and
 * whose data folder outlives the server (so that it can be searched after close), canary strings,
 * and a byte search of every file in a folder. Everything is removed when the test finishes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import { createLogger, type Logger } from '../../server/core/logger';
import { readBoard, setNoteLayout, setTheme } from '../../shared/board/schema';
import type { Result } from '../../shared/errors';
import { BOARD_PATH } from '../../shared/protocol';
import {
  BoardClient,
  connectRecording,
  goToPhase,
  noteSecret,
  RecordingClient,
  startBoardServer,
  type BoardFixture,
} from './board-fixture';
import { Api } from './server-fixture';

export { HOUR } from './board-fixture';
/** The file name server/main.ts gives the database in DATA_DIR. */
export const DB_FILE_NAME = 'balint-room.sqlite';

/** A folder removed when the test finishes. */
export function tempFolder(prefix = 'balint-conf-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every line the server logged, at debug level: searched afterwards for what must not be there. */
export interface CapturedLog {
  logger: Logger;
  lines: string[];
  text(): string;
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  return { logger: createLogger('debug', (line) => lines.push(line)), lines, text: () => lines.join('') };
}

/**
 * A unique string that a test plants (note text, a name, a title) and later searches for. Letters
 * and digits only, so it has one byte form per encoding; its two halves are unique too, so that a
 * copy split across two database pages is still found. Random digits open and close it: with the
 * label first, a long label left only two random characters in the first half, which another
 * meeting's canary of the same label matched once in 256 runs (a false find).
 */
export function canary(label: string): string {
  const word = label.replace(/[^A-Za-z]/g, '');
  return `Q${randomBytes(6).toString('hex')}${word}${randomBytes(9).toString('hex')}Z`;
}

export interface Hit {
  file: string;
  needle: string;
  form: string;
}

function byteForms(needle: string): [string, Buffer][] {
  const utf16be = Buffer.from(needle, 'utf16le');
  utf16be.swap16();
  return [
    ['utf8', Buffer.from(needle, 'utf8')],
    ['utf16le', Buffer.from(needle, 'utf16le')],
    ['utf16be', utf16be],
  ];
}

/** Every file under `dir` (recursively), whatever its name: database, -wal, -shm, anything else. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

/**
 * Searches raw bytes for each needle in UTF-8, UTF-16LE and UTF-16BE; with `halves`, also for
 * each half of a needle of 16 characters or more (a copy split by a page boundary).
 */
export function findIn(
  sources: { name: string; bytes: Buffer }[],
  needles: readonly string[],
  opts: { halves?: boolean } = {},
): Hit[] {
  const hits: Hit[] = [];
  for (const needle of needles) {
    const parts =
      opts.halves && needle.length >= 16
        ? [needle, needle.slice(0, needle.length >> 1), needle.slice(needle.length >> 1)]
        : [needle];
    for (const { name, bytes } of sources) {
      for (const part of parts) {
        for (const [form, pattern] of byteForms(part)) {
          if (bytes.includes(pattern))
            hits.push({ file: name, needle, form: part === needle ? form : `${form} half` });
        }
      }
    }
  }
  return hits;
}

/** Searches every file in the folder for the needles (and their halves). */
export function scanFolder(dir: string, needles: readonly string[]): Hit[] {
  const sources = filesUnder(dir).map((file) => ({
    name: path.relative(dir, file),
    bytes: readFileSync(file),
  }));
  return findIn(sources, needles, { halves: true });
}

/** The files of these folders that hold the key's bytes raw, in hex or in base64. */
export function keyHits(dirs: readonly string[], key: Buffer): string[] {
  const sources = dirs.flatMap((dir) =>
    filesUnder(dir).map((file) => ({ name: file, bytes: readFileSync(file) })),
  );
  const raw = sources.filter((s) => s.bytes.includes(key)).map((s) => s.name);
  const text = findIn(sources, [key.toString('hex'), key.toString('base64'), key.toString('base64url')]);
  return [...raw, ...text.map((h) => `${h.file} (${h.needle.slice(0, 6)}…, ${h.form})`)];
}

/** The needles found in at least one file of the folder (whole, in some encoding). */
export function foundInFolder(dir: string, needles: readonly string[]): Set<string> {
  const sources = filesUnder(dir).map((file) => ({ name: file, bytes: readFileSync(file) }));
  return new Set(findIn(sources, needles).map((h) => h.needle));
}

export interface ConfidentialServerOptions {
  dataDir: string;
  logger: Logger;
  clock?: ManualClock;
  inactivityLimitMs?: number;
  /** Board keep-alive period; long for tests that move a ManualClock by hours (no pong can answer). */
  keepAliveMs?: number;
}

/**
 * The real server in-process with the board, on port 0, as server/main.ts builds it (the database
 * file in the data folder), with the given logger. Its data folder is not removed on close: the
 * test searches it afterwards (tempFolder removes it at the end of the test).
 */
export function startConfidentialServer(opts: ConfidentialServerOptions): Promise<BoardFixture> {
  return startBoardServer({
    seed: 5,
    file: path.join(opts.dataDir, DB_FILE_NAME),
    logger: opts.logger,
    clock: opts.clock,
    inactivityLimitMs: opts.inactivityLimitMs,
    noteIds: 'server',
    unlimited: true,
    board: opts.keepAliveMs ? { keepAliveMs: opts.keepAliveMs } : {},
  });
}

// --- A meeting full of canaries --------------------------------------------------------------

/** What a scenario needs of a server: the REST API, Socket.IO clients and board providers. */
export interface MeetingEnv {
  api: Api;
  connect(token: string, label: string): Promise<RecordingClient>;
  openBoard(token: string | null, meetingId: string, caseIndex: number, label: string): BoardClient;
}

/** The same for a server in a child process at `url`; everything opened is closed at the end. */
export function envFor(url: string): MeetingEnv {
  const wsUrl = `${url.replace(/^http/, 'ws')}${BOARD_PATH}`;
  return {
    api: new Api(url),
    connect: (token, label) => connectRecording(url, token, label),
    openBoard(token, meetingId, caseIndex, label) {
      const client = new BoardClient(wsUrl, `${meetingId}/${caseIndex}`, token, label);
      onTestFinished(() => client.destroy());
      return client;
    },
  };
}

export interface PlantedMeeting {
  meetingId: string;
  leader: RecordingClient;
  members: RecordingClient[];
  everyone: RecordingClient[];
  /** Every board provider the scenario opened (leader's on both cases, members' read-only ones). */
  boards: BoardClient[];
  /** Planted text that must be in the data folder until the purge: title, names, notes, themes, join code. */
  stored: string[];
  /** Planted text already replaced before the end (an edited waiting note, the old join code). */
  replaced: string[];
  /** Seat tokens, the projector key, note secrets: never stored, never logged. */
  secrets: string[];
  /** Their SHA-256 hashes, as storage keeps them: there until the purge, gone after it. */
  secretHashes: string[];
}

const hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

async function must<T>(what: string, pending: Promise<Result<T>>): Promise<T> {
  const result = await pending;
  if (!result.ok) throw new Error(`${what} refused: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/**
 * A two-case meeting in anonymous batch mode, then screening mode, with canaries everywhere a
 * meeting keeps text: the title and every display name; notes released in a batch, parked,
 * highlighted, resonated, hidden by a leader, edited (released, then re-screened), held for
 * screening, approved, still waiting for release (one edited in place); themes named by a leader's
 * WebsocketProvider on both case boards; a rotated join code.
 */
export async function plantCanaryMeeting(env: MeetingEnv): Promise<PlantedMeeting> {
  const stored: string[] = [];
  const replaced: string[] = [];
  const secrets: string[] = [];
  const plant = (label: string) => {
    const c = canary(label);
    stored.push(c);
    return c;
  };
  const title = plant('title');
  const created = await env.api.createMeeting({
    title,
    leaderName: plant('leadername'),
    templateId: 'classic-90-two-cases',
  });
  const { meetingId } = created;
  secrets.push(created.leaderToken, created.projectorKey);
  const leader = await env.connect(created.leaderToken, 'leader');
  const join = async (label: string, as: 'participant' | 'observer' = 'participant') => {
    const seat = await env.api.join(created.joinCode, plant(`${label}name`), as);
    secrets.push(seat.token);
    return env.connect(seat.token, label);
  };
  const presenter = await join('presenter');
  const members = [await join('membera'), await join('memberb'), await join('memberc')];
  const observer = await join('observer', 'observer');
  const projectorSeat = await env.api.claimProjector(meetingId, created.projectorKey);
  secrets.push(projectorSeat.token);
  const projector = await env.connect(projectorSeat.token, 'projector');
  const everyone = [leader, presenter, ...members, observer, projector];
  await must('presenter:set', leader.run({ type: 'presenter:set', caseIndex: 0, seatId: presenter.seatId }));

  const add = async (author: RecordingClient, label: string, text = plant(label)) => {
    const secret = noteSecret();
    secrets.push(secret);
    const ack = await must(
      `note:add ${label}`,
      author.send<{ noteId: string }>('note:add', { secret, kind: 'feeling', text }),
    );
    return { noteId: ack.noteId, secret, author };
  };
  const [ma, mb, mc] = members as [RecordingClient, RecordingClient, RecordingClient];
  const boards: BoardClient[] = [];
  const open = (c: RecordingClient, caseIndex: number) => {
    const b = env.openBoard(c.token, meetingId, caseIndex, `${c.label} case ${caseIndex}`);
    boards.push(b);
    return b;
  };

  // Case 0, batch mode: three notes go out together; a leader arranges them on the board.
  await goToPhase(leader, 'speculation', 0);
  const lead0 = open(leader, 0);
  const watch0 = open(ma, 0);
  await Promise.all([lead0.synced(), watch0.synced()]);
  // Its text is edited below: the old text leaves the disk within seconds (DISK-3), so it counts as
  // replaced, not as stored.
  const noteaText = canary('notea');
  replaced.push(noteaText);
  const a1 = await add(ma, 'notea', noteaText);
  const a2 = await add(mb, 'noteb');
  const a3 = await add(mc, 'notec');
  // Three wait: the leader sends them now rather than after the random delay (REL-4).
  await must('release', leader.send('board:release', {}));
  await watch0.until((d) => readBoard(d).notes.length === 3, 'the first batch');
  setTheme(lead0.doc, 'theme-case0-aaaa', plant('themezero'));
  setNoteLayout(lead0.doc, a1.noteId, { theme: 'theme-case0-aaaa', highlight: true, x: 10, y: 10 });
  // Parked (BOARD-9) and shown to the room, so that its text is in the board's update log too.
  await must('park', leader.send('note:moderate', { noteId: a2.noteId, action: 'park' }));
  await must('show the lot', leader.run({ type: 'case:setParkingLot', caseIndex: 0, parkingLot: 'room' }));
  await watch0.until(
    (d) => readBoard(d).themes.length === 1 && readBoard(d).parked.length === 1,
    "the leader's theme and parking",
  );
  await must('hide', leader.send('note:moderate', { noteId: a3.noteId, action: 'hide' }));
  await goToPhase(leader, 'return', 0);
  await must('resonate', presenter.send('note:resonate', { noteId: a1.noteId, on: true }));
  // An edit of a released note waits for the next batch...
  await must('edit', ma.send('note:edit', { noteId: a1.noteId, secret: a1.secret, text: plant('editeda') }));

  // ...and in screening mode goes back to the leaders' queue when the phase ends.
  await must('screening', leader.run({ type: 'settings:update', release: 'screening' }));
  await goToPhase(leader, 'speculation', 1);
  const b1 = await add(ma, 'noted');
  await add(mb, 'notee');
  await add(mc, 'notef');
  await must('release', leader.send('board:release', {}));
  await must('approve', leader.send('note:moderate', { noteId: b1.noteId, action: 'approve' }));
  const lead1 = open(leader, 1);
  const watch1 = open(mb, 1);
  await Promise.all([lead1.synced(), watch1.synced()]);
  setTheme(lead1.doc, 'theme-case1-bbbb', plant('themeone'));
  setNoteLayout(lead1.doc, b1.noteId, { theme: 'theme-case1-bbbb' });
  await watch1.until(
    (d) => readBoard(d).notes.some((n) => n.theme === 'theme-case1-bbbb'),
    "the leader's theme on case 1",
  );
  // A leader's own push-back prompt, on every screen now and kept for the meeting (PROMPT-4, -5).
  await must(
    'prompt',
    leader.run({ type: 'prompt:show', prompt: { kind: 'own', text: plant('promptown') } }),
  );
  // Two notes still waiting for release at the end; one of them edited in place.
  await add(ma, 'waitinga');
  const firstText = canary('waitingfirst');
  replaced.push(firstText);
  const w2 = await add(mb, 'waitingb', firstText);
  await must(
    'edit',
    mb.send('note:edit', { noteId: w2.noteId, secret: w2.secret, text: plant('waitingedited') }),
  );
  replaced.push(created.joinCode);
  await must('rotate', leader.run({ type: 'joinCode:rotate' }));
  const view = await leader.waitFor((v) => v.joinCode !== undefined && v.joinCode !== created.joinCode);
  stored.push(view.joinCode as string);

  return {
    meetingId,
    leader,
    members,
    everyone,
    boards,
    stored,
    replaced,
    secrets,
    secretHashes: secrets.map(hex),
  };
}

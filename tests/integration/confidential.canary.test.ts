/**
 * Deleted means unrecoverable from the data folder (DESIGN.md section 6). A meeting full of unique
 * canary strings is written (see plantCanaryMeeting), then every file in the data folder is read as
 * raw bytes and searched for each canary in UTF-8 and UTF-16 (whole, and each half, in case a copy
 * is split by a page boundary), and so is everything the server logged at debug level. Before the
 * purge the canaries are there (so the search can fail); after it, none is, in any file, nor in the
 * server's heap (a heap snapshot of the real process), nor in any log line.
 */
import { watch, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import type { BoardClient } from '../helpers/board-fixture';
import {
  canary,
  captureLog,
  envFor,
  findIn,
  foundInFolder,
  HOUR,
  plantCanaryMeeting,
  scanFolder,
  startConfidentialServer,
  tempFolder,
  type MeetingEnv,
  type PlantedMeeting,
} from '../helpers/confidential';
import { nextEvent, refusedHandshake } from '../helpers/server-fixture';
import { spawnServer, tempDataDir, type ServerProcess } from '../helpers/server-process';

/** Child processes start with tsx and write heap snapshots: generous guards, never sleeps. */
const PROCESS_TEST_MS = 120_000;
const SNAPSHOT_TIMEOUT_MS = 60_000;

/** A small named meeting that stays live while another one is purged beside it in the same file. */
async function plantNamedMeeting(env: MeetingEnv) {
  const stored = [canary('namedtitle'), canary('namedleader'), canary('nameduser'), canary('namednote')];
  const [title, leaderName, userName, text] = stored as [string, string, string, string];
  const m = await env.api.createMeeting({
    title,
    leaderName,
    anonymity: 'named',
    templateId: 'step-back-30',
  });
  const leader = await env.connect(m.leaderToken, 'named leader');
  const user = await env.connect((await env.api.join(m.joinCode, userName)).token, 'named user');
  expect(await leader.run({ type: 'meeting:start' })).toEqual({ ok: true });
  const speculation = leader.view.phases.findIndex((p) => p.kind === 'speculation');
  expect(
    await leader.run({ type: 'phase:jump', phaseId: leader.view.phases[speculation]?.id as string }),
  ).toEqual({
    ok: true,
  });
  const ack = await user.send('note:add', { secret: 'ab'.repeat(16), kind: 'image', text });
  expect(ack.ok).toBe(true);
  return { meetingId: m.meetingId, leader, stored };
}

/** What must never outlive the meeting, in any file or log: its text, codes, secrets and their hashes. */
const everything = (p: PlantedMeeting) => [...p.stored, ...p.replaced, ...p.secrets, ...p.secretHashes];

function expectAllFound(found: Set<string>, needles: readonly string[], where: string) {
  expect(
    needles.filter((n) => !found.has(n)),
    `planted but not found in ${where}`,
  ).toEqual([]);
}

/** Ends the meeting; resolves when every Socket.IO client and every open board was closed. */
async function endMeeting(p: PlantedMeeting) {
  const gone = p.everyone.map((c) => nextEvent(c.socket, 'disconnect'));
  const boards = p.boards.filter((b) => b.provider.wsconnected).map((b) => b.closed(b.closes.length));
  expect(await p.leader.run({ type: 'meeting:end' })).toEqual({ ok: true });
  await Promise.all(gone);
  for (const close of await Promise.all(boards)) expect(close.code).toBe(BOARD_CLOSE.MEETING_ENDED);
}

describe('nothing outlives the end in the data folder or the logs (CONF-4, CONF-6)', () => {
  it('CONF-4, CONF-6, CONF-7: every canary is in the data folder before the end and in no file and no log line after it', async () => {
    const dataDir = tempFolder();
    const log = captureLog();
    const fx = await startConfidentialServer({ dataDir, logger: log.logger });
    const planted = await plantCanaryMeeting(fx);
    const named = await plantNamedMeeting(fx);

    // Before: the search finds what was written (so it can fail), and no secret but as its hash.
    expectAllFound(foundInFolder(dataDir, planted.stored), planted.stored, 'the data folder');
    expectAllFound(foundInFolder(dataDir, named.stored), named.stored, 'the data folder');
    expectAllFound(foundInFolder(dataDir, planted.secretHashes), planted.secretHashes, 'the data folder');
    expect(scanFolder(dataDir, planted.secrets)).toEqual([]);

    await endMeeting(planted);
    // At once, with the server still running and the other meeting live in the same file.
    expect(scanFolder(dataDir, everything(planted))).toEqual([]);
    expectAllFound(foundInFolder(dataDir, named.stored), named.stored, 'the data folder (the live meeting)');

    expect(await named.leader.run({ type: 'meeting:end' })).toEqual({ ok: true });
    await fx.close();
    expect(scanFolder(dataDir, [...everything(planted), ...named.stored])).toEqual([]);

    // The logs: structured lines with ids and events, none of what was planted.
    expect(log.text()).toContain('"event":"meeting.purged"');
    expect(log.text()).toContain('"level":"debug"');
    const logs = [{ name: 'log', bytes: Buffer.from(log.text(), 'utf8') }];
    expect(findIn(logs, [...everything(planted), ...named.stored], { halves: true })).toEqual([]);
  });
});

/**
 * Writes a heap snapshot of the server process (node --heapsnapshot-signal) and returns it. The
 * snapshot is written on the main thread: once the file exists, the next answer to an HTTP request
 * comes after it is complete.
 */
async function heapSnapshot(server: ServerProcess, dir: string): Promise<Buffer> {
  const before = new Set(readdirSync(dir));
  const appeared = new Promise<string>((resolve, reject) => {
    const guard = setTimeout(() => {
      watcher.close();
      reject(new Error('timed out waiting for a heap snapshot file'));
    }, SNAPSHOT_TIMEOUT_MS);
    const watcher = watch(dir, (_event, name) => {
      if (!name || before.has(name) || !name.endsWith('.heapsnapshot')) return;
      clearTimeout(guard);
      watcher.close();
      resolve(name);
    });
  });
  server.child.kill('SIGUSR2');
  const name = await appeared;
  const answered = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS) });
  expect(answered.status).toBe(200);
  const bytes = readFileSync(path.join(dir, name));
  expect(bytes.subarray(-2).toString()).toMatch(/]}/);
  return bytes;
}

/** Resolves when a (reconnecting) provider has been closed with `code`, skipping failed attempts. */
async function closedWith(board: BoardClient, code: number): Promise<void> {
  for (let i = 0; ; i++) {
    const close = await board.closed(i);
    if (close.code === code) return;
  }
}

describe('the inactivity limit across a restart (CONF-4, CONF-8)', () => {
  it(
    'CONF-4, CONF-8, CONF-1: ended in one run (gone from heap and files at once), killed, the other purged at start-up by the limit: nothing left anywhere',
    async () => {
      const dataDir = tempDataDir();
      const diagDir = tempFolder('balint-heap-');
      const env = {
        LOG_LEVEL: 'debug',
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${diagDir}`,
      };
      const first = await spawnServer({ dataDir, env });
      const client = envFor(first.url);
      const inactive = await plantCanaryMeeting(client);
      const ended = await plantCanaryMeeting(client);

      // One meeting ended by its leader: gone from the files and the server's memory at once, while
      // the other one is still there (the positive control of both searches).
      await endMeeting(ended);
      const heap = [{ name: 'heap after the end', bytes: await heapSnapshot(first, diagDir) }];
      expect(findIn(heap, everything(ended), { halves: true })).toEqual([]);
      const inHeap = new Set(findIn(heap, inactive.stored).map((h) => h.needle));
      expect(inHeap.has(inactive.stored[0] as string), 'the live meeting title is in the heap').toBe(true);
      expect(scanFolder(dataDir, everything(ended))).toEqual([]);

      // Killed with no drain and no checkpoint: the live meeting's canaries are in the folder.
      const staleBoards = inactive.boards.filter((b) => b.provider.wsconnected);
      expect(staleBoards.length).toBeGreaterThan(0);
      expect(await first.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
      expectAllFound(
        foundInFolder(dataDir, inactive.stored),
        inactive.stored,
        'the data folder after SIGKILL',
      );
      expect(scanFolder(dataDir, inactive.secrets)).toEqual([]);

      // Back 25 hours later by its own clock: the 24-hour limit passed while it was down.
      const second = await spawnServer({ dataDir, port: first.port, clockShiftMs: 25 * HOUR, env });
      expect(second.output()).toContain('"reason":"inactive"');
      expect((await fetch(`${second.url}/healthz`).then((r) => r.json())) as unknown).toMatchObject({
        meetings: 0,
      });
      expect(scanFolder(dataDir, everything(inactive))).toEqual([]);
      const heapAfter = [{ name: 'heap after the restart', bytes: await heapSnapshot(second, diagDir) }];
      expect(findIn(heapAfter, [...everything(inactive), ...everything(ended)], { halves: true })).toEqual(
        [],
      );

      // The providers that held its boards reconnect by themselves and are refused for good.
      await Promise.all(staleBoards.map((b) => closedWith(b, BOARD_CLOSE.BAD_TOKEN)));
      for (const b of staleBoards) expect(b.provider.shouldConnect).toBe(false);
      for (const c of inactive.everyone) {
        expect(
          await refusedHandshake(second.url, { token: c.token, protocolVersion: PROTOCOL_VERSION }),
        ).toBe('unauthenticated');
      }

      expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(scanFolder(dataDir, [...everything(inactive), ...everything(ended)])).toEqual([]);
      const logs = [
        { name: 'first run', bytes: Buffer.from(first.output()) },
        { name: 'second run', bytes: Buffer.from(second.output()) },
      ];
      expect(first.output()).toContain('"level":"debug"');
      expect(findIn(logs, [...everything(inactive), ...everything(ended)], { halves: true })).toEqual([]);
    },
    PROCESS_TEST_MS,
  );
});

/**
 * Set-up step, run as its own process before a server starts: writes `--meetings` running
 * 12-seat meetings into the SQLite database of `--dir` through the server's own MeetingHub (the
 * same code path as the REST API, without its rate limits), and writes what the load generator
 * needs to connect (meeting ids, phase ids, seat tokens) to `--out` as JSON.
 *
 * Meetings are in named mode (notes appear at once), show the timer to everyone (so that every
 * seat can see a phase restart), and sit in the speculation phase of their first case.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MeetingHub } from '../server/core/hub';
import { systemClock } from '../server/core/clock';
import { silentLogger } from '../server/core/logger';
import { openAsyncSqliteStorage } from '../server/storage/async/open';
import { DEFAULT_TEMPLATE_ID, findBuiltInTemplate } from '../shared/meeting/templates';
import { notePhases } from './lib/api';
import type { PreparedMeeting, SeatCreds } from './lib/types';

const HOUR_MS = 3_600_000;

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    meetings: { type: 'string' },
    seats: { type: 'string', default: '12' },
    out: { type: 'string' },
  },
});
if (!values.dir || !values.meetings || !values.out) {
  process.stderr.write('usage: seed.ts --dir DATA_DIR --meetings N --out FILE.json [--seats 12]\n');
  process.exit(2);
}
const meetings = Number(values.meetings);
const seats = Number(values.seats);
const template = findBuiltInTemplate(DEFAULT_TEMPLATE_ID);
if (!template) throw new Error('no default template');

const started = performance.now();
mkdirSync(values.dir, { recursive: true });
const storage = openAsyncSqliteStorage({
  file: path.join(values.dir, 'balint-room.sqlite'),
  synchronous: 'NORMAL',
});
const hub = new MeetingHub({
  storage,
  clock: systemClock,
  logger: silentLogger,
  inactivityLimitMs: 24 * HOUR_MS,
});

// One transaction per step, as the server stores them: the asynchronous storage has no outer
// transaction around the hub's own.
const prepared: PreparedMeeting[] = await (async () => {
  const out: PreparedMeeting[] = [];
  for (let m = 0; m < meetings; m++) {
    const created = await hub.create({
      title: `Benchmark ${m + 1}`,
      template,
      settings: { anonymity: 'named', timerVisibility: 'everyone' },
      leaderName: 'Leader',
    });
    const meetingId = created.state.id;
    const leaderSeatId = created.state.seats[0]?.id;
    if (!leaderSeatId) throw new Error('no leader seat');
    const creds: SeatCreds[] = [{ token: created.leaderToken, role: 'leader' }];
    for (let s = 1; s < seats; s++) {
      const joined = await hub.join(created.joinCode, `Member ${s}`, 'participant');
      if (!joined.ok) throw new Error(`join: ${joined.error.code}`);
      creds.push({ token: joined.value.token, role: 'participant' });
    }
    const phases = notePhases(created.state);
    const leader = { kind: 'seat', seatId: leaderSeatId } as const;
    for (const command of [
      { type: 'meeting:start' } as const,
      { type: 'phase:jump', phaseId: phases.notePhaseId } as const,
    ]) {
      const result = await hub.run(meetingId, leader, command);
      if (!result.ok) throw new Error(`${command.type}: ${result.error.code}`);
    }
    out.push({ meetingId, ...phases, seats: creds });
  }
  return out;
})();
hub.stop();
await storage.close();
writeFileSync(values.out, JSON.stringify(prepared));
process.stdout.write(
  `${JSON.stringify({ seeded: prepared.length, ms: Math.round(performance.now() - started) })}\n`,
);

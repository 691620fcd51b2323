/**
 * `npm run test:prod` (BUILD-1..4): what a self-hosting admin does, for real.
 * 1. A clean clone of the committed tree builds (`npm run build`).
 * 2. In a fresh folder outside the development tree, the built output with package.json and the
 *    lockfile installs with `npm ci --omit=dev` (no NODE_PATH; `require.resolve('vite')` fails).
 * 3. `npm start` without a build exits 2 with one line; with the build it starts, serves a meeting
 *    with a note, and drains within 2 s of a SIGTERM to npm's pid, a silent peer included.
 * Prints install, build, start and drain times and the RSS against the old tsx process tree.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './build-state.mjs';
import { meetingAndNoteAreBack, meetingWithNote, sourceIsOffered } from './lib/meeting-probe';
import {
  alive,
  commandOf,
  killTree,
  processTree,
  rssMiB,
  run,
  runningUrl,
  until,
  type Run,
} from './lib/processes';
import { silentPeer } from './lib/silent-peer';

const DRAIN_LIMIT_MS = 2_000;
const START_LIMIT_MS = 30_000;
const INSTALL_LIMIT_MS = 15 * 60_000;
/** What production needs from the build: the bundle, the client, the launcher. */
const SHIPPED = [
  'dist',
  'client/dist',
  'scripts/start.mjs',
  'scripts/build-state.mjs',
  'package.json',
  'package-lock.json',
];

const scratch = mkdtempSync(path.join(tmpdir(), 'balint-prod-'));
const started: Run[] = [];
const figures: string[] = [];

/** An environment with nothing of the development tree in it. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', ...extra };
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
  process.stdout.write(`ok   ${what}\n`);
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const value = fn();
  return [value, Math.round(performance.now() - t0)];
}

async function main(): Promise<void> {
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).toString().trim();
  if (execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).toString().trim()) {
    process.stdout.write(
      'note: the working tree has uncommitted changes; the clone checks the last commit\n',
    );
  }

  // 1. A clean clone builds. Its build tools come hard-linked from this tree (never installed into).
  const clone = path.join(scratch, 'clone');
  execFileSync('git', ['clone', '--quiet', '--no-checkout', ROOT, clone]);
  execFileSync('git', ['-C', clone, 'checkout', '--quiet', '--detach', commit]);
  execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules')]);
  const [, buildMs] = timed(() =>
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: clone, env: cleanEnv({}) }),
  );
  check(existsSync(path.join(clone, 'dist/server/main.js')), `a clean clone builds (${buildMs} ms)`);
  figures.push(`build time: ${buildMs} ms`);

  // 2. A fresh folder with production dependencies only.
  const prod = path.join(scratch, 'prod');
  mkdirSync(prod);
  for (const f of ['package.json', 'package-lock.json', 'scripts/start.mjs', 'scripts/build-state.mjs']) {
    cpSync(path.join(clone, f), path.join(prod, f), { preserveTimestamps: true });
  }
  const [installLog, installMs] = timed(() =>
    execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
      cwd: prod,
      env: cleanEnv({}),
      timeout: INSTALL_LIMIT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString(),
  );
  figures.push(`npm ci --omit=dev: ${(installMs / 1000).toFixed(1)} s`);
  check(!/EBADENGINE/.test(installLog), 'no engine warning under npm ci --omit=dev');
  const resolvesVite = (() => {
    try {
      execFileSync(process.execPath, ['-e', "require.resolve('vite')"], {
        cwd: prod,
        env: cleanEnv({}),
        stdio: 'ignore',
      });
      return true;
    } catch {
      return false;
    }
  })();
  check(!resolvesVite, "require.resolve('vite') fails in the production folder");

  // 3a. No build, no build tools: one line, exit 2.
  const noBuild = run('npm', ['start', '--silent'], {
    cwd: prod,
    env: cleanEnv({ DATA_DIR: path.join(scratch, 'd0') }),
  });
  const noBuildExit = await noBuild.exited;
  const lines = noBuild.output().trim().split('\n');
  check(
    noBuildExit.code === 2 && lines.length === 1,
    `without a build npm start exits 2 with one line: ${lines[0]}`,
  );

  // 3b. With the build: start, serve, drain.
  for (const f of SHIPPED)
    cpSync(path.join(clone, f), path.join(prod, f), { recursive: true, preserveTimestamps: true });
  const env = cleanEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: path.join(scratch, 'data'),
    LOG_LEVEL: 'info',
  });
  const t0 = performance.now();
  const server = run('npm', ['start'], { cwd: prod, env });
  started.push(server);
  const url = await runningUrl(server, START_LIMIT_MS);
  const startMs = Math.round(performance.now() - t0);
  figures.push(`start time (npm start to "running"): ${startMs} ms`);
  const meeting = await meetingWithNote(url);
  await meetingAndNoteAreBack(url, meeting);
  check(true, 'the production server serves a meeting with a note on its board');
  const sourceBytes = await sourceIsOffered(url);
  check(true, `it offers its own source at /source.tar.gz (${Math.round(sourceBytes / 1024)} KiB, BUILD-4)`);
  check(!server.output().includes(meeting.noteText), 'the note text is in no log line');

  const npmPid = server.child.pid as number;
  const tree = processTree(npmPid);
  // `exec` in the start script: npm's child is the server itself, which npm's SIGTERM reaches.
  const serverPid = tree.find((pid) => /^\S*node scripts\/start\.mjs/.test(commandOf(pid))) as number;
  check(
    tree.length === 2 && serverPid !== undefined,
    `npm start is npm > node (${tree.map(commandOf).join(' > ')})`,
  );
  figures.push(
    `RSS after one meeting: server ${rssMiB([serverPid])} MiB, npm start tree ${rssMiB(tree)} MiB ` +
      `(${tree.length} processes: ${tree.map((p) => commandOf(p).split(' ')[0]?.split('/').pop()).join(' > ')})`,
  );

  // Responsive clients stay connected through the drain; one silent peer never answers.
  const leader = await import('./lib/meeting-probe').then((m) => m.openSocket(url, meeting.leaderToken));
  const peer = await silentPeer(url);
  const d0 = performance.now();
  process.kill(npmPid, 'SIGTERM');
  await until('the server process to exit', () => !alive(serverPid), DRAIN_LIMIT_MS * 5);
  const drainMs = Math.round(performance.now() - d0);
  const npmExit = await server.exited;
  leader.socket.disconnect();
  peer.destroy();
  figures.push(`drain (SIGTERM to npm's pid until the server exited): ${drainMs} ms`);
  check(server.output().includes('server.closed'), 'the server drained (server.closed logged)');
  check(drainMs < DRAIN_LIMIT_MS, `drained within ${DRAIN_LIMIT_MS} ms with a silent peer (${drainMs} ms)`);
  check(npmExit.code === 0, `npm start exited with code 0 (${npmExit.code ?? npmExit.signal})`);

  await oldTreeFigure();
}

/** Today's figure for comparison: `npm exec tsx server/main.ts` in the development tree. */
async function oldTreeFigure(): Promise<void> {
  const old = run('npm', ['exec', '--no', '--', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: cleanEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: path.join(scratch, 'old-data'),
      LOG_LEVEL: 'warn',
    }),
  });
  started.push(old);
  const url = await runningUrl(old, START_LIMIT_MS * 2);
  await meetingWithNote(url);
  const tree = processTree(old.child.pid as number);
  figures.push(`RSS of the old tsx tree after one meeting (npm > sh > tsx > node): ${rssMiB(tree)} MiB`);
}

main()
  .then(
    () => 0,
    (error: unknown) => {
      process.stdout.write(`FAIL ${error instanceof Error ? error.message : String(error)}\n`);
      for (const r of started)
        process.stdout.write(`--- output of ${r.child.spawnargs.join(' ')}\n${r.output()}\n`);
      return 1;
    },
  )
  .then((code) => {
    for (const r of started) if (r.child.pid && alive(r.child.pid)) killTree(r.child.pid);
    process.stdout.write(`\n${figures.join('\n')}\n`);
    rmSync(scratch, { recursive: true, force: true });
    process.exit(code);
  });

/**
 * `npm run test:image` (BUILD-5): the container image, for real, with podman and runc.
 * Makes the debian:trixie-slim base locally with debootstrap when it is missing (no registry is
 * reachable here), builds the image with `--format docker` (so HEALTHCHECK is kept), runs it with
 * a volume, waits for `podman healthcheck run`, creates a meeting with a note, stops the container
 * (it drains within 2 s and exits 0), starts it again and finds the meeting and the note. Then
 * the same with compose.yaml through podman-compose (Debian's package): up, a meeting, down, up
 * again on the named volume, the meeting is back, down with the volume.
 * Prints the image size, the build time and the start time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './build-state.mjs';
import { meetingAndNoteAreBack, meetingWithNote, sourceIsOffered } from './lib/meeting-probe';
import { until } from './lib/processes';

const BASE = 'docker.io/library/debian:trixie-slim';
const TAG = 'localhost/balint-room:test';
/** The image compose.yaml names: tagged from the build above, so compose does not build again. */
const COMPOSE_IMAGE = 'localhost/balint-room:latest';
const COMPOSE_PROJECT = `balint-compose-${Math.random().toString(36).slice(2, 8)}`;
const DRAIN_LIMIT_MS = 2_000;
const HEALTHY_WITHIN_MS = 120_000;
const suffix = Math.random().toString(36).slice(2, 8);
const name = `balint-test-${suffix}`;
const volume = `balint-test-data-${suffix}`;
const figures: string[] = [];

/** runc and host networking: what works on these machines (STACK.md, containers). */
function podman(args: string[], opts: { input?: Buffer } = {}): string {
  return execFileSync('podman', ['--runtime', 'runc', ...args], {
    stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    input: opts.input,
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
}

function podmanOk(args: string[]): boolean {
  return spawnSync('podman', ['--runtime', 'runc', ...args], { stdio: 'ignore' }).status === 0;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
  process.stdout.write(`ok   ${what}\n`);
}

/** The mirror apt uses on this machine (deb822 sources or sources.list). */
function debianMirror(): string {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(text)?.[1];
    if (uri) return uri;
  }
  throw new Error('no Debian mirror found in /etc/apt');
}

function ensureBaseImage(): void {
  if (podmanOk(['image', 'exists', BASE])) return;
  const dir = mkdtempSync(path.join('/var/tmp', 'balint-rootfs-'));
  try {
    const t0 = performance.now();
    execFileSync('debootstrap', ['--variant=minbase', 'trixie', dir, debianMirror()], { stdio: 'ignore' });
    const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 1024 * 1024 * 1024 });
    podman(['import', '-', BASE], { input: tar });
    figures.push(`base image (debootstrap + import): ${Math.round((performance.now() - t0) / 1000)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function freePort(): number {
  const out = execFileSync(process.execPath, [
    '-e',
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
  ]);
  return Number(out.toString().trim());
}

async function waitHealthy(): Promise<number> {
  const t0 = performance.now();
  await until(
    'podman healthcheck run to pass',
    () => podmanOk(['healthcheck', 'run', name]),
    HEALTHY_WITHIN_MS,
  );
  return Math.round(performance.now() - t0);
}

async function main(): Promise<void> {
  ensureBaseImage();
  const t0 = performance.now();
  // A CA this machine's Node trusts (a TLS-inspecting proxy) is lent to the build stage only.
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  const caArgs = ca
    ? ['--volume', `${ca}:/run/extra-ca.crt:ro`, '--build-arg', 'NODE_EXTRA_CA_CERTS=/run/extra-ca.crt']
    : [];
  podman(['build', '--network', 'host', '--format', 'docker', ...caArgs, '--tag', TAG, ROOT]);
  figures.push(`image build: ${Math.round((performance.now() - t0) / 1000)} s`);
  const sizeBytes = Number(podman(['image', 'inspect', '--format', '{{.Size}}', TAG]).trim());
  figures.push(`image size: ${Math.round(sizeBytes / 1024 / 102.4) / 10} MiB`);
  const health = podman(['image', 'inspect', '--format', '{{json .Config.Healthcheck}}', TAG]);
  check(health.includes('healthz'), 'the image keeps its HEALTHCHECK on /healthz');
  const contents = podman([
    'run',
    '--rm',
    '--network',
    'host',
    TAG,
    'sh',
    '-c',
    'id -u; ls /app; ls /app/node_modules',
  ]);
  const [uid, ...listing] = contents.trim().split('\n');
  check(uid !== '0', `the server runs as a non-root user (uid ${uid})`);
  check(
    !listing.some((l) => /^(tests|bench|server|vite|vitest|typescript|esbuild|tsx)$/.test(l)),
    'no test sources, no sources, no dev dependencies in the image',
  );

  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  podman(['volume', 'create', volume]);
  // Host networking (STACK.md); HOST is narrowed to loopback so that the test exposes nothing.
  const s0 = performance.now();
  podman([
    'run',
    '-d',
    '--network',
    'host',
    '--name',
    name,
    '-e',
    `PORT=${port}`,
    '-e',
    'HOST=127.0.0.1',
    '-v',
    `${volume}:/data`,
    TAG,
  ]);
  const healthyMs = await waitHealthy();
  figures.push(
    `start (podman run until healthy): ${Math.round(performance.now() - s0)} ms (health check passed ${healthyMs} ms after run returned)`,
  );
  const meeting = await meetingWithNote(url);
  check(true, 'a meeting and a note, through REST and socket.io-client');
  const sourceBytes = await sourceIsOffered(url);
  check(true, `it offers its own source at /source.tar.gz (${Math.round(sourceBytes / 1024)} KiB, BUILD-4)`);

  const d0 = performance.now();
  podman(['stop', '--time', '10', name]);
  const stopMs = Math.round(performance.now() - d0);
  const exitCode = podman(['inspect', '--format', '{{.State.ExitCode}}', name]).trim();
  const logs = podman(['logs', name]);
  figures.push(`stop (podman stop until exited): ${stopMs} ms`);
  check(
    exitCode === '0' && logs.includes('server.closed'),
    `the container drained and exited 0 (exit ${exitCode})`,
  );
  check(stopMs < DRAIN_LIMIT_MS, `it stopped within ${DRAIN_LIMIT_MS} ms (${stopMs} ms)`);
  check(!logs.includes(meeting.noteText), 'the note text is in no log line');

  const r0 = performance.now();
  podman(['start', name]);
  await waitHealthy();
  figures.push(`restart (podman start until healthy): ${Math.round(performance.now() - r0)} ms`);
  await meetingAndNoteAreBack(url, meeting);
  check(true, 'after a restart the meeting and its note are back from the volume');
  podman(['rm', '--force', '--time', '0', name]);
  await composeRun();
  await composeScaleRun();
}

/**
 * podman-compose with this machine's runtime (STACK.md), publishing on a free loopback port;
 * `file` is compose.yaml or compose.scale.yaml, `env` what that file needs besides.
 */
function compose(
  args: string[],
  port: number,
  file = 'compose.yaml',
  project = COMPOSE_PROJECT,
  env: Record<string, string> = {},
): string {
  return execFileSync(
    'podman-compose',
    ['--project-name', project, '--file', path.join(ROOT, file), '--podman-args=--runtime runc', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BALINT_PUBLISH: `127.0.0.1:${port}`, ...env },
      maxBuffer: 64 * 1024 * 1024,
    },
  ).toString();
}

async function composeRun(): Promise<void> {
  podman(['tag', TAG, COMPOSE_IMAGE]);
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  // The compose service is the image's own health check, run by podman.
  const container = () =>
    podman([
      'ps',
      '--filter',
      `label=io.podman.compose.project=${COMPOSE_PROJECT}`,
      '--format',
      '{{.Names}}',
    ]).trim();
  const healthy = () =>
    until(
      'the compose service to pass its health check',
      () => podmanOk(['healthcheck', 'run', container()]),
      HEALTHY_WITHIN_MS,
    );
  try {
    const c0 = performance.now();
    compose(['up', '-d'], port);
    await healthy();
    figures.push(`compose up until healthy: ${Math.round(performance.now() - c0)} ms`);
    // Through the port compose published (its own network, not the host's).
    const meeting = await meetingWithNote(url);
    compose(['down'], port);
    compose(['up', '-d'], port);
    await healthy();
    await meetingAndNoteAreBack(url, meeting);
    check(
      true,
      'podman-compose: compose.yaml runs the image; down and up keep the meeting on the named volume',
    );
  } finally {
    spawnSync(
      'podman-compose',
      [
        '--project-name',
        COMPOSE_PROJECT,
        '--file',
        path.join(ROOT, 'compose.yaml'),
        '--podman-args=--runtime runc',
        'down',
        '--volumes',
      ],
      { stdio: 'ignore' },
    );
    podmanOk(['rmi', COMPOSE_IMAGE]);
  }
}

/** What `/healthz` answers through HAProxy: ok, with both engines named ready (SCALE-9). */
async function clusterReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { components?: Record<string, string> };
    return res.ok && body.components?.database === 'ok' && body.components.redis === 'ok';
  } catch {
    return false;
  }
}

/**
 * compose.scale.yaml (issue 14): PostgreSQL, Redis and HAProxy built from Debian's packages on the
 * app image's base, two app processes behind HAProxy. Up; a meeting and a note through HAProxy;
 * down and up again keeps them (the PostgreSQL and key volumes); down with the volumes.
 */
async function composeScaleRun(): Promise<void> {
  podman(['tag', TAG, COMPOSE_IMAGE]);
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const project = `${COMPOSE_PROJECT}-scale`;
  const env = {
    BALINT_DB_PASSWORD: Math.random().toString(36).slice(2),
    BALINT_REDIS_PASSWORD: Math.random().toString(36).slice(2),
  };
  const run = (args: string[]) => compose(args, port, 'compose.scale.yaml', project, env);
  const ready = () =>
    until(
      'HAProxy to answer /healthz with the database and Redis ready',
      () => clusterReady(url),
      HEALTHY_WITHIN_MS,
    );
  try {
    const c0 = performance.now();
    run(['up', '-d']);
    await ready();
    figures.push(
      `compose.scale.yaml up (three images built when missing) until ready: ${Math.round(performance.now() - c0)} ms`,
    );
    // The meeting is made through HAProxy, its socket possibly on the other process.
    const meeting = await meetingWithNote(url);
    run(['down']);
    run(['up', '-d']);
    await ready();
    await meetingAndNoteAreBack(url, meeting);
    check(
      true,
      'podman-compose: compose.scale.yaml runs PostgreSQL, Redis, two processes and HAProxy; a meeting through HAProxy survives down and up',
    );
  } finally {
    spawnSync(
      'podman-compose',
      [
        '--project-name',
        project,
        '--file',
        path.join(ROOT, 'compose.scale.yaml'),
        '--podman-args=--runtime runc',
        'down',
        '--volumes',
      ],
      { stdio: 'ignore', env: { ...process.env, ...env } },
    );
    podmanOk(['rmi', COMPOSE_IMAGE]);
  }
}

main()
  .then(
    () => 0,
    (error: unknown) => {
      process.stdout.write(`FAIL ${error instanceof Error ? error.message : String(error)}\n`);
      if (podmanOk(['container', 'exists', name])) process.stdout.write(podman(['logs', name]));
      return 1;
    },
  )
  .then((code) => {
    if (podmanOk(['container', 'exists', name])) podmanOk(['rm', '--force', '--time', '0', name]);
    if (podmanOk(['volume', 'exists', volume])) podmanOk(['volume', 'rm', '--force', volume]);
    process.stdout.write(`\n${figures.join('\n')}\n`);
    process.exit(code);
  });

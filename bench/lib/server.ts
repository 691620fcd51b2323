/**
 * Starts the real server as production runs it (the built dist/server/main.js under plain node),
 * as its own process, with the probe loaded into it.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { buildState } from '../../scripts/build-state.mjs';
import { build } from '../../scripts/build.mjs';
import { ROOT, spawnNodeIpc, stopChild, waitForLine } from './children';
import { RpcClient } from './rpc';
import type { ProbeStats } from './types';

const START_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 30_000;
const RUNNING = /Balint Room is running: open (http:\/\/\S+)/;

/** A process with the probe loaded (bench/server-probe.ts). */
export interface Probed {
  url: string;
  probe(opts?: { reset?: boolean; gc?: boolean }): Promise<ProbeStats>;
}

export interface RunningServer extends Probed {
  child: ChildProcess;
  /** Resident set size from /proc/<pid>/status, in bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (for runs that must know the address before start). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const PROBE_OUT = path.join(ROOT, 'dist', 'bench', 'server-probe.mjs');

/**
 * Builds the server when it is missing or stale, and the probe as plain JavaScript, so that the
 * measured process has no TypeScript loader in it (what production runs, plus the probe).
 */
export async function prepareServer(): Promise<void> {
  if (buildState() !== 'current') await build();
  buildSync({
    entryPoints: [path.join(ROOT, 'bench', 'server-probe.ts')],
    outfile: PROBE_OUT,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
}

export function serverEnv(
  dataDir: string,
  port: number,
  logLevel: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: logLevel,
    // Empty values count as unset: no key to create meetings, origins judged by host.
    PUBLIC_ORIGIN: '',
    CREATE_KEY: '',
    TRUST_PROXY: '0',
    // Last, so that a part may set what the defaults above leave out (TRUST_PROXY behind HAProxy).
    ...extra,
  };
}

/** Spawns the server; `ready` resolves with its URL once it prints that it is running. */
export function launchServer(opts: {
  dataDir: string;
  port?: number;
  logLevel?: string;
  cpuProfileDir?: string;
  /** Sees every stdout line up to the "running" line (e.g. the server.listening log). */
  onLine?: (line: string) => void;
  env?: Record<string, string>;
}): {
  child: ChildProcess;
  ready: Promise<string>;
} {
  const child = spawnNodeIpc(path.join(ROOT, 'dist', 'server', 'main.js'), {
    nodeFlags: [
      '--expose-gc',
      ...(opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : []),
      '--import',
      PROBE_OUT,
    ],
    env: serverEnv(opts.dataDir, opts.port ?? 0, opts.logLevel ?? 'warn', opts.env),
  });
  const ready = waitForLine(
    child,
    (line) => {
      opts.onLine?.(line);
      return RUNNING.exec(line)?.[1] ?? null;
    },
    START_TIMEOUT_MS,
    'server',
  );
  return { child, ready };
}

export async function startServer(opts: {
  dataDir: string;
  logLevel?: string;
  cpuProfileDir?: string;
  env?: Record<string, string>;
}): Promise<RunningServer> {
  const { child, ready } = launchServer(opts);
  const url = await ready;
  const rpc = new RpcClient(child, 'server probe');
  return {
    url,
    child,
    probe: (o = {}) => rpc.call<ProbeStats>('stats', o, PROBE_TIMEOUT_MS),
    rssBytes: () => procRssBytes(child.pid),
    stop: () => stopChild(child, 15_000),
  };
}

export function procRssBytes(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

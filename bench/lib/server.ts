/** Starts the real server (server/main.ts) as its own process, with the probe loaded into it. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawnTs, stopChild, waitForLine } from './children';
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

export function serverEnv(dataDir: string, port: number, logLevel: string): NodeJS.ProcessEnv {
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
}): {
  child: ChildProcess;
  ready: Promise<string>;
} {
  const child = spawnTs('server/main.ts', {
    nodeFlags: [
      '--expose-gc',
      ...(opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : []),
    ],
    imports: ['./bench/server-probe.ts'],
    env: serverEnv(opts.dataDir, opts.port ?? 0, opts.logLevel ?? 'warn'),
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

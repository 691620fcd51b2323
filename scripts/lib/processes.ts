/** Process-tree figures and bounded waits for the production checks (no sleeps: polls with a deadline). */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const POLL_MS = 20;

function statusField(pid: number, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function alive(pid: number): boolean {
  return statusField(pid, 'Pid') !== null;
}

/** The pid and every descendant (from /proc/<pid>/status PPid). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = statusField(pid, 'PPid');
    if (ppid !== null) parents.set(pid, ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree.filter(alive);
}

/** Resident set size in MiB. */
export function rssMiB(pids: number[]): number {
  const kb = pids.reduce((sum, pid) => sum + (statusField(pid, 'VmRSS') ?? 0), 0);
  return Math.round(kb / 102.4) / 10;
}

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function run(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Run {
  const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Waits for the server's "running" line and returns its URL. */
export async function runningUrl(r: Run, timeoutMs: number): Promise<string> {
  let url = '';
  await until(
    'the server to print its address',
    () => {
      url = /running: open (http:\/\/\S+)/.exec(r.output())?.[1] ?? '';
      if (!url && r.child.exitCode !== null) throw new Error(`exited during start-up:\n${r.output()}`);
      return url !== '';
    },
    timeoutMs,
  );
  return url;
}

/** Ends every process of a tree we started, by pid. */
export function killTree(root: number): void {
  for (const pid of processTree(root).reverse()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: children run with it as their working directory. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const live = new Set<ChildProcess>();
const KILL_GRACE_MS = 5_000;

/**
 * Starts a TypeScript file as its own Node process (through tsx), with an IPC channel.
 * Every child is remembered so that `killAll` ends it, whatever happened.
 */
export function spawnTs(
  file: string,
  opts: { args?: string[]; nodeFlags?: string[]; env?: NodeJS.ProcessEnv; imports?: string[] } = {},
): ChildProcess {
  const imports = ['tsx', ...(opts.imports ?? [])].flatMap((m) => ['--import', m]);
  const child = spawn(
    process.execPath,
    [...(opts.nodeFlags ?? []), ...imports, path.join(ROOT, file), ...(opts.args ?? [])],
    { cwd: ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  track(child);
  return child;
}

/** A plain JavaScript file (the built server) as its own Node process, with an IPC channel. */
export function spawnNodeIpc(
  file: string,
  opts: { nodeFlags?: string[]; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), file], {
    cwd: ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  track(child);
  return child;
}

export function spawnNode(script: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  return child;
}

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  // An unread pipe that fills up would stall the child; callers that care add their own reader.
  child.stdout?.resume();
  child.stderr?.resume();
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL if the child has not exited after a grace period. */
export async function stopChild(child: ChildProcess, graceMs = KILL_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c, 2_000)));
}

/** Last resort, synchronous: used from process 'exit', where nothing can be awaited. */
export function killAllNow(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Collects a child's output lines and resolves on the first line that `match` accepts. */
export function waitForLine(
  child: ChildProcess,
  match: (line: string) => string | null,
  timeoutMs: number,
  what: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const found = match(line);
        if (found !== null) {
          finish();
          resolve(found);
          return;
        }
      }
    };
    const onErr = (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2_000);
    };
    const onExit = (code: number | null, signal: string | null) => {
      finish();
      reject(new Error(`${what} exited (${code ?? signal}) before it was ready: ${stderr.trim()}`));
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${what} was not ready within ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onErr);
    child.on('exit', onExit);
  });
}

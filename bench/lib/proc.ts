/**
 * CPU time of other processes from /proc/<pid>/stat: the engines (PostgreSQL, Redis, HAProxy) are
 * not Node processes with a probe in them, so their cost is read the way `top` reads it.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of the times in /proc/<pid>/stat, 100 on every Linux the project runs on. */
const CLOCK_TICKS_PER_S = 100;
const MS_PER_TICK = 1_000 / CLOCK_TICKS_PER_S;

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime of the process itself, in ms. */
  ownMs: number;
  /** cutime + cstime: what its children used before they exited and were reaped, in ms. */
  reapedMs: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may itself hold spaces or parentheses.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  const field = (i: number) => Number(rest[i] ?? Number.NaN);
  return {
    pid,
    comm: text.slice(open + 1, close),
    ppid: field(1),
    ownMs: (field(11) + field(12)) * MS_PER_TICK,
    reapedMs: (field(13) + field(14)) * MS_PER_TICK,
  };
}

function allStats(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+$/.test(n))
    .map((n) => readStat(Number(n)))
    .filter((s): s is ProcStat => s !== null);
}

/** The pid of this process's child named `comm` (the engines run as direct children of the run). */
export function childPid(comm: string): number | null {
  const found = allStats().filter((s) => s.ppid === process.pid && s.comm === comm);
  return found.length === 1 ? (found[0]?.pid ?? null) : null;
}

/**
 * CPU time used so far by `pid`, in ms; with `tree`, also by its children, living (their own
 * time) and exited (the time the kernel added to the parent's cutime/cstime when it reaped
 * them): PostgreSQL's cost is that of its backends and helpers, not of the postmaster alone.
 * NaN when the process is gone or /proc cannot be read.
 */
export function cpuMs(pid: number | null | undefined, tree = false): number {
  if (pid === null || pid === undefined) return Number.NaN;
  const own = readStat(pid);
  if (!own) return Number.NaN;
  if (!tree) return own.ownMs;
  const children = allStats().filter((s) => s.ppid === pid);
  return own.ownMs + own.reapedMs + children.reduce((sum, c) => sum + c.ownMs, 0);
}

/** A set of named components whose CPU is read at the start and the end of a window. */
export class CpuMeter {
  private from = new Map<string, number>();
  private startedAt = 0;

  constructor(private readonly components: () => { name: string; pid: number | null; tree?: boolean }[]) {}

  start(): void {
    this.startedAt = performance.now();
    this.from = new Map(this.components().map((c) => [c.name, cpuMs(c.pid, c.tree)]));
  }

  /** Each component's CPU since start(): percent of one core, and ms used. */
  read(): { name: string; percent: number; ms: number }[] {
    const elapsed = performance.now() - this.startedAt;
    return this.components().map((c) => {
      const used = cpuMs(c.pid, c.tree) - (this.from.get(c.name) ?? Number.NaN);
      return { name: c.name, ms: used, percent: (used / elapsed) * 100 };
    });
  }
}

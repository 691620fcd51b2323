/**
 * Reads the server's V8 CPU profile (`--cpu-prof`): self time per function, and the longest
 * stretches in which the event loop never went idle, each with the project functions (server/,
 * shared/) that were on the stack most of that time.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './children';
import type { Section } from './report';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const TOP_FUNCTIONS = 12;
const TOP_TOTALS = 40;
const TOP_STRETCHES = 5;
const FRAMES_PER_STRETCH = 3;

/** Where a function lives, short: a repository path, or the npm package it comes from. */
function place(url: string): string {
  if (!url) return '';
  const file = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
  if (pkg) return pkg;
  if (file.startsWith(ROOT)) return path.relative(ROOT, file);
  return file.startsWith('node:') ? file : path.basename(file);
}

const isIdle = (n: ProfileNode | undefined) => !n || n.callFrame.functionName === '(idle)';
const nameOf = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} (${place(n.callFrame.url)})`;

function ownCode(n: ProfileNode): boolean {
  const where = place(n.callFrame.url);
  return (where.startsWith('server/') || where.startsWith('shared/')) && !where.includes('bench/');
}

function count<T>(items: T[]): [T, number][] {
  const m = new Map<T, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
}

/**
 * `windows` (server monotonic µs) marks the load windows: stretches inside them are what the
 * measured clients waited for; the others happened while connections were being opened.
 */
export function summarizeProfile(dir: string, section: Section, windows: [number, number][] = []): void {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const file = files[0];
  if (!file) {
    section.error = 'the server wrote no CPU profile';
    return;
  }
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** The innermost project function on a sample's stack, or the leaf when there is none. */
  const ownFrame = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (n && ownCode(n)) return nameOf(n);
    }
    const leaf = byId.get(id);
    return leaf ? nameOf(leaf) : '?';
  };

  // Self time per function, and total time (with what it called), inside the load windows when
  // there are any: the connecting between them is other work.
  const inWindow = (at: number) => windows.some(([a, b]) => at >= a && at <= b);
  const selfMs = new Map<string, number>();
  const totalMs = new Map<string, number>();
  let busyMs = 0;
  let sampledAt = profile.startTime;
  profile.samples.forEach((id, i) => {
    sampledAt += profile.timeDeltas[i] ?? 0;
    const n = byId.get(id);
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (!n || n.callFrame.functionName === '(idle)') return;
    if (windows.length > 0 && !inWindow(sampledAt)) return;
    selfMs.set(nameOf(n), (selfMs.get(nameOf(n)) ?? 0) + dt);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame?.callFrame.functionName) onStack.add(nameOf(frame));
    }
    for (const name of onStack) totalMs.set(name, (totalMs.get(name) ?? 0) + dt);
    busyMs += dt;
  });
  section.columns(['function (self time)', 'ms', 'share of busy time']);
  for (const [name, t] of [...selfMs].sort((a, b) => b[1] - a[1]).slice(0, TOP_FUNCTIONS)) {
    section.row([name, t.toFixed(0), `${((t / busyMs) * 100).toFixed(1)}%`]);
  }
  section.note(
    `${(busyMs / 1000).toFixed(1)} s busy in ${((profile.endTime - profile.startTime) / 1e6).toFixed(0)} s` +
      (windows.length > 0 ? ` (busy time counted inside the ${windows.length} load windows only).` : '.'),
  );
  const heaviest = [...totalMs]
    .filter(([name]) => !/^\((root|program|garbage collector)\)/.test(name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_TOTALS)
    .map(([name, t]) => `${name} ${((t / busyMs) * 100).toFixed(0)}%`);
  section.note(`Total time (with callees), as a share of busy time: ${heaviest.join('; ')}.`);

  // Stretches without an idle sample: how long the event loop was held, and by what.
  const stretches: { ms: number; frames: string[]; at: number }[] = [];
  let current: { ms: number; frames: string[]; at: number } | null = null;
  let now = profile.startTime;
  profile.samples.forEach((id, i) => {
    now += profile.timeDeltas[i] ?? 0;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (isIdle(byId.get(id))) {
      if (current) stretches.push(current);
      current = null;
      return;
    }
    current ??= { ms: 0, frames: [], at: now };
    current.ms += dt;
    current.frames.push(ownFrame(id));
  });
  // Start-up (module loading) is one long stretch too; it is not what clients wait for.
  const candidates = stretches
    .filter((s) => !s.frames.some((f) => f.includes('esm/') || f.includes('(tsx)')))
    .sort((a, b) => b.ms - a.ms);
  const groups: [string, typeof candidates][] =
    windows.length === 0
      ? [['', candidates.slice(0, TOP_STRETCHES)]]
      : [
          [' in a load window', candidates.filter((s) => inWindow(s.at)).slice(0, TOP_STRETCHES)],
          [' while connecting', candidates.filter((s) => !inWindow(s.at)).slice(0, 2)],
        ];
  for (const [during, list] of groups) {
    for (const s of list) {
      const top = count(s.frames)
        .slice(0, FRAMES_PER_STRETCH)
        .map(([f, n]) => `${f} ${Math.round((n / s.frames.length) * 100)}%`);
      section.note(
        `The event loop was busy for ${s.ms.toFixed(0)} ms without a break${during}, in: ${top.join('; ')}.`,
      );
    }
  }
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './children';
import type { Section } from './report';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const TOP = 15;

/** Where a function lives, short: a repository path, or the npm package it comes from. */
function place(url: string, line: number): string {
  if (!url) return '';
  const file = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
  if (pkg) return pkg;
  if (file.startsWith(ROOT)) return `${path.relative(ROOT, file)}:${line + 1}`;
  return file.startsWith('node:') ? file : path.basename(file);
}

/** Self time per function from the server's .cpuprofile, the top ones as table rows. */
export function summarizeProfile(dir: string, section: Section): void {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const file = files[0];
  if (!file) {
    section.error = 'the server wrote no CPU profile';
    return;
  }
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples) {
    const node = byNode.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${place(node.callFrame.url, node.callFrame.lineNumber)}`;
    hits.set(key, (hits.get(key) ?? 0) + 1);
    total++;
  }
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  section.columns(['function', 'where', 'self', 'share of busy time']);
  for (const [key, n] of [...hits].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    const [fn, where] = key.split('  ');
    section.row([
      fn ?? '',
      where ?? '',
      `${(n * msPerSample).toFixed(0)} ms`,
      `${((n / total) * 100).toFixed(1)}%`,
    ]);
  }
  section.note(
    `${total} busy samples of ${profile.samples.length} (${((total * msPerSample) / 1000).toFixed(1)} s busy).`,
  );
}

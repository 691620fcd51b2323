import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { ROOT } from './children';

const FILE = path.join(ROOT, 'docs', 'benchmarks.md');

/**
 * Replaces a results block of docs/benchmarks.md with this run's output, formatted by Prettier:
 * `results` (the single-process run), `processes` (--processes) or `haproxy` (--only haproxy), so
 * that one kind of run never overwrites another's figures.
 */
export async function writeDocs(results: string, block = 'results'): Promise<void> {
  const START = `<!-- bench:${block}:start -->`;
  const END = `<!-- bench:${block}:end -->`;
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`docs/benchmarks.md has no ${START} … ${END} block`);
  const next = `${text.slice(0, from + START.length)}\n\n${results}\n\n${text.slice(to)}`;
  const options = (await prettier.resolveConfig(FILE)) ?? {};
  writeFileSync(FILE, await prettier.format(next, { ...options, filepath: FILE }));
}

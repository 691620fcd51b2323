/**
 * Fails when relative imports form a cycle in server/, client/ or shared/.
 * Uses the TypeScript scanner (ts.preProcessFile), so type-only imports count too.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOTS = ['server', 'client/src', 'shared'];
const EXTENSIONS = ['.ts', '.tsx'];

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (EXTENSIONS.some((e) => name.endsWith(e))) out.push(path.resolve(full));
  }
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [
    base,
    ...EXTENSIONS.map((e) => base + e),
    ...EXTENSIONS.map((e) => path.join(base, 'index' + e)),
  ]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const files: string[] = [];
for (const root of ROOTS) walk(root, files);
const graph = new Map<string, string[]>();
for (const file of files) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  graph.set(
    file,
    info.importedFiles.map((f) => resolveImport(file, f.fileName)).filter((f): f is string => f !== null),
  );
}

const state = new Map<string, 'visiting' | 'done'>();
const cycles: string[][] = [];
function visit(file: string, stack: string[]): void {
  state.set(file, 'visiting');
  for (const dep of graph.get(file) ?? []) {
    if (state.get(dep) === 'visiting') cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
    else if (!state.has(dep)) visit(dep, [...stack, dep]);
  }
  state.set(file, 'done');
}
for (const file of files) if (!state.has(file)) visit(file, [file]);

if (cycles.length > 0) {
  for (const c of cycles) console.error('import cycle: ' + c.map((f) => path.relative('.', f)).join(' -> '));
  process.exit(1);
}
console.log(`no import cycles in ${files.length} files`);

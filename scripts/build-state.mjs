// Whether the build in dist/ and client/dist/ is there and newer than everything it is made from.
// Shared by `npm start` (scripts/start.mjs), the tests' global set-up and the benchmark.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The bundled server; `node` runs this file. */
export const SERVER_ENTRY = path.join(ROOT, 'dist', 'server', 'main.js');
const OUTPUTS = [
  SERVER_ENTRY,
  path.join(ROOT, 'client', 'dist', 'index.html'),
  path.join(ROOT, 'client', 'dist', 'source.tar.gz'),
];
/** What the build reads; a production copy has none of it, so its build counts as current. */
const SOURCES = [
  'server',
  'shared',
  'client/src',
  'client/index.html',
  'client/public',
  'vite.config.ts',
  'scripts/build.mjs',
].map((f) => path.join(ROOT, f));

function newestMtimeMs(file) {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(file)) newest = Math.max(newest, newestMtimeMs(path.join(file, entry)));
  return newest;
}

/** 'missing', 'stale' (a source is newer than an output) or 'current'. */
export function buildState() {
  const builtAtMs = Math.min(...OUTPUTS.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  if (builtAtMs === 0) return 'missing';
  return Math.max(...SOURCES.map(newestMtimeMs)) > builtAtMs ? 'stale' : 'current';
}

export function buildToolsInstalled() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  try {
    require.resolve('vite');
    require.resolve('esbuild');
    return true;
  } catch {
    return false;
  }
}

// Builds what production runs: the client with vite (client/dist) and the server bundled once with
// esbuild (dist/server/main.js). Plain JavaScript so that it needs no TypeScript runner.
// Packages stay external: production installs them with `npm ci --omit=dev`.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SERVER_ENTRY } from './build-state.mjs';

export async function build() {
  const started = performance.now();
  const { build: viteBuild } = await import('vite');
  const esbuild = await import('esbuild');
  await viteBuild({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'server', 'main.ts')],
    outfile: SERVER_ENTRY,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    // main.ts finds client/dist from its own location, which moves when it is bundled.
    define: { __BALINT_ROOT_FROM_ENTRY__: JSON.stringify('../..') },
  });
  const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  writeSourceArchive(version);
  process.stdout.write(`built balint-room ${version} in ${Math.round(performance.now() - started)} ms\n`);
}

/**
 * The source of this very build, served as /source.tar.gz (AGPL-3.0 section 13: everyone who uses
 * the server over the network is offered its source, modifications included). It holds the files
 * the build was made from, never what a running server writes: no dependencies, builds, data
 * folder, logs, environment files, and no SQLite file wherever it lies.
 */
export const SOURCE_ARCHIVE = path.join(ROOT, 'client', 'dist', 'source.tar.gz');
const LEFT_OUT = new Set(['.git', 'node_modules', 'dist', 'client/dist', 'data', 'artifacts', 'coverage']);

function isSqliteFile(file) {
  const header = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

/** The files of `root` the archive holds, relative to it. */
export function sourceFiles(root, rel = '') {
  const out = [];
  const dataDir = process.env.DATA_DIR ? path.relative(root, path.resolve(process.env.DATA_DIR)) : null;
  for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const name = rel ? `${rel}/${entry.name}` : entry.name;
    if (LEFT_OUT.has(name) || name === dataDir) continue;
    if (/\.log$|^\.env|\.sqlite|-wal$|-shm$|\.lock$/.test(entry.name)) continue;
    const stat = lstatSync(path.join(root, name));
    if (stat.isDirectory()) out.push(...sourceFiles(root, name));
    else if (stat.isFile() && !isSqliteFile(path.join(root, name))) out.push(name);
  }
  return out;
}

function writeSourceArchive(version) {
  const files = sourceFiles(ROOT).sort();
  execFileSync(
    'tar',
    [
      '--create',
      '--gzip',
      `--file=${SOURCE_ARCHIVE}`,
      `--directory=${ROOT}`,
      `--transform=s,^,balint-room-${version}/,`,
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--no-recursion',
      '--null',
      '--files-from=-',
    ],
    { input: files.join('\0') },
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build();
}

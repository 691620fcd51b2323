// `npm start`: runs the built server in this very process, so that a SIGTERM to npm's child (or
// to this process as a service's main process) reaches the server's own drain handler.
// Builds first when the build is missing or older than a source file and the build tools are
// installed; a production install (`npm ci --omit=dev`) without a build stops with exit 2.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUTS = ['dist/server/main.js', 'client/dist/index.html'];
/** What the build reads; absent in a production copy, which then counts as up to date. */
const SOURCES = [
  'server',
  'shared',
  'client/src',
  'client/index.html',
  'client/public',
  'vite.config.ts',
  'scripts/build.mjs',
  'package.json',
];

function newestMtimeMs(file) {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(file)) newest = Math.max(newest, newestMtimeMs(path.join(file, entry)));
  return newest;
}

function buildToolsInstalled() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  try {
    require.resolve('vite');
    require.resolve('esbuild');
    return true;
  } catch {
    return false;
  }
}

const builtAt = Math.min(
  ...OUTPUTS.map((f) => (existsSync(path.join(ROOT, f)) ? statSync(path.join(ROOT, f)).mtimeMs : 0)),
);
const sourcesAt = Math.max(...SOURCES.map((f) => newestMtimeMs(path.join(ROOT, f))));

if (builtAt === 0 || sourcesAt > builtAt) {
  if (buildToolsInstalled()) {
    // A child process: vite and esbuild leave nothing behind in the server's process.
    const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], {
      stdio: 'inherit',
    });
    if (result.status !== 0) process.exit(result.status ?? 1);
  } else if (builtAt === 0) {
    process.stderr.write(
      'No build found and no build tools installed: run `npm run build` where the dev dependencies are, then copy dist/ and client/dist/.\n',
    );
    process.exit(2);
  } else {
    process.stderr.write(
      'warning: the build is older than the sources and no build tools are installed; starting the old build\n',
    );
  }
}

await import(pathToFileURL(path.join(ROOT, OUTPUTS[0])).href);

// Builds what production runs: the client with vite (client/dist) and the server bundled once with
// esbuild (dist/server/main.js). Plain JavaScript so that it needs no TypeScript runner.
// Packages stay external: production installs them with `npm ci --omit=dev`.
import { readFileSync } from 'node:fs';
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
  process.stdout.write(`built balint-room ${version} in ${Math.round(performance.now() - started)} ms\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build();
}

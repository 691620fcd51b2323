// `npm start`: runs the built server in this very process, so that a SIGTERM to npm's child (or
// to this process as a service's main process) reaches the server's own drain handler.
// Builds first when the build is missing or older than a source file and the build tools are
// installed; a production install (`npm ci --omit=dev`) without a build stops with exit 2.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, SERVER_ENTRY, buildState, buildToolsInstalled } from './build-state.mjs';

const state = buildState();
if (state !== 'current') {
  if (buildToolsInstalled()) {
    // A child process, so that nothing vite or esbuild loads stays in the server's memory.
    const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], {
      stdio: 'inherit',
    });
    if (built.status !== 0) process.exit(built.status ?? 1);
  } else if (state === 'missing') {
    process.stderr.write(
      'No build and no build tools: run `npm run build` with the dev dependencies installed, then copy dist/ and client/dist/ here.\n',
    );
    process.exit(2);
  } else {
    process.stderr.write(
      'warning: the build is older than the sources and there are no build tools to rebuild it\n',
    );
  }
}

await import(pathToFileURL(SERVER_ENTRY).href);

/**
 * vitest global set-up: child-process tests and the browser tests run the built server
 * (dist/server/main.js, client/dist), as production does. Builds once, only when the build is
 * missing or older than a source file.
 */
import { buildState } from '../../scripts/build-state.mjs';
import { build } from '../../scripts/build.mjs';

export default async function setup(): Promise<void> {
  if (buildState() !== 'current') await build();
}

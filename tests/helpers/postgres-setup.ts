/**
 * vitest global set-up of the PostgreSQL project (vitest.config.ts): one PostgreSQL cluster for
 * the whole run, started through tests/helpers/services.ts. Each test server gets a database of
 * its own on it (tests/helpers/test-storage.ts); the cluster's URL reaches the test files through
 * `provide` / `inject`.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres, stopServices } from './services';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's PostgreSQL cluster (its `postgres` database); absent on the SQLite projects. */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return stopServices;
}

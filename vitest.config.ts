import { defineConfig } from 'vitest/config';

/**
 * Integration files whose subject is SQLite's own files (the data folder, its WAL and free pages,
 * crash points of its purge, its migrations), or that touch no meeting storage at all: they run
 * on the SQLite project only. Every other integration file runs on both databases.
 */
const SQLITE_ONLY = [
  // The data folder's files: WAL truncation, secure delete, file modes, the lock, crash points.
  'tests/integration/disk.*.test.ts',
  // Canary scans of the data folder's SQLite files and the server's heap after a purge; on
  // PostgreSQL confidentiality comes with the per-meeting keys (CONF-4), scanned by their own tests.
  'tests/integration/confidential.canary.test.ts',
  'tests/integration/confidential.intake.test.ts',
  'tests/integration/confidential.prompts.test.ts',
  // SQLite internals: user_version, the narrow queries' index hints, the file reopened.
  'tests/integration/storage.test.ts',
  // Start-up refusals about the data folder and its database file.
  'tests/integration/startup.errors.test.ts',
  // Runs every operation on both databases itself.
  'tests/integration/storage.contract.test.ts',
  // They scan the data folder for the groups' SQLite file beside the meetings' one (on
  // PostgreSQL the groups' tables are in the meetings' database: SCALE-6's contract test).
  'tests/integration/group.link.test.ts',
  'tests/integration/group.followUp.test.ts',
  'tests/integration/group.attendance.test.ts',
  // No meeting storage: the test services themselves, and the key file (its own SQLite file).
  'tests/integration/services.test.ts',
  'tests/integration/keys.store.test.ts',
  // Starts its own PostgreSQL and Redis under several server processes.
  'tests/integration/scale.twoProcesses.test.ts',
  'tests/integration/scale.dueTimes.test.ts',
  'tests/integration/scale.releaseDue.test.ts',
  // Starts its own PostgreSQL, Redis, HAProxy and three server processes (issue 14's faults):
  // once per run is enough, and the SQLite project's name says nothing about what it runs on.
  'tests/integration/scale.faults.test.ts',
];

const shared = {
  environment: 'node',
  testTimeout: 30_000,
  hookTimeout: 60_000,
  allowOnly: false,
  pool: 'forks',
} as const;

export default defineConfig({
  test: {
    ...shared,
    globalSetup: ['tests/helpers/global-setup.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'sqlite',
          include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
          globalSetup: ['tests/helpers/global-setup.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'postgres',
          include: ['tests/integration/**/*.test.ts'],
          exclude: SQLITE_ONLY,
          env: { BALINT_TEST_DATABASE: 'postgres' },
          globalSetup: ['tests/helpers/global-setup.ts', 'tests/helpers/postgres-setup.ts'],
        },
      },
    ],
  },
});

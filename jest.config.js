/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/tests/harness/global-setup.ts',
  globalTeardown: '<rootDir>/tests/harness/global-teardown.ts',
  setupFiles: ['<rootDir>/tests/harness/quiet-runtime.ts'],
  testTimeout: 60_000,
  // Two cores: more workers than that just thrash the dev server and the worker bundles.
  maxWorkers: 2,
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest'],
    '/node_modules/trading-signals/.+\\.js$': ['@swc/jest'],
  },
  // trading-signals ships ESM only; Node runs it through require(esm), but jest's
  // own module loader does not, so jest compiles that one package to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!trading-signals/)'],
  globalSetup: '<rootDir>/tests/harness/global-setup.ts',
  globalTeardown: '<rootDir>/tests/harness/global-teardown.ts',
  setupFiles: ['<rootDir>/tests/harness/quiet-runtime.ts'],
  testTimeout: 60_000,
  // Two cores: more workers than that just thrash the dev server and the worker bundles.
  maxWorkers: 2,
};

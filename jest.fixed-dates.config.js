const base = require('./jest.config');

/**
 * `.ci/fixed-dates`: the calendar-sensitive suites, run once per fixed date
 * through TRADER_TEST_NOW. None of them needs Temporal, so there is no
 * global setup starting a dev server.
 */
module.exports = {
  ...base,
  globalSetup: undefined,
  globalTeardown: undefined,
  setupFiles: [],
  testMatch: [
    '<rootDir>/tests/exchange/**/*.test.ts',
    '<rootDir>/tests/unit/domain/{calendar,expiry,session}.test.ts',
  ],
};

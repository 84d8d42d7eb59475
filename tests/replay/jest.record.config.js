const path = require('node:path');
const base = require('../../jest.config');

/**
 * `npm run histories:record`: the recorder reuses the test suite's global
 * setup (dev server, workflow bundle) but is never part of `npm test`.
 */
module.exports = {
  ...base,
  rootDir: path.resolve(__dirname, '../..'),
  testMatch: ['<rootDir>/tests/replay/record-histories.ts'],
  maxWorkers: 1,
};

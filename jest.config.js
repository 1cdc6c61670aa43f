/** Jest runs the TypeScript sources through SWC (ts-jest does not support TypeScript 7);
 * type checking is `tsc --noEmit`, run first by `npm test`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // Whole-bot tests start real HTTP servers; keep them isolated but bounded on 2 cores.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // One PostgreSQL server for the run (TEST_DATABASE_URL, or an embedded one started here); each
  // test file that needs it gets a database of its own (test/support/pg.ts).
  globalSetup: '<rootDir>/test/support/pg-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/pg-global-teardown.ts',
  testTimeout: 20000,
};

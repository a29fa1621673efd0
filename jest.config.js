// Two kinds of tests, named apart (see README "Tests"):
//   *.test.ts              unit tests: no broker; fakes, :memory: SQLite, and databases of their own on the local
//                          PostgreSQL (NANGO_TEST_POSTGRES_URL) for the suites that run on both stores
//   *.integration.test.ts  against the real RabbitMQ, a real SQLite file in a temp folder, and PostgreSQL
// Sources are mapped directly, so tests need no build step.
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  moduleNameMapper: {
    '^@nangohq/(protocol|action|node-client|node|server)$': '<rootDir>/packages/$1/src',
    '^@nangohq/action/testing$': '<rootDir>/packages/action/src/testing',
  },
  // Action fixtures are compiled by the worker itself at run time, never by jest.
  modulePathIgnorePatterns: ['<rootDir>/packages/.*/dist/'],
  setupFiles: ['<rootDir>/test/setupEnv.js'],
  setupFilesAfterEnv: ['<rootDir>/test/stopEsbuild.js'],
};

/** @type {import('jest').Config} */
module.exports = {
  // One test file at a time: the integration tests share one broker, and the fault tests restart it.
  maxWorkers: 1,
  // Integration hooks start real workers, queues and servers: on a loaded machine a start alone can pass jest's
  // default 5 s. Waits that matter have their own bounds inside the tests.
  testTimeout: 30_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      // The example integrations' recorded tests sit beside their functions.
      testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/integrations/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.integration\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/packages/*/test/**/*.integration.test.ts'],
      // RabbitMQ must answer; Chromium is installed when missing and the run has browser tests.
      globalSetup: '<rootDir>/test/integrationSetup.js',
    },
  ],
};

/** One jest run for unit specs (next to the code) and end-to-end suites (test/). */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/plugins', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    // @fastify/static (swagger-ui's files at /docs) requires content-disposition 3, an ES module that
    // jest's CommonJS VM cannot load (Node itself can): compiled to CommonJS for the tests only.
    '/@fastify/static/node_modules/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['(?<!/@fastify/static)/node_modules/(?!@fastify/static/node_modules/content-disposition/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@leadrelay/sdk/(plugin|internal)$': '<rootDir>/libs/sdk/src/$1',
    '^@leadrelay/plugins$': '<rootDir>/plugins',
    '^@leadrelay/plugins/(.*)$': '<rootDir>/plugins/$1',
    '^@leadrelay/(.*)$': '<rootDir>/libs/$1/src',
  },
  // Every answer from a leadrelay server is checked against its /openapi.json (docs/api.md › OpenAPI).
  setupFilesAfterEnv: ['<rootDir>/test/support/openapi-contract.setup.ts'],
  testTimeout: 60000,
  // One suite at a time (suites share PostgreSQL, Redis and their ports), in a worker process that
  // is replaced once it holds more than this after a suite: each suite's servers leave some heap
  // behind, and run in the one process, a full run grew past 2.5 GB and late suites slowed several
  // times over in garbage collection (intake-malformed: 11 s alone, 173 s at the end of a CI run).
  maxWorkers: 1,
  workerIdleMemoryLimit: '700MB',
};

/** One jest run for unit specs (next to the code) and end-to-end suites (test/). */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/plugins', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@leadrelay/sdk/(plugin|internal)$': '<rootDir>/libs/sdk/src/$1',
    '^@leadrelay/plugins$': '<rootDir>/plugins',
    '^@leadrelay/plugins/(.*)$': '<rootDir>/plugins/$1',
    '^@leadrelay/(.*)$': '<rootDir>/libs/$1/src',
  },
  testTimeout: 60000,
  maxWorkers: 2,
};

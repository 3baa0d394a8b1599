/**
 * Jest in ESM mode (run through `node --experimental-vm-modules`, see `npm test`).
 * @swc/jest compiles TypeScript with legacy decorators and decorator metadata, without which
 * Nest's dependency injection cannot resolve constructor parameters.
 *
 * Four tiers, as Jest projects (`npm test -- --selectProjects unit medium` runs some):
 * - unit: pure functions and the source's own rules, no database;
 * - medium: one module's providers on a real migrated database (test/medium);
 * - e2e: the whole app over HTTP, Socket.IO and WebSockets (test/*.e2e-spec.ts);
 * - process: the built server as a child process (boot, SIGTERM), the slowest.
 * @type {import('jest').Config}
 */
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  // The client package is tested from its source (its `exports` point at the swc build).
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^@palaver/client$': '<rootDir>/packages/client/src/index.ts' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        module: { type: 'es6' },
        jsc: {
          target: 'es2023',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
        },
      },
    ],
  },
};

const PROCESS_TESTS = ['<rootDir>/test/main.e2e-spec.ts', '<rootDir>/test/shutdown.e2e-spec.ts'];

export default {
  maxWorkers: 2,
  // A global option: set inside a project it is ignored (the default 5 s applies).
  testTimeout: 30000,
  // Migrates the template database once per run; each medium and e2e test file gets a copy.
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  projects: [
    { ...base, displayName: 'unit', roots: ['<rootDir>/src', '<rootDir>/test'], testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/*.spec.ts'] },
    { ...base, displayName: 'medium', roots: ['<rootDir>/test'], testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'] },
    { ...base, displayName: 'e2e', roots: ['<rootDir>/test'], testMatch: ['<rootDir>/test/*.e2e-spec.ts'], testPathIgnorePatterns: PROCESS_TESTS },
    { ...base, displayName: 'process', roots: ['<rootDir>/test'], testMatch: PROCESS_TESTS },
  ],
};

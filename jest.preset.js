// Shared jest setup: @swc/jest transpiles TypeScript (type-checking is `tsc`'s job),
// and the "@seckill/source" condition makes workspace packages resolve to their src.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@seckill/source', 'node', 'require', 'default'],
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  // fastify's inject (light-my-request) requires `cookie` 2, which ships ESM only: let swc make it CommonJS.
  transformIgnorePatterns: ['/node_modules/\\.pnpm/(?!cookie@)'],
  testTimeout: 30_000,
  reporters: ['default', require.resolve('./scripts/jest-results-reporter.js')],
};

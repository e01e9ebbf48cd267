// The browser test (`npm run test:browser`, scripts/test-browser.sh): real Chromium pages against the app, run on
// their own, never by `npm test` (they need /usr/bin/chromium and start a browser). Same embedded PostgreSQL set-up.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }];

module.exports = {
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  transform: { '^.+\\.ts$': tsJest },
  testTimeout: 120000,
  maxWorkers: 1,
};

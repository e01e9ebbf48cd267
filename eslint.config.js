// ESLint flat config: typescript-eslint's recommended rules (not the type-checked set, to keep `npm run lint` fast;
// `npm run typecheck` does the type checking), Prettier owns formatting (eslint-config-prettier turns the
// stylistic rules off), and the house boundaries of docs/module-boundaries.md as import/property restrictions.
// test/lint/boundaries.spec.ts shows each boundary rule firing.
const fs = require('node:fs');
const path = require('node:path');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const prettier = require('eslint-config-prettier');

const FEATURES = fs
  .readdirSync(path.join(__dirname, 'src/modules'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Imports are relative, so a pattern sees `../users/dto/x` or `../../users/dto/x` depending on depth; the
// patterns below match "one or more `../`, then a path that leaves the importing file's place".
const FROM_COMMON_OR_DOMAIN = [
  {
    regex: '^(\\.\\./)+modules(/|$)',
    message: 'src/common and src/domain must not import src/modules (docs/module-boundaries.md).',
  },
];

/** Feature `own` may import another feature only through its index.ts or a top-level *.module.ts / *.service.ts. */
function otherFeatures(own) {
  const others = FEATURES.filter((name) => name !== own).map(escapeRegExp);
  if (others.length === 0) return [];
  return [
    {
      regex: `^(\\.\\./)+(${others.join('|')})/(?!(index|[^/]+\\.(module|service))$).+`,
      message:
        "Another feature's entities/, dto/, repositories and other internals are private: import its index.ts " +
        '(types and DTOs) or its *.module / *.service (docs/module-boundaries.md).',
    },
  ];
}

const FROM_CONTROLLER_PATHS = [
  {
    group: ['typeorm', 'typeorm/*'],
    message: 'Controllers do not touch the database: call the feature service (docs/module-boundaries.md).',
  },
  {
    regex: '\\.repository$',
    message: 'Controllers do not use repositories: call the feature service (docs/module-boundaries.md).',
  },
];

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const boundaryBlocks = [
  { files: ['src/common/**/*.ts', 'src/domain/**/*.ts'], rules: restrict(FROM_COMMON_OR_DOMAIN) },
  { files: ['src/common/**/*.controller.ts'], rules: restrict([...FROM_COMMON_OR_DOMAIN, ...FROM_CONTROLLER_PATHS]) },
  {
    files: ['src/**/*.controller.ts'],
    ignores: ['src/common/**', 'src/modules/**'],
    rules: restrict(FROM_CONTROLLER_PATHS),
  },
  ...FEATURES.flatMap((feature) => [
    { files: [`src/modules/${feature}/**/*.ts`], rules: restrict(otherFeatures(feature)) },
    {
      files: [`src/modules/${feature}/**/*.controller.ts`],
      rules: restrict([...otherFeatures(feature), ...FROM_CONTROLLER_PATHS]),
    },
  ]),
  {
    // Configuration is read and validated once, in src/config; everything else injects AppConfigService.
    // Tests and the bench harness may set and read the environment.
    files: ['src/**/*.ts'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only src/config reads process.env; inject AppConfigService (docs/module-boundaries.md).',
        },
      ],
    },
  },
];

module.exports = tseslint.config(
  { ignores: ['dist/', 'coverage/', 'data/', 'uploads/', 'bench/results/', '.test-pg/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: { ...nodeGlobals() } },
    rules: {
      // The service logs through pino (src/common/logging); a test that prints a summary says so with a directive.
      'no-console': 'error',
      // Five validators match control characters on purpose, to refuse them in user text (e.g. /[\u0000-\u001f]/
      // in src/modules/competencies/dto/competency-fields.ts); the rule only guards against accidental ones.
      'no-control-regex': 'off',
      // Arguments and catch bindings named `_…` are deliberately unused (interface shape, Express signatures).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The JavaScript files at the root (this one, jest.config.js) are CommonJS scripts.
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The pages' scripts (src/modules/web-pages/assets) run in the browser as classic scripts, no build step.
    files: ['src/modules/web-pages/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...browserGlobals() } },
    rules: { 'no-console': 'off' },
  },
  ...boundaryBlocks,
  prettier,
);

function browserGlobals() {
  const names = ['window', 'document', 'location', 'navigator', 'console', 'fetch', 'setTimeout', 'clearTimeout'];
  names.push('setInterval', 'clearInterval', 'Node', 'CSS', 'crypto', 'MediaStream', 'RTCPeerConnection');
  return Object.fromEntries(names.map((name) => [name, 'readonly']));
}

function nodeGlobals() {
  const names = ['require', 'module', 'exports', '__dirname', '__filename', 'process', 'console', 'Buffer'];
  return Object.fromEntries(names.map((name) => [name, 'readonly']));
}

// ESLint for the whole monorepo, configured once here: typescript-eslint's strict, type-checked
// rules on the TypeScript of every workspace (each file checked with its own tsconfig through the
// project service), the recommended rules on the plain JavaScript (k6 scripts, bins, scripts,
// benchmarks). Formatting is Prettier's job: eslint-config-prettier turns off the rules it owns.
// Imports flow one way between the rooms (docs/ARCHITECTURE.md, "Rooms"): api -> scoring and
// workers -> scoring, never api <-> workers nor scoring -> either; and no module imports itself
// back through a cycle (eslint-plugin-import-x's no-cycle, resolving TypeScript's own way).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports of another room's code, as a package (`@peerloan/<room>...`) or by a relative path (`../../<room>/...`). */
function otherRooms(...rooms) {
  return [
    'error',
    {
      patterns: rooms.map((room) => ({
        regex: `^(@peerloan/${room}(/|$)|(\\.\\./)+${room}/)`,
        message: `imports flow api -> scoring and workers -> scoring only: move what both need into scoring/ (docs/ARCHITECTURE.md, "Rooms")`,
      })),
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/',
      '**/node_modules/',
      '.cluster/',
      'models/',
      '.data/',
      'bench/.venv/',
      'bench/.out/',
      'load-tests/data/',
      'load-tests/results/',
    ],
  },
  // The web app's TSX is type-checked by its own build (web/tsconfig.json) and linted only for function length.
  { ...js.configs.recommended, ignores: ['web/src/**/*.tsx'] },
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Template literals with numbers and booleans are how messages and names are built here.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      // @kubernetes/client-node types objects as classes; the API takes plain object literals for them.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // Their instances carry no behaviour on the prototype either, so copying one with a spread loses nothing.
      '@typescript-eslint/no-misused-spread': [
        'error',
        {
          allow: [
            {
              from: 'package',
              package: '@kubernetes/client-node',
              name: ['V1Container', 'V1Lease', 'V1LeaseSpec', 'V1PodSpec', 'V1RollingUpdateDeployment'],
            },
          ],
        },
      ],
      // `_`-prefixed parameters are the ones an interface (Express, node:stream) makes us take.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })],
    },
    rules: {
      // A cycle of value imports runs one module before the other is initialized; type-only imports are erased and not counted.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Parsed, not type-checked, so that max-lines-per-function below reaches the web app's components.
    files: ['web/src/**/*.tsx'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
  },
  {
    // No god-functions (issue 24): a long flow reads as named steps, each in a small function.
    files: ['*/src/**/*.ts', 'web/src/**/*.tsx'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  { files: ['api/**/*.ts'], rules: { 'no-restricted-imports': otherRooms('workers') } },
  { files: ['workers/**/*.ts'], rules: { 'no-restricted-imports': otherRooms('api') } },
  { files: ['scoring/**/*.ts'], rules: { 'no-restricted-imports': otherRooms('api', 'workers') } },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // k6 runs these, not Node: its globals (__ENV, __VU) and modules (k6/http).
    files: ['load-tests/*.js', 'load-tests/lib/*.js'],
    languageOptions: {
      globals: { __ENV: 'readonly', __VU: 'readonly', __ITER: 'readonly', open: 'readonly', console: 'readonly' },
    },
  },
  prettier,
);

// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { ELECTRON_SYNTAX_RULES, IPC_RULE } from './eslint/electron-security-rules.js';

/** Node built-ins, as bare names and with the `node:` prefix, for the process-boundary rules. */
const nodeBuiltins = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'net',
  'tls',
  'crypto',
  'child_process',
  'http',
  'https',
  'stream',
  'stream/*',
  'events',
  'util',
  'dns',
  'url',
  'worker_threads',
];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'coverage/**', 'test-results/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Streams and sockets use `void promise` for fire-and-forget where the error is handled elsewhere.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  // Process boundaries (in the manner of Signal Desktop's per-process suffixes): the engine never
  // touches Electron or the UI; shared types stay isomorphic; the renderer reaches the main
  // process only through the typed preload API.
  {
    files: ['src/tunnel/**', 'src/gateway/**', 'src/cli/**', 'src/host/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*', 'electron-log', 'electron-log/*'],
              message: 'The engine, gateway and CLI run without Electron.',
            },
            {
              group: ['**/main/**', '**/preload/**', '**/renderer/**'],
              message: 'The engine must not depend on the desktop shell.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeBuiltins, 'electron', 'electron/*'],
              message: 'src/shared is imported by the renderer: no Node or Electron imports.',
            },
            {
              group: ['**/tunnel/**', '**/main/**', '**/preload/**', '**/renderer/**', '**/gateway/**', '**/cli/**'],
              message: 'src/shared depends on nothing else in src.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeBuiltins, 'electron', 'electron/*'],
              message: 'The renderer is sandboxed: use the typed AgentApi from src/shared.',
            },
            {
              group: ['**/tunnel/**', '**/main/**', '**/preload/**', '**/gateway/**', '**/cli/**'],
              message: 'The renderer reaches the engine only through AgentApi.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeBuiltins.filter((p) => p !== 'node:*')],
              message: 'A sandboxed preload has no Node modules but electron.',
            },
            {
              group: ['**/tunnel/**', '**/main/**', '**/renderer/**', '**/gateway/**', '**/cli/**'],
              message: 'The preload only bridges AgentApi.',
            },
          ],
        },
      ],
    },
  },
  // Electron's security checklist (eslint/electron-security-rules.js; each rule is shown to catch
  // a violation in test/security/electron-checklist.test.ts).
  {
    files: ['src/main/**', 'src/preload/**', 'src/renderer/**', 'src/host/**', 'src/shared/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[...ELECTRON_SYNTAX_RULES, IPC_RULE].map(({ selector, message }) => ({ selector, message })),
      ],
    },
  },
  {
    files: ['src/main/ipc-handlers.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...ELECTRON_SYNTAX_RULES.map(({ selector, message }) => ({ selector, message })),
      ],
    },
  },
);

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

/** Electron and the desktop shell, kept out of the engine, the gateway, the CLI and the host. */
const NO_ELECTRON = {
  group: ['electron', 'electron/*', 'electron-log', 'electron-log/*'],
  message: 'The engine, gateway and CLI run without Electron.',
};
const NO_DESKTOP_SHELL = {
  group: ['**/main/**', '**/preload/**', '**/renderer/**'],
  message: 'The engine must not depend on the desktop shell.',
};

/** The engine's modules (src/tunnel/<module>/index.ts each). */
const ENGINE_MODULES = ['agent', 'auth', 'codec', 'config', 'log', 'mux', 'net'];

/** Outside src/tunnel: `…/tunnel/<module>/index.js` only. */
const ENGINE_FRONT_DOOR = {
  regex: '(^|/)tunnel/[^/]+/(?!index\\.js$)',
  message: 'Outside src/tunnel, import the engine through its index files only (src/tunnel/<module>/index.js).',
};

/** Inside src/tunnel: another module only through its index file. */
const ENGINE_MODULE_INDEX = {
  regex: `^\\.\\./(${ENGINE_MODULES.join('|')})/(?!index\\.js$)`,
  message: "Between the engine's modules, import the other module's index.js only.",
};

/** The engine is a library: nothing of the programs built on it. */
const ENGINE_IS_A_LIBRARY = {
  group: ['**/gateway/**', '**/host/**', '**/cli/**'],
  message: 'The engine is a library: it imports nothing of the gateway, the host or the CLI.',
};

/** The layering inside the engine, per module: what it must not import. */
const ENGINE_LAYERS = [
  {
    modules: ['codec'],
    regex: '^\\.\\./(mux|agent)/',
    message: 'codec is the bottom layer (codec → mux → agent): it imports neither mux nor agent.',
  },
  {
    modules: ['mux'],
    regex: '^\\.\\./agent/',
    message: 'mux sits below agent (codec → mux → agent): it does not import agent.',
  },
  {
    modules: ['auth', 'config', 'log', 'net'],
    regex: '^\\.\\./agent/',
    message: 'agent is the top of the engine (codec → mux → agent): no other engine module imports it.',
  },
];

/** One `no-restricted-imports` entry per file group, each with every pattern that applies there. */
function engineImportRules() {
  const restrict = (/** @type {string[]} */ files, /** @type {object[]} */ patterns) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  });
  return [
    restrict(['src/gateway/**', 'src/cli/**', 'src/host/**'], [NO_ELECTRON, NO_DESKTOP_SHELL, ENGINE_FRONT_DOOR]),
    restrict(['src/main/**'], [ENGINE_FRONT_DOOR]),
    ...ENGINE_LAYERS.map(({ modules, regex, message }) =>
      restrict(
        modules.map((module) => `src/tunnel/${module}/**`),
        [NO_ELECTRON, NO_DESKTOP_SHELL, ENGINE_IS_A_LIBRARY, ENGINE_MODULE_INDEX, { regex, message }],
      ),
    ),
    restrict(['src/tunnel/agent/**'], [NO_ELECTRON, NO_DESKTOP_SHELL, ENGINE_IS_A_LIBRARY, ENGINE_MODULE_INDEX]),
  ];
}

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
  // process only through the typed preload API. The engine's boundaries (engineImportRules below):
  // the rest of src reaches src/tunnel only through its index files, and inside it codec → mux →
  // agent. ESLint keeps only the last `no-restricted-imports` that matches a file, so every file
  // gets all of its patterns from one entry. test/ and bench/ may import the engine's internals
  // (unit tests of internals must): these rules are about src/.
  ...engineImportRules(),
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

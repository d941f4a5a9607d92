/**
 * Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security), item
 * by item, each backed by a lint rule or a test:
 *
 * | checklist item                              | where it is enforced                                             |
 * |---------------------------------------------|------------------------------------------------------------------|
 * | 1 only secure content / no remote content   | lint: `loadURL` only with `appUrl(…)`, no `loadFile`/file://; CSP below; built page loads only its own files |
 * | 2 no Node.js integration for remote content | lint: nodeIntegration* never true; test/unit/main/window-security.test.ts |
 * | 3 context isolation                         | lint: contextIsolation never false; window-security.test.ts      |
 * | 4 process sandboxing                        | lint: sandbox never false; window-security.test.ts               |
 * | 5 permission requests                       | main.ts denies every permission but clipboard-sanitized-write (lint: the handler is installed) |
 * | 6 webSecurity                               | lint: webSecurity never false; window-security.test.ts           |
 * | 7 Content-Security-Policy                   | below: the header and the page's meta tag, no unsafe or remote source; app-protocol / dashboard tests serve it |
 * | 8 allowRunningInsecureContent               | lint: never true; window-security.test.ts                        |
 * | 9 experimental features / 10 blink features | lint: experimentalFeatures never true, enableBlinkFeatures never set |
 * | 11 webview                                  | lint: webviewTag never true; will-attach-webview blocked (window-security.test.ts) |
 * | 12 navigation                               | window-security.test.ts (will-navigate, will-redirect prevented) |
 * | 13 new windows                              | window-security.test.ts (setWindowOpenHandler → deny)            |
 * | 14 shell.openExternal with untrusted input  | lint: openExternal not used anywhere                             |
 * | 16 validate IPC senders                     | test/unit/main/ipc-handlers.test.ts; lint: ipcMain handlers only in ipc-handlers.ts |
 * | 17 no file:// protocol                      | lint: no file:// URLs, no loadFile; the app:// scheme (app-protocol.test.ts) |
 * | 20 do not expose Electron APIs to web content| lint: the preload exposes only `agentApi`, never ipcRenderer itself |
 * | certificate errors                          | lint: no `certificate-error` handler, no ignore-certificate-errors switch |
 *
 * The lint rules run here over src/ with ESLint's own engine (the TypeScript parser, no type
 * information needed), and each rule is shown to catch a seeded violation.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../src/host/renderer-files.js';
import { repoRoot } from '../support/vectors.js';
import { ELECTRON_SYNTAX_RULES, IPC_RULE, type SyntaxRule } from '../../eslint/electron-security-rules.js';

function config(rules: readonly SyntaxRule[]): Linter.Config[] {
  return [
    {
      files: ['**/*.ts', '**/*.tsx'],
      languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
      rules: { 'no-restricted-syntax': ['error', ...rules.map(({ selector, message }) => ({ selector, message }))] },
    },
  ];
}

function lint(code: string, filename: string, rules: readonly SyntaxRule[]): Linter.LintMessage[] {
  return new Linter({ configType: 'flat' }).verify(code, config(rules), { filename });
}

function filesIn(dir: string, name: RegExp): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && name.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

const sourceFiles = (dir: string): string[] => filesIn(dir, /\.tsx?$/);

const APP_DIRS = ['src/main', 'src/preload', 'src/renderer', 'src/host', 'src/shared'].map((dir) =>
  path.join(repoRoot, dir),
);

describe('Electron security checklist: lint rules', () => {
  it('no file of the desktop app breaks any rule', () => {
    const findings: string[] = [];
    for (const file of APP_DIRS.flatMap(sourceFiles)) {
      const rules = file.endsWith(path.join('src', 'main', 'ipc-handlers.ts'))
        ? ELECTRON_SYNTAX_RULES
        : [...ELECTRON_SYNTAX_RULES, IPC_RULE];
      for (const message of lint(readFileSync(file, 'utf8'), file, rules)) {
        findings.push(`${path.relative(repoRoot, file)}:${message.line}: ${message.message}`);
      }
    }
    expect(findings).toEqual([]);
  });

  it.each([...ELECTRON_SYNTAX_RULES, IPC_RULE].map((rule) => [rule.message, rule] as const))(
    'catches a violation: %s',
    (_message, rule) => {
      const messages = lint(rule.violation, 'src/main/violation.ts', [rule]);
      expect(messages.map((m) => m.message)).toEqual([rule.message]);
    },
  );

  it('main.ts installs the permission handler, the navigation guards and the IPC sender policy', () => {
    const main = readFileSync(path.join(repoRoot, 'src/main/main.ts'), 'utf8');
    expect(main).toMatch(
      /setPermissionRequestHandler\(\(_contents, permission, callback\) => \{\s*callback\(permission === 'clipboard-sanitized-write'\);/,
    );
    expect(main).toMatch(/isTrusted: createSenderPolicy\(/);
    const surfaces = readFileSync(path.join(repoRoot, 'src/main/electron-surfaces.ts'), 'utf8');
    expect(surfaces).toMatch(/webPreferences: secureWebPreferences\(/);
    expect(surfaces).toMatch(/hardenNavigation\(navigationSurface\(window\.webContents\)/);
  });
});

/** A CSP as directive → sources. */
function parseCsp(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => (words[0] ?? '') !== '')
      .map(([name = '', ...sources]) => [name, sources]),
  );
}

function expectStrictCsp(policy: string, where: string): void {
  const csp = parseCsp(policy);
  expect(csp.get('default-src'), where).toEqual(["'none'"]);
  for (const [directive, sources] of csp) {
    for (const source of sources) {
      // Only our own origin (and data: images): nothing remote, nothing inline, no eval, no wildcard.
      expect(
        ["'self'", "'none'", ...(directive === 'img-src' ? ['data:'] : [])],
        `${where}: ${directive} ${source}`,
      ).toContain(source);
    }
  }
  for (const directive of ['script-src', 'connect-src', 'base-uri', 'form-action'])
    expect(csp.has(directive), `${where}: ${directive}`).toBe(true);
}

describe('Electron security checklist: Content-Security-Policy and no remote content', () => {
  it('the CSP header (app:// and dashboard) allows only the page’s own origin', () => {
    expectStrictCsp(RENDERER_CSP, 'RENDERER_CSP');
    expect(parseCsp(RENDERER_CSP).get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('the page’s own meta CSP, in the source and in the build, is as strict', () => {
    for (const file of ['src/renderer/index.html', 'dist/renderer/index.html']) {
      const html = readFileSync(path.join(repoRoot, file), 'utf8');
      const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
      expect(meta, file).toBeDefined();
      expectStrictCsp(meta ?? '', file);
    }
  });

  it('the built page loads scripts, styles and icons from its own folder only', () => {
    const dir = path.join(repoRoot, 'dist/renderer');
    const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    const references = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(references.length).toBeGreaterThan(1);
    for (const reference of references) expect(reference, reference).toMatch(/^\.\/[\w./-]+$/);
    const stylesheets = filesIn(dir, /\.css$/);
    expect(stylesheets.length).toBeGreaterThan(0);
    for (const css of stylesheets) {
      for (const url of readFileSync(css, 'utf8').matchAll(/url\(\s*['"]?([^'")]+)/g))
        expect(url[1], css).toMatch(/^(data:|\.{0,2}\/)/);
      expect(readFileSync(css, 'utf8')).not.toMatch(/@import\s+(url\()?['"]?(https?:)?\/\//);
    }
  });
});

/**
 * The boundaries eslint.config.js enforces with `no-restricted-imports`. The engine's:
 *
 * - the rest of src reaches src/tunnel only through its index files (src/tunnel/<module>/index.js);
 * - inside the engine a module reaches another only through that module's index file, and the
 *   layering is codec → mux → agent: codec imports neither mux nor agent, mux does not import
 *   agent, and no other engine module imports agent (the top);
 * - the engine imports nothing of the gateway, the host, the CLI or the desktop shell.
 *
 * And the processes': the engine, gateway, CLI and host run without Electron; src/shared
 * (imported by the renderer) imports nothing of Node or the rest of src; the renderer reaches
 * the agent only through AgentApi; the sandboxed preload has no Node module.
 *
 * test/ and bench/ may import the engine's internals (unit tests of internals must): the rules
 * are about src/. The project's own configuration lints seeded imports here (without type
 * information: these rules need none), and each rule is shown to catch a violation.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/vectors.js';

const eslint = new ESLint({
  cwd: repoRoot,
  // Without type information (these rules need none), and without the directives of rules that then do not run.
  overrideConfig: [tseslint.configs.disableTypeChecked, { linterOptions: { reportUnusedDisableDirectives: 'off' } }],
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

async function importFindings(file: string, specifier: string): Promise<string[]> {
  const code = `import { x } from '${specifier}';\nexport const y = x;\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return (result?.messages ?? []).map((message) => message.message);
}

const FRONT_DOOR = 'Outside src/tunnel, import the engine through its index files only';
const MODULE_INDEX = "Between the engine's modules, import the other module's index.js only";

describe('import boundaries (eslint.config.js)', () => {
  it('no file in src breaks them', async () => {
    const results = await eslint.lintFiles(['src']);
    const findings = results.flatMap((result) =>
      result.messages.map((m) => `${path.relative(repoRoot, result.filePath)}:${m.line}: ${m.message}`),
    );
    expect(results.length).toBeGreaterThan(100);
    expect(findings).toEqual([]);
  });

  it.each([
    ['src/host/violation.ts', '../tunnel/agent/proxy-config.js', FRONT_DOOR],
    ['src/cli/violation.ts', '../tunnel/config/load-config.js', FRONT_DOOR],
    ['src/gateway/violation.ts', '../tunnel/mux/session.js', FRONT_DOOR],
    ['src/main/violation.ts', '../tunnel/net/loopback-host.js', FRONT_DOOR],
    ['src/host/violation.ts', '../tunnel/agent/sub/index.js', FRONT_DOOR],
    ['src/tunnel/agent/violation.ts', '../mux/session.js', MODULE_INDEX],
    ['src/tunnel/config/violation.ts', '../auth/secret-key.js', MODULE_INDEX],
    ['src/tunnel/codec/violation.ts', '../mux/index.js', 'codec is the bottom layer'],
    ['src/tunnel/codec/violation.ts', '../agent/index.js', 'codec is the bottom layer'],
    ['src/tunnel/mux/violation.ts', '../agent/index.js', 'mux sits below agent'],
    ['src/tunnel/config/violation.ts', '../agent/index.js', 'agent is the top of the engine'],
    ['src/tunnel/log/violation.ts', '../../host/agent-host.js', 'The engine is a library'],
    ['src/tunnel/agent/violation.ts', '../../gateway/gateway.js', 'The engine is a library'],
    ['src/host/violation.ts', 'electron', 'run without Electron'],
    ['src/tunnel/mux/violation.ts', 'electron', 'run without Electron'],
    ['src/cli/violation.ts', '../renderer/App.js', 'must not depend on the desktop shell'],
    ['src/shared/violation.ts', 'node:fs', 'src/shared is imported by the renderer'],
    ['src/shared/violation.ts', '../tunnel/agent/index.js', 'src/shared depends on nothing else in src'],
    ['src/renderer/violation.ts', '../tunnel/agent/index.js', 'The renderer reaches the engine only through AgentApi'],
    ['src/preload/violation.ts', 'fs', 'A sandboxed preload has no Node modules'],
  ])('catches a violation: %s importing %s', async (file, specifier, message) => {
    const findings = await importFindings(file, specifier);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain(message);
  });

  it.each([
    ['src/host/allowed.ts', '../tunnel/agent/index.js'],
    ['src/main/allowed.ts', '../tunnel/agent/index.js'],
    ['src/tunnel/agent/allowed.ts', '../mux/index.js'],
    ['src/tunnel/agent/allowed.ts', './stream-table.js'],
    ['src/tunnel/mux/allowed.ts', '../codec/index.js'],
    ['src/tunnel/config/allowed.ts', '../auth/index.js'],
    ['test/unit/mux/allowed.test.ts', '../../../src/tunnel/mux/session.js'],
    ['bench/allowed.ts', '../src/tunnel/codec/frame-format.js'],
  ])('allows %s to import %s', async (file, specifier) => {
    expect(await importFindings(file, specifier)).toEqual([]);
  });
});

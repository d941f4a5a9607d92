/**
 * THIRD-PARTY-NOTICES.txt for the single executable: the Node.js runtime it is made of and every
 * npm package esbuild put into its bundle, each with its licence text, as their licences ask of a
 * binary distribution.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { npmNodePackageDir, repoRoot } from './project.ts';
import { runCommand } from './run-command.ts';

interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
}

/** `node_modules/a/node_modules/@b/c/lib/x.js` → `node_modules/a/node_modules/@b/c`. */
function packageDirOf(input: string): string | null {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return null;
  const scoped = parts[at + 1]?.startsWith('@') === true;
  return parts.slice(0, at + (scoped ? 3 : 2)).join('/');
}

function licenceText(dir: string): string {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
  return file === undefined ? '' : readFileSync(path.join(dir, file), 'utf8').trim();
}

export function thirdPartyNotices(bundledInputs: readonly string[], nodeBinary: string): string {
  const nodeVersion = runCommand(nodeBinary, ['--version']).trim();
  const nodeDir = npmNodePackageDir();
  const nodeLicence =
    nodeDir === null || !existsSync(path.join(nodeDir, 'LICENSE'))
      ? `(npm did not keep the node package's LICENSE here; it is https://github.com/nodejs/node/blob/${nodeVersion}/LICENSE)`
      : readFileSync(path.join(nodeDir, 'LICENSE'), 'utf8').trim();
  const sections = [
    `Node.js ${nodeVersion} (the runtime this executable is built from)\nLicense: MIT and the licences of its bundled dependencies, below\n\n${nodeLicence}`,
  ];
  const dirs = [...new Set(bundledInputs.map(packageDirOf).filter((dir): dir is string => dir !== null))].sort();
  for (const dir of dirs) {
    const absolute = path.join(repoRoot, dir);
    const manifest = JSON.parse(readFileSync(path.join(absolute, 'package.json'), 'utf8')) as PackageManifest;
    sections.push(
      `${manifest.name} ${manifest.version}\nLicense: ${manifest.license ?? 'see below'}\n\n${licenceText(absolute) || '(no licence file in the package)'}`,
    );
  }
  const rule = `\n\n${'-'.repeat(78)}\n\n`;
  return `cluvio-agent includes the following third-party software.${rule}${sections.join(rule)}\n`;
}

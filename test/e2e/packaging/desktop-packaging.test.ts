/**
 * What electron-builder makes of electron-builder.yml for each desktop, read from electron-builder
 * itself: the configuration it resolves (and validates against its schema) per platform, the
 * Windows installer's own registry script, and a macOS app it packs here around a placeholder
 * Electron.app (electron-builder packs macOS apps on Linux, only signing needs a Mac), whose
 * Info.plist and fuses the test reads. What only an installed app on each desktop can show is in
 * docs/desktop-checklist.md.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Configuration, LinuxPackager, MacPackager, Packager, Platform, WinPackager } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_USER_MODEL_ID } from '../../../src/main/main.js';
import { AsarArchive } from './asar-archive.js';
import { electronPlaceholder, PACKAGED_FUSES, readFuseWire } from './electron-placeholder.js';

const run = promisify(execFile);
const root = path.resolve('.');
const require = createRequire(import.meta.url);

type PlatformName = 'mac' | 'win' | 'linux';

async function resolved(): Promise<{
  config: Configuration;
  fileAssociations: (platform: PlatformName) => unknown[];
}> {
  // No target is built: validateConfig() loads electron-builder.yml as a build would, and checks it
  // against electron-builder's schema (an unknown or misspelt option fails here).
  const packager = new Packager({ projectDir: root, targets: Platform.LINUX.createTarget('dir') });
  await packager.validateConfig();
  const packagers = { mac: MacPackager, win: WinPackager, linux: LinuxPackager } as const;
  return {
    config: packager.config,
    // The file associations each platform's packager hands to its targets (Info.plist, NSIS, .desktop).
    fileAssociations: (platform) => [...new packagers[platform](packager).fileAssociations],
  };
}

describe('electron-builder.yml as electron-builder resolves it', () => {
  let config: Configuration;
  let fileAssociations: (platform: PlatformName) => unknown[];
  beforeAll(async () => {
    ({ config, fileAssociations } = await resolved());
  }, 60_000);

  it('macOS: .toml as an "Open With" candidate only (LSHandlerRank Alternate), a menu-bar app, no ATS exception', () => {
    expect(fileAssociations('mac')).toEqual([
      { ext: 'toml', name: 'Cluvio agent configuration', role: 'Viewer', rank: 'Alternate' },
    ]);
    expect(config.mac?.extendInfo).toEqual({
      LSUIElement: true,
      NSAppTransportSecurity: { NSAllowsArbitraryLoads: false },
    });
  });

  it('Windows: no electron-builder file association (it would take the .toml default); the installer script registers Open with', () => {
    expect(fileAssociations('win')).toEqual([]);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, include: 'build/installer.nsh' });
    expect(existsSync(path.join(root, 'build', 'installer.nsh'))).toBe(true);
    // The Start menu shortcut's AppUserModelId is appId: the one the app sets for its notifications.
    expect(config.appId).toBe(APP_USER_MODEL_ID);
  });

  it('Linux: the desktop entry declares application/toml, and no MIME type of the app’s own is installed', () => {
    expect(fileAssociations('linux')).toEqual([]);
    expect(config.linux?.mimeTypes).toEqual(['application/toml']);
  });

  it('every fuse electron-builder can set is set on purpose (an upgrade that adds one fails here)', () => {
    const scheme = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as {
      definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
    };
    const options = Object.keys(scheme.definitions.FuseOptionsV1.properties).sort();
    expect(Object.keys(config.electronFuses ?? {}).sort()).toEqual(options);
  });
});

describe('build/installer.nsh: the Windows "Open with" entry', () => {
  const script = readFileSync(path.join(root, 'build', 'installer.nsh'), 'utf8');
  const code = script
    .split('\n')
    .filter((line) => !line.trim().startsWith(';'))
    .join('\n');
  const macro = (name: string): string[] => {
    const body = new RegExp(`!macro ${name}\\n([\\s\\S]*?)!macroend`).exec(script)?.[1] ?? '';
    return body
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith(';'));
  };

  it('adds the app to .toml’s OpenWithProgids and never writes .toml’s default (its default opener)', () => {
    const install = macro('customInstall');
    const writes = install.filter((line) => line.startsWith('WriteReg'));
    expect(writes).toContain(
      'WriteRegNone SHELL_CONTEXT "Software\\Classes\\.toml\\OpenWithProgids" "${CLUVIO_TOML_PROGID}"',
    );
    for (const line of writes) {
      // Every key: the app's own ProgID, or .toml's OpenWithProgids list.
      expect(line).toMatch(
        /^WriteReg\w+ SHELL_CONTEXT "Software\\Classes\\(\$\{CLUVIO_TOML_PROGID\}|\.toml\\OpenWithProgids)[\\"]/,
      );
    }
    expect(install.join('\n')).toContain(
      `"Software\\Classes\\\${CLUVIO_TOML_PROGID}\\shell\\open\\command" "" '"$appExe" "%1"'`,
    );
  });

  it('writes where the install is (SHELL_CONTEXT: HKCU per user, HKLM per machine), and the uninstaller removes it', () => {
    expect(code).not.toMatch(/\bHK(LM|CU|CR|EY_)/);
    expect(macro('customUnInstall').filter((line) => line.startsWith('Delete'))).toEqual([
      'DeleteRegValue SHELL_CONTEXT "Software\\Classes\\.toml\\OpenWithProgids" "${CLUVIO_TOML_PROGID}"',
      'DeleteRegKey SHELL_CONTEXT "Software\\Classes\\${CLUVIO_TOML_PROGID}"',
    ]);
  });
});

/** The parts of Electron.app electron-builder reads and renames. */
async function placeholderElectronApp(dist: string): Promise<void> {
  const contents = path.join(dist, 'Electron.app', 'Contents');
  const plist = (name: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>CFBundleExecutable</key><string>${name}</string>
<key>CFBundleIdentifier</key><string>com.github.Electron</string>
<key>CFBundleName</key><string>${name}</string>
<key>CFBundleIconFile</key><string>electron.icns</string>
<key>CFBundlePackageType</key><string>APPL</string>
</dict></plist>
`;
  const helper = path.join(contents, 'Frameworks', 'Electron Helper.app', 'Contents');
  const framework = path.join(contents, 'Frameworks', 'Electron Framework.framework');
  for (const dir of [
    path.join(contents, 'MacOS'),
    path.join(contents, 'Resources'),
    path.join(helper, 'MacOS'),
    framework,
  ])
    await mkdir(dir, { recursive: true });
  await writeFile(path.join(contents, 'Info.plist'), plist('Electron'));
  await writeFile(path.join(contents, 'MacOS', 'Electron'), '#!/bin/sh\n');
  await writeFile(path.join(contents, 'Resources', 'electron.icns'), 'icns');
  await writeFile(path.join(helper, 'Info.plist'), plist('Electron Helper'));
  await writeFile(path.join(helper, 'MacOS', 'Electron Helper'), '#!/bin/sh\n');
  // On macOS the fuse wire is in the framework, not the executable.
  await writeFile(path.join(framework, 'Electron Framework'), electronPlaceholder());
}

describe('the macOS app electron-builder packs (electron-builder --mac dir, placeholder Electron.app)', () => {
  let dir: string;
  let contents: string;
  let info: Record<string, unknown>;

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'dist', 'src', 'main', 'main.js')))
      throw new Error('dist/src/main/main.js is missing: run npm run build first');
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-pack-mac-'));
    await placeholderElectronApp(path.join(dir, 'electron-dist'));
    await run(
      process.execPath,
      [
        path.join(root, 'node_modules', 'electron-builder', 'cli.js'),
        '--mac',
        'dir',
        `-c.electronDist=${path.join(dir, 'electron-dist')}`,
        `-c.directories.output=${path.join(dir, 'release')}`,
        // Not signed here (that needs a Mac and a certificate), so no ad-hoc re-signing either.
        '-c.mac.identity=null',
        '-c.electronFuses.resetAdHocDarwinSignature=false',
      ],
      {
        cwd: root,
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    contents = path.join(dir, 'release', 'mac', 'Cluvio Agent.app', 'Contents');
    const { parsePlistFile } = require('app-builder-lib/out/util/plist.js') as {
      parsePlistFile: (file: string) => Promise<Record<string, unknown>>;
    };
    info = await parsePlistFile(path.join(contents, 'Info.plist'));
  }, 300_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('Info.plist: .toml opens with the app only when asked (LSHandlerRank Alternate)', () => {
    expect(info.CFBundleDocumentTypes).toEqual([
      {
        CFBundleTypeExtensions: ['toml'],
        CFBundleTypeName: 'Cluvio agent configuration',
        CFBundleTypeRole: 'Viewer',
        LSHandlerRank: 'Alternate',
        CFBundleTypeIconFile: 'icon.icns',
      },
    ]);
  });

  it('Info.plist: a menu-bar app (LSUIElement), no arbitrary plain-HTTP loads, the bundle id the login item goes by', () => {
    expect(info.LSUIElement).toBe(true);
    expect(info.NSAppTransportSecurity).toMatchObject({ NSAllowsArbitraryLoads: false });
    expect(info.CFBundleIdentifier).toBe('com.cluvio.agent');
    expect(info.CFBundleExecutable).toBe('Cluvio Agent');
    // The app.asar the integrity fuse checks is recorded.
    expect(info.ElectronAsarIntegrity).toHaveProperty(['Resources/app.asar', 'algorithm'], 'SHA256');
  });

  it('carries the app icon and app.asar, and the fuses are flipped in the framework', async () => {
    const icns = await readFile(path.join(contents, 'Resources', 'icon.icns'));
    expect(icns.equals(readFileSync(path.join(root, 'build', 'icons', 'icon.icns')))).toBe(true);
    const asar = new AsarArchive(path.join(contents, 'Resources', 'app.asar'));
    expect(asar.files()).toContain('/dist/src/main/main.js');
    const framework = await readFile(
      path.join(contents, 'Frameworks', 'Electron Framework.framework', 'Electron Framework'),
    );
    expect(readFuseWire(framework)).toEqual(PACKAGED_FUSES);
  });
});

/**
 * Stands in for Electron's binary, which cannot be downloaded here: a file that carries
 * Electron 45's fuse wire (Electron's "Electron Fuses" guide: sentinel, version byte, length
 * byte, one '0'/'1' per fuse), so that electron-builder flips the configured fuses in it as it
 * would in the real binary, and the tests read back what it flipped.
 */

/** The marker that precedes the fuse wire. */
export const FUSE_SENTINEL = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX');

/**
 * Electron 45's fuses in wire order (@electron/fuses 2.x `FuseV1Options`; WasmTrapHandlers was
 * added in Electron 41, electron/electron#48983) with Electron's defaults. Moving to another
 * Electron major (docs/electron-upgrade.md, "Fuses"): update this list from Electron's
 * build/fuses/fuses.json5 of that major, and decide each new fuse in electron-builder.yml.
 */
export const ELECTRON_45_FUSES = [
  ['RunAsNode', true],
  ['EnableCookieEncryption', false],
  ['EnableNodeOptionsEnvironmentVariable', true],
  ['EnableNodeCliInspectArguments', true],
  ['EnableEmbeddedAsarIntegrityValidation', false],
  ['OnlyLoadAppFromAsar', false],
  ['LoadBrowserProcessSpecificV8Snapshot', false],
  ['GrantFileProtocolExtraPrivileges', true],
  ['WasmTrapHandlers', true],
] as const;

export type FuseName = (typeof ELECTRON_45_FUSES)[number][0];

/** What electron-builder.yml asks for; WasmTrapHandlers keeps Electron's default. */
export const PACKAGED_FUSES: Readonly<Record<FuseName, boolean>> = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
  WasmTrapHandlers: true,
};

export function electronPlaceholder(): Buffer {
  return Buffer.concat([
    Buffer.from('#!/bin/sh\necho "placeholder for the Electron binary"\n# '),
    FUSE_SENTINEL,
    Buffer.from([1, ELECTRON_45_FUSES.length]),
    Buffer.from(ELECTRON_45_FUSES.map(([, on]) => (on ? '1' : '0')).join('')),
    Buffer.from('\n'),
  ]);
}

/** The fuses as a binary carries them (version 1 wire). */
export function readFuseWire(binary: Buffer): Record<string, boolean> {
  const at = binary.indexOf(FUSE_SENTINEL);
  if (at < 0) throw new Error('no fuse wire in the binary');
  const start = at + FUSE_SENTINEL.length;
  if (binary[start] !== 1) throw new Error(`fuse wire version ${String(binary[start])}, expected 1`);
  const wire = binary.subarray(start + 2, start + 2 + (binary[start + 1] ?? 0)).toString('latin1');
  if (wire.length !== ELECTRON_45_FUSES.length) throw new Error(`${wire.length} fuses, expected Electron 45's nine`);
  return Object.fromEntries(ELECTRON_45_FUSES.map(([name], i) => [name, wire[i] === '1']));
}

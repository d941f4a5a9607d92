/**
 * Small helpers for the TOML files the gateway reads and writes (registry, gateway config,
 * the agent config that `init` writes): typed access to parsed tables with errors that name the
 * file and key, and quoting for values written back.
 */

export type TomlTable = Record<string, unknown>;

export function isTomlTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A TOML basic string: JSON's escapes are valid TOML escapes for every string JSON produces. */
export function tomlString(text: string): string {
  return JSON.stringify(text);
}

/** A multi-line literal string (for PEM text), which needs no escaping as long as it holds no `'''`. */
export function tomlMultilineLiteral(text: string): string {
  if (text.includes("'''")) return tomlString(text);
  return `'''\n${text.endsWith('\n') ? text : `${text}\n`}'''`;
}

/** A configuration file the gateway cannot use; the message names the file and the key. */
export class GatewayFileError extends Error {
  override readonly name = 'GatewayFileError';

  constructor(file: string | null, where: string | null, message: string, options?: ErrorOptions) {
    const prefix = [file, where].filter((part) => part !== null && part !== '').join(': ');
    super(prefix === '' ? message : `${prefix}: ${message}`, options);
  }
}

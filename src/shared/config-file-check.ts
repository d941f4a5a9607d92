/**
 * The checks every configuration file passes before its TOML is read, wherever it comes from:
 * in the browser before anything is uploaded (a 5 MB file is refused without sending it), in the
 * main process for a file opened with the app, and in the host for text that arrived anyway.
 * Each says what is wrong with this file in particular: too large (and the limit), empty, or not
 * text at all — rather than the TOML parser's or the key reader's first complaint.
 */
import type { ConfigProblem } from './agent-state.js';
import { MAX_CONFIG_TEXT_LENGTH } from './agent-api-arguments.js';

/** The largest file accepted, in bytes (the one Cluvio gives out is a few KiB). */
export const MAX_CONFIG_FILE_BYTES = MAX_CONFIG_TEXT_LENGTH;

const CHOOSE_AGAIN =
  'Choose the cluvio-agent.toml you downloaded from Cluvio (download it again if this one is damaged).';

/** `1 MiB`, `5.2 MiB`, `300 KiB`, `12 bytes`. */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / (1024 * 1024), 'MiB'];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

function problem(file: string, message: string, fix: string = CHOOSE_AGAIN): ConfigProblem {
  return { file, key: null, message, value: null, fix };
}

export function tooLargeProblem(file: string, bytes: number): ConfigProblem {
  return problem(
    file,
    `The file is ${formatFileSize(bytes)}: a configuration file is at most ${formatFileSize(MAX_CONFIG_FILE_BYTES)} (the one Cluvio gives you is a few KiB).`,
  );
}

/**
 * A character no TOML file holds: a C0 control other than tab, LF and CR, DEL, or U+FFFD (what a
 * decoder puts where the bytes were not text).
 */
function isBinaryCharacter(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f || code === 0xfffd;
}

function looksBinary(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) if (isBinaryCharacter(text.charCodeAt(index))) return true;
  return false;
}

/** Text that arrived for an import: empty, or not text (a NUL, a control character, a character a decoder had to replace). */
export function checkConfigText(file: string, text: string): ConfigProblem | null {
  if (text.trim() === '')
    return problem(
      file,
      'The file is empty.',
      'Choose the cluvio-agent.toml you downloaded from Cluvio: it holds secret-key, allowed-addresses and a [server] section. Download it again if this one was saved empty.',
    );
  if (looksBinary(text)) return problem(file, 'This is not a text file: a configuration is a few lines of TOML text.');
  return null;
}

/** A file's bytes, checked: its text, or what is wrong with it. */
export function checkConfigFileBytes(
  file: string,
  bytes: Uint8Array,
): { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: ConfigProblem } {
  if (bytes.byteLength > MAX_CONFIG_FILE_BYTES) return { ok: false, problem: tooLargeProblem(file, bytes.byteLength) };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return {
      ok: false,
      problem: problem(file, 'This is not a text file: a configuration is a few lines of TOML text.'),
    };
  }
  const found = checkConfigText(file, text);
  return found === null ? { ok: true, text } : { ok: false, problem: found };
}

/**
 * One thing wrong with a configuration file, said twice: for an operator at a terminal (the CLI's
 * `config: <file>: <key>: <message>` line, in the reference agent's leading words) and for
 * someone in the desktop app or the dashboard, who downloaded the file from Cluvio and whose fix
 * is, nearly always, to download it again (never to make up a key: a key Cluvio does not know
 * locks the agent out).
 */
import { loggableText } from '../log/index.js';

export interface ConfigIssue {
  /** The TOML key (`server.host`, `allowed-addresses[2]`), or null for the file as a whole. */
  readonly key: string | null;
  /**
   * The value as written, for display (strings quoted, long ones cut), or null where there is
   * none to show. Never the secret key: for it, only its length.
   */
  readonly value: string | null;
  /** What is wrong, in plain words without markup (the reference's leading words where it has them). */
  readonly summary: string;
  /** The CLI's text after `<file>: <key>: `: the summary and a fix for an operator. */
  readonly message: string;
  /** What to do, for a user of the app or the dashboard. */
  readonly fix: string;
}

/** The fix for whatever Cluvio writes into the file (the key, the server): get the file again. */
export const DOWNLOAD_AGAIN =
  "Download this agent's configuration (cluvio-agent.toml) from Cluvio again and import it.";

const MAX_SHOWN_LENGTH = 80;

/** A value as a user would recognise it in the file: strings quoted (cut when long), lists and tables named. */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value);
    return quoted.length <= MAX_SHOWN_LENGTH
      ? quoted
      : `${quoted.slice(0, MAX_SHOWN_LENGTH - 2)}…" (${value.length} characters)`;
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object' && value !== null) return 'a table';
  return String(value);
}

/** The secret key's stand-in wherever a value is shown: its length, never its text. */
export function shownSecret(value: unknown): string {
  return typeof value === 'string' ? `${value.length} characters (not shown)` : shownValue(value);
}

/**
 * The CLI's line for an issue of `file` (`<file>: <key>: <message>`, leaving out what is null),
 * printable: a quoted key or a value may hold any character (an ESC sequence, a line break, a
 * bidi override), and this line goes to a terminal.
 */
export function issueLine(file: string | null, issue: ConfigIssue): string {
  return [file, issue.key, issue.message]
    .filter((part) => part !== null)
    .map((part) => loggableText(part))
    .join(': ');
}

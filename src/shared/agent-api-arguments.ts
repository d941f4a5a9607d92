/**
 * The schemas of every call argument that reaches the agent from a UI (declared in agent-api.ts):
 * a payload from either transport is checked against its call's schema before it touches the
 * host, and the argument types are inferred from them. Each rule carries the words the caller
 * gets back when it is broken; the first broken rule answers.
 */
import * as v from 'valibot';
import { LOG_LEVELS } from './log-record.js';

/** Largest configuration file accepted for import (a real one is well under 4 KiB). */
export const MAX_CONFIG_TEXT_LENGTH = 1024 * 1024;
export const MAX_FILE_NAME_LENGTH = 255;
export const MAX_FILTER_TEXT_LENGTH = 200;
export const MAX_TARGET_LENGTH = 300;
export const MAX_LOG_LIMIT = 100_000;
export const MAX_ADDRESS_LENGTH = 100;

const FILTER_TEXT_MESSAGE = `log filter: text must be a string of at most ${MAX_FILTER_TEXT_LENGTH} characters`;
const LIMIT_MESSAGE = `log filter: limit must be an integer from 1 to ${MAX_LOG_LIMIT}`;
const FILE_NAME_MESSAGE = `import: fileName must be 1 to ${MAX_FILE_NAME_LENGTH} characters`;
const TARGET_MESSAGE = `address: expected host:port, at most ${MAX_TARGET_LENGTH} characters`;
const ADDRESS_MESSAGE = `settings: metricsAddress must be null or a string of at most ${MAX_ADDRESS_LENGTH} characters`;

/** A plain object whose own keys are all in `keys` and which has each of `required`. */
function hasShape(keys: readonly string[], required: readonly string[]): (value: unknown) => boolean {
  return (value) =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).every((key) => keys.includes(key)) &&
    required.every((key) => key in value);
}

/**
 * A plain object with these entries and no others. The shape is checked first (unknown keys, and
 * the keys that must be there even when their value may be null), and its message wins over an
 * entry's; any other missing key is read as `undefined`, so its entry's own message says what
 * is wrong.
 */
function exactObject<const E extends v.ObjectEntries>(
  entries: E,
  message: string,
  required: readonly (keyof E & string)[] = [],
) {
  const keys = Object.keys(entries);
  return v.pipe(
    v.custom<Readonly<Record<string, unknown>>>(hasShape(keys, required), message),
    v.transform((value) => Object.fromEntries(keys.map((key) => [key, value[key]]))),
    v.strictObject(entries, message),
    v.readonly(),
  );
}

/** Calls without an argument accept `undefined` or `null` (what JSON makes of it), and nothing else. */
export const NO_ARGUMENT = v.pipe(
  v.nullish(v.never('this call takes no argument')),
  v.transform((): undefined => undefined),
);

/** Which log records `getLogs` returns: at least as severe as `level`, containing `text`. */
export const LogFilterSchema = exactObject(
  {
    level: v.picklist(LOG_LEVELS, `log filter: level must be one of ${LOG_LEVELS.join(', ')}`),
    /** Case-insensitive substring of the message, module or a field; empty matches everything. */
    text: v.pipe(v.string(FILTER_TEXT_MESSAGE), v.maxLength(MAX_FILTER_TEXT_LENGTH, FILTER_TEXT_MESSAGE)),
    /** At most this many of the newest matching records (default and maximum: the buffer size). */
    limit: v.optional(
      v.pipe(
        v.number(LIMIT_MESSAGE),
        v.safeInteger(LIMIT_MESSAGE),
        v.minValue(1, LIMIT_MESSAGE),
        v.maxValue(MAX_LOG_LIMIT, LIMIT_MESSAGE),
      ),
    ),
  },
  'log filter: expected { level, text, limit? }',
);
export type LogFilter = v.InferOutput<typeof LogFilterSchema>;

/** A configuration file as the user dropped or picked it. */
export const ConfigImportRequestSchema = exactObject(
  {
    fileName: v.pipe(
      v.string(FILE_NAME_MESSAGE),
      v.minLength(1, FILE_NAME_MESSAGE),
      v.maxLength(MAX_FILE_NAME_LENGTH, FILE_NAME_MESSAGE),
    ),
    text: v.pipe(
      v.string('import: text must be a string'),
      v.maxLength(
        MAX_CONFIG_TEXT_LENGTH,
        'import: the file is larger than 1 MiB; a configuration file is a few lines of TOML',
      ),
    ),
  },
  'import: expected { fileName, text }',
);
export type ConfigImportRequest = v.InferOutput<typeof ConfigImportRequestSchema>;

/** `host:port` to check through the allowlist and a TCP connect (its syntax is the host's to judge). */
export const TargetSchema = v.pipe(
  v.string(TARGET_MESSAGE),
  v.minLength(1, TARGET_MESSAGE),
  v.maxLength(MAX_TARGET_LENGTH, TARGET_MESSAGE),
);

export const BooleanSchema = v.boolean('expected true or false');

/** Settings the desktop app keeps in its own settings file, never in cluvio-agent.toml. */
export const AppSettingsSchema = exactObject(
  {
    /** Where to serve /healthz, /readyz and /metrics: a loopback `host:port` (or port), or null for off. */
    metricsAddress: v.nullable(v.pipe(v.string(ADDRESS_MESSAGE), v.maxLength(MAX_ADDRESS_LENGTH, ADDRESS_MESSAGE))),
  },
  'settings: expected { metricsAddress }',
  ['metricsAddress'],
);
export type AppSettings = v.InferOutput<typeof AppSettingsSchema>;

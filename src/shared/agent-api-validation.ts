/**
 * Validators for every call argument that reaches the agent from a UI, shared by the Electron
 * IPC handlers and the dashboard server: a payload is checked here before it touches the host.
 */
import type { AppSettings, ConfigImportRequest, LogFilter } from './agent-api.js';
import type { AgentCallArg, AgentCallName } from './agent-api-protocol.js';
import { LOG_LEVELS, type LogLevel } from './log-record.js';

/** Largest configuration file accepted for import (a real one is well under 4 KiB). */
export const MAX_CONFIG_TEXT_LENGTH = 1024 * 1024;
export const MAX_FILE_NAME_LENGTH = 255;
export const MAX_FILTER_TEXT_LENGTH = 200;
export const MAX_TARGET_LENGTH = 300;
export const MAX_LOG_LIMIT = 100_000;
export const MAX_ADDRESS_LENGTH = 100;

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const valid = <T>(value: T): Validated<T> => ({ ok: true, value });
const invalid = (error: string): Validated<never> => ({ ok: false, error });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOnlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((key) => keys.includes(key));
}

function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

export function validateLogFilter(raw: unknown): Validated<LogFilter> {
  if (!isRecord(raw) || !hasOnlyKeys(raw, ['level', 'text', 'limit']))
    return invalid('log filter: expected { level, text, limit? }');
  const { level, text, limit } = raw;
  if (!isLogLevel(level)) return invalid(`log filter: level must be one of ${LOG_LEVELS.join(', ')}`);
  if (typeof text !== 'string' || text.length > MAX_FILTER_TEXT_LENGTH)
    return invalid(`log filter: text must be a string of at most ${MAX_FILTER_TEXT_LENGTH} characters`);
  if (limit === undefined) return valid({ level, text });
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LOG_LIMIT) {
    return invalid(`log filter: limit must be an integer from 1 to ${MAX_LOG_LIMIT}`);
  }
  return valid({ level, text, limit });
}

export function validateConfigImportRequest(raw: unknown): Validated<ConfigImportRequest> {
  if (!isRecord(raw) || !hasOnlyKeys(raw, ['fileName', 'text'])) return invalid('import: expected { fileName, text }');
  const { fileName, text } = raw;
  if (typeof fileName !== 'string' || fileName.length === 0 || fileName.length > MAX_FILE_NAME_LENGTH) {
    return invalid(`import: fileName must be 1 to ${MAX_FILE_NAME_LENGTH} characters`);
  }
  if (typeof text !== 'string') return invalid('import: text must be a string');
  if (text.length > MAX_CONFIG_TEXT_LENGTH)
    return invalid('import: the file is larger than 1 MiB; a configuration file is a few lines of TOML');
  return valid({ fileName, text });
}

export function validateTarget(raw: unknown): Validated<string> {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_TARGET_LENGTH) {
    return invalid(`address: expected host:port, at most ${MAX_TARGET_LENGTH} characters`);
  }
  return valid(raw);
}

export function validateAppSettings(raw: unknown): Validated<AppSettings> {
  if (!isRecord(raw) || !hasOnlyKeys(raw, ['metricsAddress']) || !('metricsAddress' in raw))
    return invalid('settings: expected { metricsAddress }');
  const { metricsAddress } = raw;
  if (metricsAddress === null) return valid({ metricsAddress: null });
  if (typeof metricsAddress !== 'string' || metricsAddress.length > MAX_ADDRESS_LENGTH) {
    return invalid(`settings: metricsAddress must be null or a string of at most ${MAX_ADDRESS_LENGTH} characters`);
  }
  return valid({ metricsAddress });
}

export function validateBoolean(raw: unknown): Validated<boolean> {
  return typeof raw === 'boolean' ? valid(raw) : invalid('expected true or false');
}

function validateNothing(raw: unknown): Validated<undefined> {
  return raw === undefined || raw === null ? valid(undefined) : invalid('this call takes no argument');
}

type CallValidators = { readonly [N in AgentCallName]: (raw: unknown) => Validated<AgentCallArg<N>> };

const callValidators: CallValidators = {
  getHostInfo: validateNothing,
  getSnapshot: validateNothing,
  getStreams: validateNothing,
  getLogs: validateLogFilter,
  importConfig: validateConfigImportRequest,
  testAddress: validateTarget,
  getAutostart: validateNothing,
  setAutostart: validateBoolean,
  openConfigFolder: validateNothing,
  diagnose: validateNothing,
  saveSupportBundle: validateNothing,
  getAppSettings: validateNothing,
  setAppSettings: validateAppSettings,
};

/** Checks the argument of call `name` as received from a transport. */
export function validateCallArg<N extends AgentCallName>(name: N, raw: unknown): Validated<AgentCallArg<N>> {
  return callValidators[name](raw);
}

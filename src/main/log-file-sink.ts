/**
 * Feeds the agent's structured log records (already redacted by the host) to the log file as
 * text lines, at the file's level and above. The writer is electron-log in the app.
 */
import { formatLogLine } from '../shared/log-line.js';
import { levelEnabled, type LogLevel, type LogRecord } from '../shared/log-record.js';

/** electron-log's level names. */
export type FileLogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silly';

export const FILE_LEVEL: Readonly<Record<LogLevel, FileLogLevel>> = {
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'silly',
};

export type LogLineWriter = (level: FileLogLevel, line: string) => void;

export function createLogFileSink(write: LogLineWriter, threshold: LogLevel): (record: LogRecord) => void {
  return (record) => {
    if (levelEnabled(record.level, threshold)) write(FILE_LEVEL[record.level], formatLogLine(record));
  };
}

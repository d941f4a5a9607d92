/**
 * The log file: electron-log's file transport in the platform's log folder (Linux
 * `~/.config/<app>/logs`, macOS `~/Library/Logs/<app>`, Windows `%APPDATA%\<app>\logs`), 5 MiB per
 * file, five archives kept.
 */
import log from 'electron-log/main';
import type { LogLevel, LogRecord } from '../shared/log-record.js';
import { createLogFileSink } from './log-file-sink.js';
import { rotateLogArchives } from './log-rotation.js';

export const LOG_FILE_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_FILE_ARCHIVES = 5;

export interface LogFile {
  readonly path: string;
  write(record: LogRecord): void;
}

export function openLogFile(threshold: LogLevel): LogFile {
  const file = log.transports.file;
  file.level = 'silly'; // the sink filters; electron-log writes what it is given
  file.maxSize = LOG_FILE_MAX_BYTES;
  file.format = '{text}';
  file.archiveLogFn = (old) => {
    rotateLogArchives(old.path, LOG_FILE_ARCHIVES);
  };
  log.transports.console.level = false;
  const write = createLogFileSink((level, line) => {
    log[level](line);
  }, threshold);
  return { path: file.getFile().path, write };
}

/** The engine's structured logging: logger, filters, formats and sinks. */
export {
  LogHub,
  Logger,
  ROOT_MODULE,
  loggableFields,
  type LazyLogFields,
  type LogFields,
  type LogSink,
} from './logger.js';
export {
  DEFAULT_LOG_FILTER,
  LogFilterError,
  LogTargetFilter,
  levelPasses,
  moreVerbose,
  type LevelFilter,
  type LogDirective,
} from './target-filter.js';
export { formatLogText, renderFieldValue, type TextFormatOptions } from './text-format.js';
export { formatLogJson } from './json-format.js';
export { formatLogTimestamp } from './log-timestamp.js';
export { isSecretFieldName, redactLogFields, REDACTED_FIELD } from './redaction.js';
export { createStreamSink, shouldUseAnsi, type StreamSinkOptions, type TextStream } from './stream-sink.js';
export { rustDebugString } from './rust-debug-string.js';
export { loggableText, LOG_TEXT_LIMIT, NAME_TEXT_LIMIT } from './loggable-text.js';

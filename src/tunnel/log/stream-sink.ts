/** A sink writing one formatted line per record to a text stream (the CLI: stdout, like the reference). */
import { formatLogJson } from './json-format.js';
import type { LogSink } from './logger.js';
import { formatLogText } from './text-format.js';

export interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  /** Streams that report write failures as 'error' events (process.stdout) get a listener. */
  on?(event: 'error', listener: (error: Error) => void): unknown;
}

export interface StreamSinkOptions {
  readonly json: boolean;
  readonly ansi: boolean;
}

/**
 * ANSI colours only on a terminal and when NO_COLOR is not set to a non-empty value
 * (no-color.org). The reference colours whenever it is not on Windows; this is kinder to pipes.
 */
export function shouldUseAnsi(stream: TextStream, env: Readonly<Record<string, string | undefined>>): boolean {
  const noColor = env.NO_COLOR;
  return stream.isTTY === true && (noColor === undefined || noColor === '');
}

/**
 * Once the stream fails (stdout's reader went away: EPIPE), records are dropped instead of
 * crashing the process with an unhandled 'error' event: logging must never take the tunnel down.
 * The reference behaves the same (Rust ignores SIGPIPE; tracing drops failed writes).
 */
export function createStreamSink(stream: TextStream, options: StreamSinkOptions): LogSink {
  let broken = false;
  stream.on?.('error', () => {
    broken = true;
  });
  return (record) => {
    if (broken) return;
    const line = options.json ? formatLogJson(record) : formatLogText(record, { ansi: options.ansi });
    stream.write(`${line}\n`);
  };
}

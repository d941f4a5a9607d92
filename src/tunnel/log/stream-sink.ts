/** A sink writing one formatted line per record to a text stream (the CLI: stdout, like the reference). */
import { formatLogJson } from './json-format.js';
import type { LogSink } from './logger.js';
import { formatLogText } from './text-format.js';

export interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
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

export function createStreamSink(stream: TextStream, options: StreamSinkOptions): LogSink {
  return (record) => {
    const line = options.json ? formatLogJson(record) : formatLogText(record, { ansi: options.ansi });
    stream.write(`${line}\n`);
  };
}

import { describe, expect, it } from 'vitest';
import type { LogLevel } from '../../../src/shared/log-record.js';
import { DEFAULT_LOG_FILTER, LogFilterError, LogTargetFilter } from '../../../src/tunnel/log/target-filter.js';

const shown = (filter: string, level: LogLevel, module: string): boolean =>
  LogTargetFilter.parse(filter).enabled(level, module);

describe('log filter in EnvFilter syntax', () => {
  it('defaults to cluvio_agent=info: info and above for the agent, nothing for other crates', () => {
    expect(DEFAULT_LOG_FILTER).toBe('cluvio_agent=info');
    expect(shown(DEFAULT_LOG_FILTER, 'info', 'cluvio_agent')).toBe(true);
    expect(shown(DEFAULT_LOG_FILTER, 'warn', 'cluvio_agent::agent')).toBe(true);
    expect(shown(DEFAULT_LOG_FILTER, 'debug', 'cluvio_agent::agent')).toBe(false);
    expect(shown(DEFAULT_LOG_FILTER, 'error', 'rustls::client')).toBe(false);
  });

  it('applies a bare level to every target', () => {
    expect(shown('info', 'info', 'rustls')).toBe(true);
    expect(shown('info', 'debug', 'cluvio_agent')).toBe(false);
    expect(shown('WARN', 'warn', 'x')).toBe(true);
  });

  it('lets the most specific target win whatever the order', () => {
    for (const filter of [
      'cluvio_agent::stream=trace,warn',
      'warn,cluvio_agent::stream=trace',
      'cluvio_agent=info,cluvio_agent::stream=trace,warn',
    ]) {
      expect(shown(filter, 'trace', 'cluvio_agent::stream')).toBe(true);
      expect(shown(filter, 'info', 'cluvio_agent::agent')).toBe(filter.includes('cluvio_agent=info'));
      expect(shown(filter, 'warn', 'cluvio_agent::agent')).toBe(true);
      expect(shown(filter, 'info', 'yamux')).toBe(false);
    }
  });

  it('matches targets as string prefixes, as tracing does', () => {
    expect(shown('cluvio_agent=debug', 'debug', 'cluvio_agent_extra')).toBe(true);
    expect(shown('cluvio_agent::st=debug', 'debug', 'cluvio_agent::stream')).toBe(true);
  });

  it('enables every level for a bare target or an empty level', () => {
    expect(shown('cluvio_agent', 'trace', 'cluvio_agent::agent')).toBe(true);
    expect(shown('cluvio_agent=', 'trace', 'cluvio_agent::agent')).toBe(true);
    expect(shown('cluvio_agent', 'error', 'other')).toBe(false);
  });

  it('reads numeric levels 0–5 and off', () => {
    expect(shown('cluvio_agent=4', 'debug', 'cluvio_agent')).toBe(true);
    expect(shown('cluvio_agent=4', 'trace', 'cluvio_agent')).toBe(false);
    expect(shown('cluvio_agent=0', 'error', 'cluvio_agent')).toBe(false);
    expect(shown('info,cluvio_agent::stream=off', 'error', 'cluvio_agent::stream')).toBe(false);
    expect(shown('info,cluvio_agent::stream=off', 'info', 'cluvio_agent::agent')).toBe(true);
  });

  it('falls back to error when there are no directives, and lets the last duplicate win', () => {
    expect(shown('', 'error', 'anything')).toBe(true);
    expect(shown(',', 'warn', 'anything')).toBe(false);
    expect(shown('cluvio_agent=info,cluvio_agent=trace', 'trace', 'cluvio_agent')).toBe(true);
    expect(shown('cluvio_agent=trace,cluvio_agent=info', 'trace', 'cluvio_agent')).toBe(false);
  });

  it('tolerates spaces around directives', () => {
    expect(shown('cluvio_agent=debug, warn', 'warn', 'yamux')).toBe(true);
  });

  it.each([
    [
      'cluvio_agent=bogus',
      '`cluvio_agent=bogus`: error parsing level filter: expected one of "off", "error", "warn", "info", "debug", "trace", or a number 0-5',
    ],
    [
      'cluvio_agent=6',
      '`cluvio_agent=6`: error parsing level filter: expected one of "off", "error", "warn", "info", "debug", "trace", or a number 0-5',
    ],
    [
      'a=b=c',
      '`a=b=c`: error parsing level filter: expected one of "off", "error", "warn", "info", "debug", "trace", or a number 0-5',
    ],
    ['=info', '`=info`: invalid filter directive; expected level, target or target=level, e.g. cluvio_agent=debug'],
    [
      'info,*=debug',
      '`*=debug`: invalid filter directive; expected level, target or target=level, e.g. cluvio_agent=debug',
    ],
    [
      'cluvio_agent[conn]=debug',
      '`cluvio_agent[conn]=debug`: span and field filters ([span]{field}) are not supported; use target=level, e.g. cluvio_agent::stream=debug',
    ],
  ])('refuses %j naming the directive', (text, message) => {
    expect(() => LogTargetFilter.parse(text)).toThrow(new LogFilterError(message));
  });

  it('reports the most verbose level per module for cheap level checks', () => {
    const filter = LogTargetFilter.parse('warn,cluvio_agent::stream=debug');
    expect(filter.maxLevel('cluvio_agent::stream')).toBe('debug');
    expect(filter.maxLevel('cluvio_agent::agent')).toBe('warn');
    expect(LogTargetFilter.parse('cluvio_agent=info').maxLevel('rustls')).toBe('off');
  });
});

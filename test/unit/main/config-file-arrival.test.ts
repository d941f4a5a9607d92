import { describe, expect, it } from 'vitest';
import { ConfigFileArrivals } from '../../../src/main/config-file-arrival.js';

describe('ConfigFileArrivals', () => {
  it('keeps files that come before the agent is ready, then handles them in order, one at a time', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const arrivals = new ConfigFileArrivals(
      async (file, origin) => {
        log.push(`start ${file} (${origin})`);
        if (file === 'a.toml') await new Promise<void>((resolve) => (release = resolve));
        log.push(`end ${file}`);
      },
      (file) => log.push(`error ${file}`),
    );
    arrivals.receive('a.toml', 'open-file');
    arrivals.receive('b.toml', 'command-line');
    expect(arrivals.pending).toBe(2);
    expect(log).toEqual([]);
    arrivals.ready();
    await new Promise((resolve) => setImmediate(resolve));
    // b waits for a's dialog.
    expect(log).toEqual(['start a.toml (open-file)']);
    arrivals.receive('c.toml', 'second-instance');
    release();
    await arrivals.settled();
    expect(log).toEqual([
      'start a.toml (open-file)',
      'end a.toml',
      'start b.toml (command-line)',
      'end b.toml',
      'start c.toml (second-instance)',
      'end c.toml',
    ]);
  });

  it('a file whose handling throws is reported, and the next one is still handled', async () => {
    const log: string[] = [];
    const arrivals = new ConfigFileArrivals(
      (file) => (file === 'bad.toml' ? Promise.reject(new Error('boom')) : Promise.resolve(void log.push(file))),
      (file, error) => log.push(`error ${file}: ${error instanceof Error ? error.message : ''}`),
    );
    arrivals.ready();
    arrivals.receive('bad.toml', 'tray-picker');
    arrivals.receive('good.toml', 'tray-picker');
    await arrivals.settled();
    expect(log).toEqual(['error bad.toml: boom', 'good.toml']);
  });
});

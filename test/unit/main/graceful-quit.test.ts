import { describe, expect, it } from 'vitest';
import { GracefulQuit, QUIT_DEADLINE_MS } from '../../../src/main/graceful-quit.js';
import { ManualClock } from './support/manual-clock.js';

function setup(close: () => Promise<void>) {
  const clock = new ManualClock();
  const events: string[] = [];
  const quit = new GracefulQuit({
    close: () => {
      events.push('close');
      return close();
    },
    quit: () => events.push('app.quit'),
    onQuitRequested: () => events.push('windows hidden'),
    clock,
    log: (level, message) => events.push(`${level}: ${message}`),
  });
  const request = (): boolean => {
    let prevented = false;
    quit.beforeQuit({ preventDefault: () => (prevented = true) });
    return prevented;
  };
  return { clock, events, quit, request };
}

const never = (): Promise<void> => new Promise(() => undefined);

describe('GracefulQuit', () => {
  it('holds the first request while the agent stops, then quits', async () => {
    let stopped: () => void = () => undefined;
    const { events, quit, request } = setup(() => new Promise((resolve) => (stopped = resolve)));
    expect(request()).toBe(true);
    expect(quit.quitting).toBe(true);
    expect(events).toEqual(['windows hidden', 'close']);
    stopped();
    await Promise.resolve();
    await Promise.resolve();
    expect(events.at(-1)).toBe('app.quit');
    // The quit it asked for is let through.
    expect(request()).toBe(false);
  });

  it('a hung stop: quits at the deadline, and a second request does not extend it', () => {
    const { clock, events, request } = setup(never);
    request();
    clock.advance(QUIT_DEADLINE_MS / 2);
    expect(request()).toBe(true);
    clock.advance(QUIT_DEADLINE_MS / 2 - 1);
    expect(events).not.toContain('app.quit');
    clock.advance(1);
    expect(events.slice(-2)).toEqual(['warn: the agent did not stop in time; quitting anyway', 'app.quit']);
    expect(events.filter((e) => e === 'close')).toHaveLength(1);
  });

  it('a failing stop is logged and does not keep the app', async () => {
    const { events, request } = setup(() => Promise.reject(new Error('boom')));
    request();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['windows hidden', 'close', 'warn: stopping the agent failed', 'app.quit']);
  });

  it('the session ending: nothing is held, the stop still starts', () => {
    const { clock, events, quit, request } = setup(never);
    quit.sessionEnding();
    expect(request()).toBe(false);
    expect(events).toEqual(['close']);
    expect(clock.pendingTimeouts()).toEqual([]);
  });

  it('the session ending while a quit waits: it goes at once', () => {
    const { events, quit, request } = setup(never);
    request();
    quit.sessionEnding();
    expect(events.at(-1)).toBe('app.quit');
    expect(request()).toBe(false);
  });
});

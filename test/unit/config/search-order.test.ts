import { describe, expect, it } from 'vitest';
import { configSearchOrder } from '../../../src/tunnel/config/search-order.js';

describe('config search order (§8.2), per OS', () => {
  it('Linux: executable dir, $XDG_CONFIG_HOME when absolute, /etc', () => {
    expect(
      configSearchOrder({
        platform: 'linux',
        exeDir: '/opt/cluvio',
        env: { HOME: '/home/u', XDG_CONFIG_HOME: '/home/u/.cfg' },
        homeDir: '/home/u',
      }),
    ).toEqual([
      { path: '/opt/cluvio/cluvio-agent.toml', rule: 'directory of the executable' },
      { path: '/home/u/.cfg/cluvio-agent.toml', rule: '$XDG_CONFIG_HOME' },
      { path: '/etc/cluvio-agent.toml', rule: '/etc' },
    ]);
  });

  it.each([
    ['unset', {}],
    ['empty', { XDG_CONFIG_HOME: '' }],
    ['relative', { XDG_CONFIG_HOME: 'cfg' }],
  ])('Linux: $HOME/.config when $XDG_CONFIG_HOME is %s', (_, xdg) => {
    const order = configSearchOrder({
      platform: 'linux',
      exeDir: '/usr/bin',
      env: { HOME: '/home/u', ...xdg },
      homeDir: '/home/u',
    });
    expect(order[1]).toEqual({ path: '/home/u/.config/cluvio-agent.toml', rule: '$HOME/.config' });
    expect(order).toHaveLength(3);
  });

  it('Linux: an empty $HOME falls back to the account’s home directory', () => {
    const order = configSearchOrder({ platform: 'linux', exeDir: '/usr/bin', env: { HOME: '' }, homeDir: '/root' });
    expect(order[1]).toEqual({ path: '/root/.config/cluvio-agent.toml', rule: '$HOME/.config' });
  });

  it('Linux: without any home directory the user location is skipped, even with $XDG_CONFIG_HOME', () => {
    expect(
      configSearchOrder({ platform: 'linux', exeDir: '/usr/bin', env: { XDG_CONFIG_HOME: '/x' }, homeDir: '' }).map(
        (c) => c.rule,
      ),
    ).toEqual(['directory of the executable', '/etc']);
  });

  it('other Unix systems follow the Linux rules', () => {
    expect(
      configSearchOrder({
        platform: 'freebsd',
        exeDir: '/usr/local/bin',
        env: { HOME: '/home/u' },
        homeDir: '/home/u',
      }).map((c) => c.path),
    ).toEqual(['/usr/local/bin/cluvio-agent.toml', '/home/u/.config/cluvio-agent.toml', '/etc/cluvio-agent.toml']);
  });

  it('macOS: executable dir, $HOME itself, /etc (XDG ignored)', () => {
    expect(
      configSearchOrder({
        platform: 'darwin',
        exeDir: '/Applications/Cluvio Agent.app/Contents/MacOS',
        env: { HOME: '/Users/u', XDG_CONFIG_HOME: '/x' },
        homeDir: '/Users/u',
      }),
    ).toEqual([
      { path: '/Applications/Cluvio Agent.app/Contents/MacOS/cluvio-agent.toml', rule: 'directory of the executable' },
      { path: '/Users/u/cluvio-agent.toml', rule: '$HOME' },
      { path: '/etc/cluvio-agent.toml', rule: '/etc' },
    ]);
  });

  it('Windows: %APPDATA% first, then the executable dir, no /etc', () => {
    expect(
      configSearchOrder({
        platform: 'win32',
        exeDir: 'C:\\Program Files\\Cluvio',
        env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
        homeDir: 'C:\\Users\\u',
      }),
    ).toEqual([
      { path: 'C:\\Users\\u\\AppData\\Roaming\\cluvio-agent.toml', rule: '%APPDATA%' },
      { path: 'C:\\Program Files\\Cluvio\\cluvio-agent.toml', rule: 'directory of the executable' },
    ]);
  });

  it('Windows: variable names are case-insensitive', () => {
    const order = configSearchOrder({
      platform: 'win32',
      exeDir: 'C:\\bin',
      env: { AppData: 'D:\\Roaming' },
      homeDir: 'C:\\Users\\u',
    });
    expect(order[0]?.path).toBe('D:\\Roaming\\cluvio-agent.toml');
  });

  it('Windows: without %APPDATA%, the roaming folder under the user profile', () => {
    const order = configSearchOrder({
      platform: 'win32',
      exeDir: 'C:\\bin',
      env: { USERPROFILE: 'C:\\Users\\u' },
      homeDir: 'C:\\Users\\other',
    });
    expect(order[0]).toEqual({
      path: 'C:\\Users\\u\\AppData\\Roaming\\cluvio-agent.toml',
      rule: '%USERPROFILE%\\AppData\\Roaming',
    });
  });
});

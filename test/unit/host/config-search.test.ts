import { describe, expect, it } from 'vitest';
import { configSearchPaths, userConfigPath } from '../../../src/host/config-search.js';

describe('config search order (PROTOCOL.md §8.2)', () => {
  it('Linux: executable directory, then $XDG_CONFIG_HOME, then /etc; the import goes to $XDG_CONFIG_HOME', () => {
    const context = { platform: 'linux' as const, env: { XDG_CONFIG_HOME: '/home/ana/.cfg' }, homeDir: '/home/ana', execDir: '/opt/Cluvio Agent' };
    expect(configSearchPaths(context)).toEqual(['/opt/Cluvio Agent/cluvio-agent.toml', '/home/ana/.cfg/cluvio-agent.toml', '/etc/cluvio-agent.toml']);
    expect(userConfigPath(context)).toBe('/home/ana/.cfg/cluvio-agent.toml');
  });

  it('Linux: ~/.config when XDG_CONFIG_HOME is unset or relative', () => {
    expect(userConfigPath({ platform: 'linux', env: {}, homeDir: '/home/ana', execDir: '/x' })).toBe('/home/ana/.config/cluvio-agent.toml');
    expect(userConfigPath({ platform: 'linux', env: { XDG_CONFIG_HOME: 'relative/cfg' }, homeDir: '/home/ana', execDir: '/x' })).toBe('/home/ana/.config/cluvio-agent.toml');
  });

  it('macOS: the home directory is the user location', () => {
    const context = { platform: 'darwin' as const, env: {}, homeDir: '/Users/ana', execDir: '/Applications/Cluvio Agent.app/Contents/MacOS' };
    expect(configSearchPaths(context)).toEqual([
      '/Applications/Cluvio Agent.app/Contents/MacOS/cluvio-agent.toml',
      '/Users/ana/cluvio-agent.toml',
      '/etc/cluvio-agent.toml',
    ]);
  });

  it('Windows: %APPDATA% first, then the executable directory', () => {
    const context = { platform: 'win32' as const, env: { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, homeDir: 'C:\\Users\\ana', execDir: 'C:\\Program Files\\Cluvio Agent' };
    expect(configSearchPaths(context)).toEqual(['C:\\Users\\ana\\AppData\\Roaming\\cluvio-agent.toml', 'C:\\Program Files\\Cluvio Agent\\cluvio-agent.toml']);
  });
});

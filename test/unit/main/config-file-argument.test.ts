import { describe, expect, it } from 'vitest';
import { configFileArgument } from '../../../src/main/config-file-argument.js';
import { LOGIN_ARGUMENT, startedAtLogin } from '../../../src/main/login-start.js';

describe('a configuration file on the command line ("Open with", a second launch)', () => {
  it('finds a .toml among the arguments, relative to the launching directory', () => {
    expect(configFileArgument(['/opt/app/cluvio-agent', '--hidden', 'Downloads/cluvio-agent.toml'], '/home/ana')).toBe(
      '/home/ana/Downloads/cluvio-agent.toml',
    );
    expect(configFileArgument(['/opt/app/cluvio-agent', '/tmp/x.TOML'], '/')).toBe('/tmp/x.TOML');
    expect(configFileArgument(['/opt/app/cluvio-agent', '--hidden'], '/')).toBeNull();
    // The executable itself never counts, even when it ends in .toml.
    expect(configFileArgument(['/opt/weird.toml'], '/')).toBeNull();
  });

  it('takes the file:// URL a Linux launcher passes for the desktop entry’s %U', () => {
    expect(configFileArgument(['/opt/app/cluvio-agent', 'file:///home/ana/My%20Downloads/agent.toml'], '/')).toBe(
      '/home/ana/My Downloads/agent.toml',
    );
    // Not a local file: skipped, the next argument is taken.
    expect(configFileArgument(['/opt/app/x', 'file://server/share/a.toml', 'b.toml'], '/tmp')).toBe('/tmp/b.toml');
  });
});

describe('a start at login', () => {
  const noLoginItem = () => ({ wasOpenedAtLogin: false });
  const loginItem = () => ({ wasOpenedAtLogin: true });

  it('Windows and Linux: the login entry passes --hidden; wasOpenedAtLogin is never asked there', () => {
    const never = (): { wasOpenedAtLogin: boolean } => {
      throw new Error('getLoginItemSettings is macOS and Windows only, and means nothing here');
    };
    expect(startedAtLogin('win32', ['C:\\app.exe', LOGIN_ARGUMENT], never)).toBe(true);
    expect(startedAtLogin('linux', ['/opt/app', LOGIN_ARGUMENT], never)).toBe(true);
    expect(startedAtLogin('linux', ['/opt/app'], never)).toBe(false);
    expect(startedAtLogin('win32', ['C:\\app.exe'], never)).toBe(false);
  });

  it('macOS: the login item’s launch (wasOpenedAtLogin), or --hidden', () => {
    expect(startedAtLogin('darwin', ['/Applications/Cluvio Agent.app/Contents/MacOS/Cluvio Agent'], loginItem)).toBe(
      true,
    );
    expect(startedAtLogin('darwin', ['/Applications/x'], noLoginItem)).toBe(false);
    expect(startedAtLogin('darwin', ['/Applications/x', LOGIN_ARGUMENT], noLoginItem)).toBe(true);
  });
});

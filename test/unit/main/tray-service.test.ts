import { describe, expect, it } from 'vitest';
import {
  type TrayAction,
  type TrayMenuItem,
  TrayService,
  type TraySurface,
  type TrayToggle,
} from '../../../src/main/tray-service.js';
import { type AgentSnapshot, type AgentState, ZERO_AGENT_COUNTERS } from '../../../src/shared/agent-state.js';
import type { AgentStatus } from '../../../src/shared/agent-status.js';

/** Records what the service asks of Electron's Tray and Menu. */
class RecordingTraySurface implements TraySurface<readonly TrayMenuItem[]> {
  readonly images: AgentStatus[] = [];
  readonly tooltips: string[] = [];
  menu: readonly TrayMenuItem[] = [];
  menusBuilt = 0;
  click: () => void = () => undefined;
  action: (id: TrayAction) => void = () => undefined;
  toggle: (id: TrayToggle, checked: boolean) => void = () => undefined;
  destroyed = false;

  createTray(status: AgentStatus, onClick: () => void) {
    this.images.push(status);
    this.click = onClick;
    return {
      setImage: (next: AgentStatus) => this.images.push(next),
      setToolTip: (text: string) => this.tooltips.push(text),
      setContextMenu: (menu: readonly TrayMenuItem[]) => {
        this.menu = menu;
      },
      destroy: () => {
        this.destroyed = true;
      },
    };
  }

  buildMenu(
    items: readonly TrayMenuItem[],
    onAction: (id: TrayAction) => void,
    onToggle: (id: TrayToggle, checked: boolean) => void,
  ) {
    this.menusBuilt += 1;
    this.action = onAction;
    this.toggle = onToggle;
    return items;
  }
}

const counters = ZERO_AGENT_COUNTERS;
const config = {
  path: '/home/a/.config/cluvio-agent.toml',
  agentId: 'AGENT',
  server: { host: 'gateway.eu.cluvio.com', port: 443 },
  allowedAddresses: [],
  connectTimeoutMs: 30000,
  pingFrequencyMs: 60000,
};
const snapshot = (state: AgentState, withConfig = true): AgentSnapshot => ({
  version: '1.0.0',
  config: withConfig ? config : null,
  state,
  counters,
});

function setup(closeMinimizes: boolean | null = null) {
  const surface = new RecordingTraySurface();
  const calls: string[] = [];
  const tray = new TrayService(
    surface,
    {
      reconnectNow: () => calls.push('reconnect'),
      openWindow: () => calls.push('window'),
      openLogs: () => calls.push('logs'),
      importConfig: () => calls.push('import'),
      restorePreviousConfig: () => calls.push('restore'),
      setAutostart: (enabled) => calls.push(`autostart:${enabled}`),
      setNotifications: (enabled) => calls.push(`notifications:${enabled}`),
      setCloseMinimizes: (enabled) => calls.push(`close-minimizes:${enabled}`),
      quit: () => calls.push('quit'),
    },
    { notifications: true, closeMinimizes },
  );
  return { surface, calls, tray };
}

describe('TrayService', () => {
  it('shows one icon per status: online, connecting, backing off, disabled, error', () => {
    const { surface, tray } = setup();
    const states: [AgentState, AgentStatus][] = [
      [{ phase: 'connecting', attempt: 1, server: 'gw' }, 'connecting'],
      [{ phase: 'authenticating', server: 'gw', remoteAddress: '1.2.3.4:443' }, 'connecting'],
      [{ phase: 'online', server: 'gw', remoteAddress: '1.2.3.4:443', since: 1 }, 'online'],
      [{ phase: 'backing-off', attempt: 2, nextAttemptAt: 5, reason: 'connection refused' }, 'backing-off'],
      [{ phase: 'disabled', nextAttemptAt: 5 }, 'disabled'],
      [{ phase: 'terminated', reason: 'Unauthorized', message: 'unknown agent' }, 'error'],
      [{ phase: 'unconfigured', problem: { file: 'a.toml', key: 'server.host', message: 'bad' } }, 'error'],
      [{ phase: 'unconfigured', problem: null }, 'disabled'],
    ];
    for (const [state] of states) tray.update(snapshot(state));
    expect(surface.images).toEqual(['connecting', 'online', 'backing-off', 'disabled', 'error', 'disabled']);
  });

  it('puts the state and gateway in the tooltip and the menu status line', () => {
    const { surface, tray } = setup();
    tray.update(snapshot({ phase: 'online', server: 'gateway.eu.cluvio.com', remoteAddress: '1.2.3.4:443', since: 1 }));
    expect(surface.tooltips.at(-1)).toBe('Cluvio Agent: Online (gateway.eu.cluvio.com)');
    expect(surface.menu[0]).toEqual({ kind: 'status', label: 'Cluvio Agent: Online (gateway.eu.cluvio.com)' });
    tray.update(snapshot({ phase: 'unconfigured', problem: null }, false));
    expect(surface.tooltips.at(-1)).toBe('Cluvio Agent: Not configured');
  });

  it('offers open window, logs, import, start at login, notifications and quit, each doing what it says', () => {
    const { surface, calls, tray } = setup();
    tray.update(snapshot({ phase: 'idle' }));
    expect(surface.menu.map((item) => ('label' in item ? item.label : '—'))).toEqual([
      'Cluvio Agent: Starting (gateway.eu.cluvio.com)',
      '—',
      'Open Cluvio Agent',
      'Logs',
      'Import config…',
      '—',
      'Start at login',
      'Notifications',
      '—',
      'Quit',
    ]);
    for (const id of ['open-window', 'open-logs', 'import-config', 'quit'] as const) surface.action(id);
    surface.toggle('autostart', true);
    surface.toggle('notifications', false);
    surface.click();
    expect(calls).toEqual(['window', 'logs', 'import', 'quit', 'autostart:true', 'notifications:false', 'window']);
  });

  it('offers Reconnect now only while the agent waits before its next attempt, and it calls reconnectNow', () => {
    const { surface, calls, tray } = setup();
    const offered = (): boolean => surface.menu.some((item) => item.kind === 'action' && item.id === 'reconnect-now');
    const waiting: AgentState[] = [
      { phase: 'backing-off', attempt: 5, nextAttemptAt: 64_000, reason: 'failed to connect' },
      { phase: 'disabled', nextAttemptAt: 5_000 },
    ];
    for (const state of waiting) {
      tray.update(snapshot(state));
      expect(offered()).toBe(true);
      expect(surface.menu[1]).toEqual({ kind: 'action', id: 'reconnect-now', label: 'Reconnect now' });
    }
    const notWaiting: AgentState[] = [
      { phase: 'online', server: 'gw', remoteAddress: '1.2.3.4:443', since: 1 },
      { phase: 'connecting', attempt: 1, server: 'gw' },
      { phase: 'terminated', reason: 'Unauthorized', message: 'unknown agent' },
      { phase: 'unconfigured', problem: null },
    ];
    for (const state of notWaiting) {
      tray.update(snapshot(state));
      expect(offered()).toBe(false);
    }
    tray.update(snapshot(waiting[0] as AgentState));
    surface.action('reconnect-now');
    expect(calls).toEqual(['reconnect']);
  });

  it('offers "Restore previous configuration…" only while a backup exists, and it calls the restore action', () => {
    const { surface, calls, tray } = setup();
    tray.update(snapshot({ phase: 'online', server: 'gw', remoteAddress: '1.2.3.4:443', since: 1 }));
    const labels = (): string[] => surface.menu.flatMap((item) => ('label' in item ? [item.label] : []));
    expect(labels()).not.toContain('Restore previous configuration…');
    const previous = {
      path: '/home/u/.config/cluvio-agent.toml.2025-11-25T16-33-07-123Z.bak',
      savedAt: 0,
      config: {
        path: null,
        agentId: 'A',
        server: { host: 'gw', port: 443 },
        allowedAddresses: [],
        connectTimeoutMs: 30_000,
        pingFrequencyMs: 60_000,
      },
      difference: { server: null, agentId: null, allowedAddresses: { added: [], removed: [] }, same: true },
    };
    tray.setRestorable(previous);
    expect(labels().slice(0, 6)).toEqual([
      'Cluvio Agent: Online (gateway.eu.cluvio.com)',
      'Open Cluvio Agent',
      'Logs',
      'Import config…',
      'Restore previous configuration…',
      'Start at login',
    ]);
    surface.action('restore-config');
    expect(calls).toEqual(['restore']);
    tray.setRestorable(null);
    expect(labels()).not.toContain('Restore previous configuration…');
  });

  it('offers the close-button choice only where asked (Linux), and shows the preferences as they are', () => {
    const { surface, calls, tray } = setup(false);
    tray.update(snapshot({ phase: 'idle' }));
    expect(surface.menu.find((item) => item.kind === 'checkbox' && item.id === 'close-minimizes')).toMatchObject({
      label: 'Close button minimises the window',
      checked: false,
    });
    surface.toggle('close-minimizes', true);
    expect(calls).toEqual(['close-minimizes:true']);
    tray.setPreferences({ notifications: false, closeMinimizes: true });
    expect(surface.menu.filter((item) => item.kind === 'checkbox').map((item) => [item.id, item.checked])).toEqual([
      ['autostart', false],
      ['notifications', false],
      ['close-minimizes', true],
    ]);
  });

  it('shows start at login checked when enabled, and greyed out where unsupported', () => {
    const { surface, tray } = setup();
    tray.update(snapshot({ phase: 'idle' }));
    const autostart = () => surface.menu.find((item) => item.kind === 'checkbox' && item.id === 'autostart');
    expect(autostart()).toMatchObject({ checked: false, enabled: false });
    tray.setAutostart({ supported: true, enabled: true });
    expect(autostart()).toMatchObject({ checked: true, enabled: true });
  });

  it('leaves the native tray alone when a snapshot changes nothing it shows (counters tick often)', () => {
    const { surface, tray } = setup();
    const online = snapshot({ phase: 'online', server: 'gw', remoteAddress: '1.2.3.4:443', since: 1 });
    tray.update(online);
    tray.update({ ...online, counters: { ...counters, bytesToTarget: 1000 } });
    expect(surface.images).toEqual(['online']);
    expect(surface.menusBuilt).toBe(1);
    tray.destroy();
    expect(surface.destroyed).toBe(true);
  });
});

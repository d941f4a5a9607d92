/**
 * Fast recovery in the desktop app: Electron's `powerMonitor` says when the machine woke up or
 * the screen was unlocked (a laptop's lid opened), and the engine then checks its connection at
 * once (`checkConnection`) instead of waiting for its next ping. Network changes are noticed by
 * the host's detector (network-change-detector.ts), as in the CLI.
 */
import type { RecoveryTarget } from '../host/connection-recovery.js';

/** The events used here; Electron's `powerMonitor` satisfies it. */
export interface PowerMonitorSurface {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
  removeListener(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export const POWER_EVENT_REASONS = {
  resume: 'system resumed',
  'unlock-screen': 'screen unlocked',
} as const;

/** Listens until the returned function is called. */
export function watchPowerEvents(monitor: PowerMonitorSurface, target: RecoveryTarget): () => void {
  const listeners = (Object.keys(POWER_EVENT_REASONS) as (keyof typeof POWER_EVENT_REASONS)[]).map((event) => {
    const listener = (): void => {
      target.checkConnection(POWER_EVENT_REASONS[event]);
    };
    monitor.on(event, listener);
    return [event, listener] as const;
  });
  return () => {
    for (const [event, listener] of listeners) monitor.removeListener(event, listener);
  };
}

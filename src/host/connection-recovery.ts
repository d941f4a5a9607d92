/**
 * Fast recovery wiring for a process without OS power events (the CLI, with or without the
 * dashboard): a clock jump (the machine slept) or a network change triggers the engine's
 * `checkConnection` at once. The Electron app uses the network detector too, and `powerMonitor`
 * instead of the clock jump.
 */
import { ClockJumpDetector } from './clock-jump-detector.js';
import { NetworkChangeDetector } from './network-change-detector.js';

export interface RecoveryTarget {
  checkConnection(reason: string): void;
}

export interface ConnectionRecoveryOptions {
  readonly target: RecoveryTarget;
  /** A gap longer than this is a sleep: the configuration's ping-frequency. */
  readonly clockJumpThresholdMs: number;
}

/** Starts both detectors; the returned function stops them. */
export function startConnectionRecovery(options: ConnectionRecoveryOptions): () => void {
  const clock = new ClockJumpDetector({
    thresholdMs: options.clockJumpThresholdMs,
    onJump: (gapMs) => {
      options.target.checkConnection(
        `clock jumped ${(gapMs / 1000).toFixed(1)} s (the machine slept or the process was paused)`,
      );
    },
  }).start();
  const network = new NetworkChangeDetector({
    onChange: (description) => {
      options.target.checkConnection(description);
    },
  }).start();
  return () => {
    clock.stop();
    network.stop();
  };
}

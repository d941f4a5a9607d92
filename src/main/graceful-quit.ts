/**
 * Quit: stop the agent cleanly, but never for long, and never in the way of the OS.
 *
 * Electron emits 'before-quit' for Quit in the tray, Cmd-Q and `app.quit()`; calling
 * `preventDefault()` there stops the quit (electron.d.ts App 'before-quit'). The first request
 * is held while the engine closes its streams and connection, at most `deadlineMs`; then the
 * app quits whether the close finished or hung. Further requests while it closes wait for the
 * same deadline.
 *
 * When the OS ends the session (powerMonitor 'shutdown' on macOS and Linux, emitted before the
 * app is asked to quit; electron.d.ts PowerMonitor 'shutdown'), nothing is held: macOS reports
 * an app that cancels its termination during logout as having interrupted it. The close still
 * starts, as far as it gets. On Windows, Electron does not emit 'before-quit' at all when the
 * session ends (electron.d.ts App 'before-quit', note), so nothing can be held there either.
 */
import type { DesktopClock, TimerHandle } from './desktop-electron.js';

/** A few seconds: enough for a clean close (the engine's own drain is bounded), short enough to feel like Quit. */
export const QUIT_DEADLINE_MS = 3_000;

export interface GracefulQuitOptions {
  /** Stops the agent (engine, timers, endpoints). */
  readonly close: () => Promise<void>;
  /** Asks Electron to quit again (`app.quit()`); the held request is let through this time. */
  readonly quit: () => void;
  /** Called once, when the first quit request arrives (e.g. to hide the windows at once). */
  readonly onQuitRequested: () => void;
  readonly clock: Pick<DesktopClock, 'setTimeout'>;
  readonly log: (level: 'info' | 'warn', message: string, fields: Readonly<Record<string, string | number>>) => void;
  readonly deadlineMs?: number;
}

type Phase = 'running' | 'closing' | 'closed';

export class GracefulQuit {
  readonly #options: GracefulQuitOptions;
  #phase: Phase = 'running';
  #sessionEnding = false;
  #deadline: TimerHandle | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: GracefulQuitOptions) {
    this.#options = options;
  }

  /** True from the first quit request on (windows then close instead of minimising). */
  get quitting(): boolean {
    return this.#phase !== 'running' || this.#sessionEnding;
  }

  /** The 'before-quit' listener. */
  beforeQuit(event: { preventDefault(): void }): void {
    if (this.#phase === 'closed') return;
    if (this.#sessionEnding) {
      void this.#startClose();
      this.#phase = 'closed';
      return;
    }
    event.preventDefault();
    if (this.#phase === 'closing') return;
    this.#phase = 'closing';
    this.#options.onQuitRequested();
    const deadlineMs = this.#options.deadlineMs ?? QUIT_DEADLINE_MS;
    this.#deadline = this.#options.clock.setTimeout(() => {
      this.#options.log('warn', 'the agent did not stop in time; quitting anyway', { deadlineMs });
      this.#finish();
    }, deadlineMs);
    void this.#startClose().then(() => {
      this.#finish();
    });
  }

  /** The OS is ending the session (logout, restart, shutdown): from now on nothing is held. */
  sessionEnding(): void {
    this.#sessionEnding = true;
    void this.#startClose();
    // A quit already waiting for the close goes now.
    if (this.#phase === 'closing') this.#finish();
  }

  #startClose(): Promise<void> {
    this.#closing ??= this.#options.close().catch((error: unknown) => {
      this.#options.log('warn', 'stopping the agent failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    });
    return this.#closing;
  }

  #finish(): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#deadline?.cancel();
    this.#deadline = null;
    this.#options.quit();
  }
}

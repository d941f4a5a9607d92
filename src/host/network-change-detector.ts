/**
 * Noticing a network change (Wi-Fi joined or left, a VPN up or down, a cable plugged in) by
 * comparing this machine's non-loopback interface addresses every few seconds. Node has no
 * change event, and Electron's main process has none either, so the CLI, the dashboard and the
 * app all use this. A change only triggers a connection check, so a spurious one costs a Ping.
 */
import os from 'node:os';

export type InterfaceSource = () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;

export interface NetworkChangeOptions {
  /** Called with a short description, e.g. `network changed: 192.168.1.7 (wlan0) added`. */
  readonly onChange: (description: string) => void;
  /** Poll period (default 3 s). */
  readonly intervalMs?: number;
  /** Default `os.networkInterfaces`. */
  readonly interfaces?: InterfaceSource;
}

function addresses(source: InterfaceSource): Set<string> {
  const found = new Set<string>();
  for (const [name, infos] of Object.entries(source())) {
    for (const info of infos ?? []) if (!info.internal) found.add(`${info.address} (${name})`);
  }
  return found;
}

function describeChange(before: ReadonlySet<string>, after: ReadonlySet<string>): string | null {
  const added = [...after].filter((address) => !before.has(address));
  const removed = [...before].filter((address) => !after.has(address));
  if (added.length === 0 && removed.length === 0) return null;
  const parts = [...added.map((address) => `${address} added`), ...removed.map((address) => `${address} removed`)];
  return `network changed: ${parts.join(', ')}`;
}

export class NetworkChangeDetector {
  readonly #onChange: (description: string) => void;
  readonly #intervalMs: number;
  readonly #source: InterfaceSource;
  #known: Set<string>;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: NetworkChangeOptions) {
    this.#onChange = options.onChange;
    this.#intervalMs = options.intervalMs ?? 3_000;
    this.#source = options.interfaces ?? os.networkInterfaces;
    this.#known = this.#read() ?? new Set();
  }

  start(): this {
    if (this.#timer !== null) return this;
    this.#timer = setInterval(() => {
      this.poll();
    }, this.#intervalMs).unref();
    return this;
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One comparison (what the timer runs); returns the description when something changed. */
  poll(): string | null {
    const now = this.#read();
    if (now === null) return null;
    const change = describeChange(this.#known, now);
    this.#known = now;
    if (change !== null) this.#onChange(change);
    return change;
  }

  /** The current set, or null when the OS could not be asked (then nothing is compared). */
  #read(): Set<string> | null {
    try {
      return addresses(this.#source);
    } catch {
      return null;
    }
  }
}

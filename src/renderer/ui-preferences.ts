/**
 * What the user chose in the views (the log view and search, the stream filters and sort), kept
 * in the page's localStorage: it survives switching tabs, closing the window and restarting the
 * app (Electron keeps the default session's storage on disk; in the dashboard it is per browser
 * and address). Every value is checked when read back: storage is not ours alone to write.
 */

export interface PreferenceStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const PREFIX = 'cluvio-agent.';

/** The page's localStorage, or none (a browser that refuses storage): the choices then last as long as the page. */
function defaultStore(): PreferenceStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** Reads `key`, checked by `accept` (which returns the value, or null to fall back to `fallback`). */
export function readPreference<T>(
  key: string,
  fallback: T,
  accept: (raw: unknown) => T | null,
  store: PreferenceStore | null = defaultStore(),
): T {
  try {
    const text = store?.getItem(PREFIX + key) ?? null;
    if (text === null) return fallback;
    return accept(JSON.parse(text)) ?? fallback;
  } catch {
    return fallback;
  }
}

export function writePreference(key: string, value: unknown, store: PreferenceStore | null = defaultStore()): void {
  try {
    store?.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage full or refused: the choice lasts as long as the page.
  }
}

/** `raw` as a string of at most `max` characters, or null. */
export function boundedString(raw: unknown, max: number): string | null {
  return typeof raw === 'string' && raw.length <= max ? raw : null;
}

/** `raw` if it is one of `options`, or null. */
export function oneOf<const T extends string>(raw: unknown, options: readonly T[]): T | null {
  return typeof raw === 'string' && (options as readonly string[]).includes(raw) ? (raw as T) : null;
}

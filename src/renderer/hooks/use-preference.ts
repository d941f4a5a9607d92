import { useCallback, useState } from 'react';
import { readPreference, writePreference } from '../ui-preferences.js';

/** State kept in the page's storage under `key` (see ui-preferences.ts): read once on mount, written on every change. */
export function usePreference<T>(
  key: string,
  fallback: T,
  accept: (raw: unknown) => T | null,
): readonly [T, (value: T) => void] {
  const [value, setValue] = useState<T>(() => readPreference(key, fallback, accept));
  const set = useCallback(
    (next: T) => {
      setValue(next);
      writePreference(key, next);
    },
    [key],
  );
  return [value, set] as const;
}

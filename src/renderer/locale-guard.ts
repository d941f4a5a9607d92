/**
 * Some systems give the browser a language tag that Intl refuses: Chromium under LANG=C (or
 * C.UTF-8, POSIX) reports `navigator.language` as `en-US@posix`, and
 * `new Intl.NumberFormat('en-US@posix')` throws a RangeError. uPlot builds such a formatter when
 * its module loads, so the whole page would stay blank. Imported first (main.tsx), this replaces
 * an unusable tag with the part Intl accepts (`en-US`), or `en-US`; a usable one is left alone.
 */

function usable(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

/** The language tag to use instead of `tag`, or null when `tag` is usable. */
export function usableLanguage(tag: string): string | null {
  if (usable(tag)) return null;
  const base = tag.split(/[@.]/)[0] ?? '';
  return base !== '' && usable(base) ? base : 'en-US';
}

const replacement = typeof navigator === 'undefined' ? null : usableLanguage(navigator.language);
if (replacement !== null) {
  Object.defineProperty(navigator, 'language', { value: replacement, configurable: true });
}

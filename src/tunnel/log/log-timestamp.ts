/** tracing-subscriber's default timestamp: RFC 3339 UTC with microseconds, e.g. `2026-11-25T16:34:29.949479Z`. */
export function formatLogTimestamp(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const micros = Math.floor((epochMs - wholeMs) * 1000);
  const iso = new Date(wholeMs).toISOString();
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

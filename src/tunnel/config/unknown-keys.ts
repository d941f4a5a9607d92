/**
 * Keys the agent does not read. The reference ignores them without a word, so a typo
 * (`allowed_addresses`, `[servers]`) silently falls back to a default — for `allowed-addresses`
 * that default allows everything. They stay accepted (the same file must work with both agents),
 * but each one is a warning with the key it most likely meant.
 *
 * Their values are never shown: a misspelt `secret_key` holds the secret.
 */
import type { ConfigIssue } from './config-issue.js';

/** Every key of cluvio-agent.toml (PROTOCOL.md §8.1), as written in the file. */
export const ROOT_KEYS = ['secret-key', 'connect-timeout', 'ping-frequency', 'allowed-addresses', 'server'] as const;
export const SERVER_KEYS = ['host', 'port', 'trust'] as const;

type Table = Readonly<Record<string, unknown>>;

/** Longer keys are no typo of ours (and would make the distance table large). */
const MAX_SUGGESTED_LENGTH = 40;
/** Warnings listed one by one; beyond that, one more says how many were left out. */
export const MAX_UNKNOWN_KEY_WARNINGS = 20;

/** Edit distance with transpositions (optimal string alignment), for "did you mean". */
function editDistance(a: string, b: string): number {
  const width = b.length + 1;
  const d = new Uint16Array((a.length + 1) * width);
  const at = (i: number, j: number): number => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i += 1) d[i * width] = i;
  for (let j = 0; j <= b.length; j += 1) d[j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * width + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** `Allowed_Addresses`, `allowed addresses` → `allowed-addresses`. */
const normalise = (key: string): string =>
  key
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, '-');

/** The known key `key` most likely meant, or null. */
function closest(key: string, known: readonly string[]): string | null {
  const wanted = normalise(key);
  if (wanted.length > MAX_SUGGESTED_LENGTH) return null;
  const exact = known.find((candidate) => candidate === wanted);
  if (exact !== undefined) return exact;
  let best: { key: string; distance: number } | null = null;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate);
    if (best === null || distance < best.distance) best = { key: candidate, distance };
  }
  // One edit for short keys, two for longer ones: `hots` → host, `alowed-adresses` → allowed-addresses.
  if (best === null || best.distance > (best.key.length <= 5 ? 1 : 2)) return null;
  return best.key;
}

function unknownKey(key: string, suggestion: string | null): ConfigIssue {
  const summary = `unknown key ${JSON.stringify(key)}: the agent ignores it`;
  const hint = suggestion === null ? 'remove it if it is not needed' : `did you mean ${JSON.stringify(suggestion)}?`;
  return {
    key,
    value: null,
    summary,
    message: `${summary}; ${hint}`,
    fix:
      suggestion === null
        ? 'Remove the line, or download the configuration from Cluvio again.'
        : `Did you mean ${JSON.stringify(suggestion)}? Rename it: until then the agent uses the default for ${JSON.stringify(suggestion)}.`,
  };
}

/** A warning for every key the agent does not read, in file order. */
export function unknownKeyWarnings(root: Table): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  const rootKeys: readonly string[] = ROOT_KEYS;
  const serverKeys: readonly string[] = SERVER_KEYS;
  for (const key of Object.keys(root)) {
    if (rootKeys.includes(key)) continue;
    // `host = …` above `[server]` belongs under it.
    const serverKey = closest(key, serverKeys);
    warnings.push(unknownKey(key, serverKey === null ? closest(key, rootKeys) : `server.${serverKey}`));
  }
  const server = root.server;
  if (typeof server === 'object' && server !== null && !Array.isArray(server) && !(server instanceof Date)) {
    for (const key of Object.keys(server)) {
      if (serverKeys.includes(key)) continue;
      const serverKey = closest(key, serverKeys);
      // `secret-key` under `[server]` belongs above it.
      const rootKey =
        serverKey === null
          ? closest(
              key,
              rootKeys.filter((k) => k !== 'server'),
            )
          : null;
      warnings.push(unknownKey(`server.${key}`, serverKey === null ? rootKey : `server.${serverKey}`));
    }
  }
  if (warnings.length <= MAX_UNKNOWN_KEY_WARNINGS) return warnings;
  const left = warnings.length - MAX_UNKNOWN_KEY_WARNINGS;
  const summary = `${left} more unknown keys: the agent ignores them`;
  return [
    ...warnings.slice(0, MAX_UNKNOWN_KEY_WARNINGS),
    { key: null, value: null, summary, message: summary, fix: 'Download the configuration from Cluvio again.' },
  ];
}

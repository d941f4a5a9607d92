/**
 * What replacing one configuration with another changes, in the terms a user recognises: the
 * gateway it connects to, the agent it is (its ID, the public key), and the addresses it may
 * reach. Shown before an import that arrived from outside the window is applied, before a
 * restore, and after an import. Isomorphic: plain data and functions.
 */
import type { PublicConfig } from './agent-state.js';

export interface ValueChange {
  /** Null when there was no configuration before. */
  readonly from: string | null;
  readonly to: string;
}

export interface ConfigDifference {
  /** `host:port` of the gateway, when it changes. */
  readonly server: ValueChange | null;
  /** The agent ID (the public key), when it changes: another agent as far as Cluvio is concerned. */
  readonly agentId: ValueChange | null;
  /** Entries of `allowed-addresses` only the new configuration has, and only the old one. */
  readonly allowedAddresses: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Nothing the user would notice changes (the timings may). */
  readonly same: boolean;
}

const serverOf = (config: PublicConfig): string => `${config.server.host}:${config.server.port}`;

function change(from: string | null, to: string): ValueChange | null {
  return from === to ? null : { from, to };
}

export function configDifference(before: PublicConfig | null, after: PublicConfig): ConfigDifference {
  const server = change(before === null ? null : serverOf(before), serverOf(after));
  const agentId = change(before?.agentId ?? null, after.agentId);
  const previous = before?.allowedAddresses ?? [];
  const added = after.allowedAddresses.filter((entry) => !previous.includes(entry));
  const removed = previous.filter((entry) => !after.allowedAddresses.includes(entry));
  return {
    server,
    agentId,
    allowedAddresses: { added, removed },
    same: server === null && agentId === null && added.length === 0 && removed.length === 0,
  };
}

/** At most this many addresses are listed per line; the rest are counted. */
const LISTED = 8;

function list(entries: readonly string[]): string {
  const shown = entries.slice(0, LISTED).join(', ');
  return entries.length > LISTED ? `${shown} and ${entries.length - LISTED} more` : shown;
}

/** One line per change, for a dialog or a list: `Gateway: a:443 → b:443`. */
export function describeDifference(difference: ConfigDifference): string[] {
  const lines: string[] = [];
  const { server, agentId, allowedAddresses } = difference;
  if (server !== null)
    lines.push(server.from === null ? `Gateway: ${server.to}` : `Gateway: ${server.from} → ${server.to}`);
  if (agentId !== null)
    lines.push(
      agentId.from === null
        ? `Agent ID: ${agentId.to}`
        : `Agent ID: ${agentId.from} → ${agentId.to} (another agent in Cluvio)`,
    );
  if (allowedAddresses.added.length > 0) lines.push(`Allowed addresses added: ${list(allowedAddresses.added)}`);
  if (allowedAddresses.removed.length > 0) lines.push(`Allowed addresses removed: ${list(allowedAddresses.removed)}`);
  if (lines.length === 0) lines.push('Gateway, agent ID and allowed addresses stay the same.');
  return lines;
}

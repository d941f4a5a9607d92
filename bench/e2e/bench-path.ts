/** One way from the load generator to the target server and the database: what every path offers. */
import type { Measured } from './proc-stats.js';

export type PathKey = 'direct' | 'tls' | 'ssh' | 'tunnel' | 'reference' | 'baseline';

export interface BenchPath {
  readonly key: PathKey;
  readonly label: string;
  /** Where the load generator connects to reach the target server … */
  readonly targetPort: number;
  /** … and the embedded PostgreSQL. */
  readonly postgresPort: number;
  /** The process standing where the agent stands (the agent, the TLS pipe's exit, sshd); none for direct. */
  readonly agentSide: Measured | undefined;
  /** The process standing where the gateway stands (gateway, TLS pipe entry, ssh client). */
  readonly gatewaySide: Measured | undefined;
  /** Most streams this path can hold open at once (yamux 0.10 refuses more than 8192). */
  readonly maxStreams: number;
  /** Notes for the report (cipher, versions). */
  readonly notes: readonly string[];
  stop(): Promise<void>;
}

export const PATH_LABELS: Readonly<Record<PathKey, string>> = {
  direct: 'direct TCP',
  tls: 'TLS 1.3 pipe',
  ssh: 'ssh -L',
  tunnel: 'tunnel (our agent)',
  reference: 'tunnel (reference agent)',
  baseline: 'tunnel (baseline build)',
};

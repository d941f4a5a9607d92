/** The bare TLS 1.3 pipe path: two child processes (entry, exit), one TLS connection per stream. */
import { readFileSync } from 'node:fs';
import { generateSelfSignedServerCertificate } from '../../src/gateway/certificates.js';
import type { BenchPath } from './bench-path.js';
import { PATH_LABELS } from './bench-path.js';
import { forkNode } from './children.js';
import type { TlsPipeInit, TlsPipeReady } from './tls-pipe-process.js';

const MODULE = new URL('./tls-pipe-process.js', import.meta.url);

/** The soft limit of open files a child inherits (`ulimit -n`), from /proc/self/limits. */
function openFileLimit(): number {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

export async function startTlsPath(targetPort: number, postgresPort: number): Promise<BenchPath> {
  const cert = await generateSelfSignedServerCertificate(['localhost']);
  const exit = await forkNode<TlsPipeReady>(MODULE, {
    role: 'exit',
    targets: [targetPort, postgresPort],
    certPem: cert.certPem,
    keyPem: cert.keyPem,
  } satisfies TlsPipeInit);
  const entry = await forkNode<TlsPipeReady>(MODULE, {
    role: 'entry',
    exits: [...exit.ready.ports],
    caPem: cert.certPem,
  } satisfies TlsPipeInit);
  const [tlsTarget, tlsPostgres] = entry.ready.ports;
  if (tlsTarget === undefined || tlsPostgres === undefined) throw new Error('TLS pipe: missing ports');
  return {
    key: 'tls',
    label: PATH_LABELS.tls,
    targetPort: tlsTarget,
    postgresPort: tlsPostgres,
    agentSide: { pid: exit.pid, tree: false },
    gatewaySide: { pid: entry.pid, tree: false },
    // Each end holds two sockets per stream (client and TLS, or TLS and target).
    maxStreams: Math.floor((openFileLimit() - 100) / 2),
    notes: [
      `TLS pipe: Node TLS 1.3 (TLS_AES_256_GCM_SHA384), a full handshake per stream, Nagle off; at most ${Math.floor((openFileLimit() - 100) / 2).toLocaleString('en-US')} streams at once (two sockets per stream at each end, open-file limit ${openFileLimit()})`,
    ],
    stop: async () => {
      await entry.stop();
      await exit.stop();
    },
  };
}

/** The bare TLS 1.3 pipe path: two child processes (entry, exit), one TLS connection per stream. */
import { generateSelfSignedServerCertificate } from '../../src/gateway/certificates.js';
import type { BenchPath } from './bench-path.js';
import { PATH_LABELS } from './bench-path.js';
import { forkNode } from './children.js';
import type { TlsPipeInit, TlsPipeReady } from './tls-pipe-process.js';

const MODULE = new URL('./tls-pipe-process.js', import.meta.url);

export async function startTlsPath(targetPort: number, postgresPort: number): Promise<BenchPath> {
  const cert = await generateSelfSignedServerCertificate(['localhost']);
  const exit = await forkNode<TlsPipeReady>(MODULE, { role: 'exit', targets: [targetPort, postgresPort], certPem: cert.certPem, keyPem: cert.keyPem } satisfies TlsPipeInit);
  const entry = await forkNode<TlsPipeReady>(MODULE, { role: 'entry', exits: [...exit.ready.ports], caPem: cert.certPem } satisfies TlsPipeInit);
  const [tlsTarget, tlsPostgres] = entry.ready.ports;
  if (tlsTarget === undefined || tlsPostgres === undefined) throw new Error('TLS pipe: missing ports');
  return {
    key: 'tls',
    label: PATH_LABELS.tls,
    targetPort: tlsTarget,
    postgresPort: tlsPostgres,
    agentSide: { pid: exit.pid, tree: false },
    gatewaySide: { pid: entry.pid, tree: false },
    maxStreams: Number.POSITIVE_INFINITY,
    notes: ['TLS pipe: Node TLS 1.3 (TLS_AES_256_GCM_SHA384), a full handshake per stream, Nagle off'],
    stop: async () => {
      await entry.stop();
      await exit.stop();
    },
  };
}

/**
 * Two yamux sessions over a real TLS 1.3 connection on 127.0.0.1: `gateway` (server mode, driven
 * by the test with the codec) and `agent` (client mode, where the engine's pieces run).
 */
import { once } from 'node:events';
import tls from 'node:tls';
import { Session } from '../../../../src/tunnel/mux/session.js';
import { localhostCertificate, testAuthority } from './tls-certificates.js';

export interface TlsMuxPair {
  readonly gateway: Session;
  readonly agent: Session;
  close(): Promise<void>;
}

export async function tlsMuxPair(
  agentMux: { autoTuneWindow?: boolean } = { autoTuneWindow: false },
): Promise<TlsMuxPair> {
  const certificate = await localhostCertificate();
  const ca = await testAuthority();
  let gatewaySession: Session | undefined;
  const server = tls.createServer(
    { cert: certificate.certPem, key: certificate.keyPem, minVersion: 'TLSv1.3' },
    (socket) => {
      gatewaySession = new Session(socket, { mode: 'server' });
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const client = tls.connect({
    host: '127.0.0.1',
    port: address.port,
    servername: 'localhost',
    ca: [ca.certPem],
    minVersion: 'TLSv1.3',
  });
  await once(client, 'secureConnect');
  const agent = new Session(client, { ...agentMux, mode: 'client' });
  const started = Date.now();
  while (gatewaySession === undefined) {
    if (Date.now() - started > 10_000) throw new Error('the TLS server never saw the connection');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const gateway = gatewaySession;
  return {
    gateway,
    agent,
    async close() {
      agent.destroy();
      gateway.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

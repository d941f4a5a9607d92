/**
 * A bare Node TLS 1.3 pipe, one TLS connection per stream (a child process per end), the ceiling
 * for any tunnel written in Node:
 *
 *   client ──TCP──▶ entry ──TLS 1.3 (one connection per client connection)──▶ exit ──TCP──▶ target
 *
 * The exit stands where the agent stands (it terminates TLS and connects to the target), the
 * entry where the gateway does. Both turn Nagle off, as the mux does. Init message:
 * `{ role: 'exit', targets, certPem, keyPem }` or `{ role: 'entry', exits, caPem }`; answers
 * `{ ports }`, one listening port per target (or exit) in the same order.
 */
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { relayPair } from './relay-pair.js';

export type TlsPipeInit =
  | { readonly role: 'exit'; readonly targets: readonly number[]; readonly certPem: string; readonly keyPem: string }
  | { readonly role: 'entry'; readonly exits: readonly number[]; readonly caPem: string };

export interface TlsPipeReady {
  readonly ports: readonly number[];
}

async function listen(server: net.Server): Promise<number> {
  server.maxConnections = 1_000_000;
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

function startExit(targetPort: number, certPem: string, keyPem: string): Promise<number> {
  const server = tls.createServer(
    { cert: certPem, key: keyPem, minVersion: 'TLSv1.3', allowHalfOpen: true },
    (secure) => {
      secure.setNoDelay(true);
      const target = net.connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true, noDelay: true });
      relayPair(secure, target);
    },
  );
  server.on('tlsClientError', () => undefined);
  return listen(server);
}

function startEntry(exitPort: number, caPem: string): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    // allowHalfOpen reaches the TLSSocket at run time; Node's typings lack it on ConnectionOptions.
    const options = {
      port: exitPort,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: caPem,
      minVersion: 'TLSv1.3',
      allowHalfOpen: true,
    } as tls.ConnectionOptions;
    const secure = tls.connect(options);
    secure.setNoDelay(true);
    relayPair(client, secure);
  });
  return listen(server);
}

process.once('message', (init: TlsPipeInit) => {
  const started =
    init.role === 'exit'
      ? Promise.all(init.targets.map((port) => startExit(port, init.certPem, init.keyPem)))
      : Promise.all(init.exits.map((port) => startEntry(port, init.caPem)));
  started.then(
    (ports) => process.send?.({ ports } satisfies TlsPipeReady),
    (error: unknown) => process.send?.({ error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));

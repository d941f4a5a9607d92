/**
 * A hostile gateway for agent processes: a TLS 1.3 server for `localhost` (a private CA the
 * agent's `[server] trust` names) that hands each agent connection to a script speaking raw
 * yamux. The script can stop reading (the agent's writes then pile up in the kernel's socket
 * buffers and, beyond them, in the agent) and keep writing whatever frames it likes.
 */
import { once } from 'node:events';
import type net from 'node:net';
import tls from 'node:tls';
import {
  generateCertificateAuthority,
  issueServerCertificate,
  type CertificateAuthority,
} from '../../../src/gateway/certificates.js';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { encodeConnectMessage, encodeFrame, freshMessageId } from '../../../src/tunnel/codec/index.js';
import { FrameType } from '../../../src/tunnel/mux/frame-header.js';
import { agentConfigToml, waitUntil } from '../../support/gateway-fixture.js';
import { type AgentImplementation, type AgentProcess, spawnAgent } from '../../support/reference-agent.js';
import { parseFrames, type WireFrame } from '../../unit/mux/support/raw-peer.js';

export type Cleanups = (() => Promise<unknown>)[];

export interface HostileConnection {
  readonly socket: tls.TLSSocket;
  /** Every frame the agent has sent on this connection (until `stopReading()`). */
  frames(): WireFrame[];
  /** Writes, waiting for the socket to drain; false once the agent has gone. */
  send(bytes: Buffer): Promise<boolean>;
  /** From now on nothing the agent sends is read: its writes stay in the socket buffers, then in the agent. */
  stopReading(): void;
  readonly closed: Promise<void>;
  isClosed(): boolean;
}

export interface HostileGateway {
  readonly port: number;
  readonly connections: HostileConnection[];
}

interface Certificates {
  readonly ca: CertificateAuthority;
  readonly leaf: { readonly certPem: string; readonly keyPem: string };
}

let authority: Promise<Certificates> | null = null;

/** One CA and `localhost` certificate for the whole test file. */
export function hostileCertificates(): Promise<Certificates> {
  authority ??= (async () => {
    const ca = await generateCertificateAuthority('hostile gateway CA');
    return { ca, leaf: await issueServerCertificate(ca, ['localhost']) };
  })();
  return authority;
}

/** A TLS 1.3 server for `localhost` that hands each agent connection to `behave`. */
export async function hostileGateway(
  cleanups: Cleanups,
  behave: (connection: HostileConnection, index: number) => Promise<void>,
): Promise<HostileGateway> {
  const { leaf } = await hostileCertificates();
  const connections: HostileConnection[] = [];
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem, minVersion: 'TLSv1.3' }, (socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    const record = (chunk: Buffer): void => {
      chunks.push(chunk);
    };
    socket.on('data', record);
    socket.on('error', () => undefined);
    let closedNow = false;
    const closed = new Promise<void>((resolve) =>
      socket.once('close', () => {
        closedNow = true;
        sockets.delete(socket);
        resolve();
      }),
    );
    const connection: HostileConnection = {
      socket,
      frames: () => parseFrames(Buffer.concat(chunks)),
      async send(bytes) {
        if (socket.destroyed) return false;
        if (socket.write(bytes)) return true;
        await Promise.race([once(socket, 'drain'), closed]);
        return !socket.destroyed;
      },
      stopReading() {
        socket.off('data', record);
        socket.pause();
      },
      closed,
      isClosed: () => closedNow,
    };
    connections.push(connection);
    void behave(connection, connections.length - 1).catch(() => undefined);
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as net.AddressInfo).port, connections };
}

export interface RunAgentOptions {
  /** `ping-frequency` (humantime), default the agent's (60 s). */
  readonly pingFrequency?: string;
  /** `--log` filter (default `cluvio_agent=debug`). */
  readonly logFilter?: string;
}

/** Starts `implementation` against `port` with a fresh key, allowing 127.0.0.0/8; stopped by `cleanups`. */
export async function runAgent(
  cleanups: Cleanups,
  implementation: AgentImplementation,
  port: number,
  options: RunAgentOptions = {},
): Promise<AgentProcess> {
  const { ca } = await hostileCertificates();
  const toml = agentConfigToml({
    secretKey: generateKeyPair().secretKey.exportBase64url(),
    host: 'localhost',
    port,
    trustPem: ca.certPem,
    allowedAddresses: ['127.0.0.0/8'],
    ...(options.pingFrequency === undefined ? {} : { pingFrequency: options.pingFrequency }),
  });
  const agent = await spawnAgent(
    implementation,
    toml,
    options.logFilter === undefined ? {} : { logFilter: options.logFilter },
  );
  cleanups.push(() => agent.stop());
  return agent;
}

/** `Message<Connect>` for 127.0.0.1:`port`, framed for a data stream. */
export function connectFrame(port: number): Buffer {
  return encodeFrame(
    encodeConnectMessage({
      id: freshMessageId(),
      data: { addr: { kind: 'addr', family: 4, ip: '127.0.0.1', port }, useHalfClose: null },
    }),
  );
}

export function goAways(connection: HostileConnection): number[] {
  return connection
    .frames()
    .filter((f) => f.type === FrameType.GoAway)
    .map((f) => f.length);
}

/** Waits for the agent's stream 1 (its Hello) on `connection`: the agent is talking to us. */
export async function helloOn(connection: HostileConnection): Promise<void> {
  await waitUntil(
    () => connection.frames().some((f) => f.streamId === 1 && f.type === FrameType.Data),
    'the agent to open its control stream',
  );
}

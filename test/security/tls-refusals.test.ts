/**
 * The agent only talks to a gateway that proves it is `[server] host` over TLS 1.3 with a
 * certificate chaining to a trusted anchor. Against each way a server can fail that, the real
 * reference agent and our CLI both refuse the connection — and never send it a single byte of
 * the protocol (no Hello, so no public key and no agent version reach an impostor) — and keep
 * retrying without crashing. A valid server in the same setup is the control case.
 *
 * Our TLS client's own unit tests (test/unit/agent/gateway-tls.test.ts) check the error texts;
 * test/e2e/agent/lifecycle.test.ts checks the CLI's log lines for two of these cases;
 * tls-runtime-properties.test.ts checks what the gateway observes of a handshake that succeeds.
 */
import 'reflect-metadata';
import { once } from 'node:events';
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAndKey,
  type CertificateAuthority,
  generateCertificateAuthority,
  issueServerCertificate,
} from '../../src/gateway/certificates.js';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';
import { agentConfigToml, waitUntil } from '../support/gateway-fixture.js';
import { type AgentImplementation, OUR_AGENT_CLI, REFERENCE_AGENT, spawnAgent } from '../support/reference-agent.js';
import { caTrueLeaf, caTrueSigningOnlyLeaf, cnOnlyLeaf } from '../unit/agent/support/odd-certificates.js';

x509.cryptoProvider.set(webcrypto);

/** A leaf from `ca` for localhost whose validity ended yesterday. */
async function expiredLeaf(ca: CertificateAuthority): Promise<CertificateAndKey> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const day = 86_400_000;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: '0a',
    subject: 'CN=localhost',
    issuer: ca.certificate.subject,
    notBefore: new Date(Date.now() - 30 * day),
    notAfter: new Date(Date.now() - day),
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }]),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: certificate.toString('pem'), keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}

interface Case {
  readonly name: string;
  readonly served: CertificateAndKey;
  readonly trust: string;
  readonly maxVersion?: tls.SecureVersion;
  /** Extra environment for the agent process. */
  readonly env?: NodeJS.ProcessEnv;
  readonly refused: boolean;
}

interface Server {
  readonly port: number;
  /** Bytes of application data received after a completed handshake. */
  readonly received: () => number;
  close(): Promise<void>;
}

async function startServer(c: Case): Promise<Server> {
  let received = 0;
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer(
    {
      cert: c.served.certPem,
      key: c.served.keyPem,
      minVersion: 'TLSv1.2',
      ...(c.maxVersion === undefined ? {} : { maxVersion: c.maxVersion }),
    },
    (socket) => {
      sockets.add(socket);
      socket.on('data', (data: Buffer) => (received += data.length));
      socket.on('error', () => undefined);
    },
  );
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => received,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let cases: Case[] = [];
let scratch = '';

beforeAll(async () => {
  const trusted = await generateCertificateAuthority('trusted CA');
  const stranger = await generateCertificateAuthority('untrusted CA');
  scratch = await mkdtemp(path.join(tmpdir(), 'tls-refusals-'));
  const strangerFile = path.join(scratch, 'untrusted-ca.pem');
  await writeFile(strangerFile, stranger.certPem);
  const caTrue = await caTrueLeaf('localhost');
  const cnOnly = await cnOnlyLeaf('localhost');
  cases = [
    {
      name: 'a valid certificate for localhost (control)',
      served: await issueServerCertificate(trusted, ['localhost']),
      trust: trusted.certPem,
      refused: false,
    },
    {
      name: 'a certificate from an untrusted CA',
      served: await issueServerCertificate(stranger, ['localhost']),
      trust: trusted.certPem,
      refused: true,
    },
    {
      name: 'a trusted certificate for the wrong host name',
      served: await issueServerCertificate(trusted, ['gateway.other.example']),
      trust: trusted.certPem,
      refused: true,
    },
    {
      name: 'a TLS 1.2-only server with a valid certificate',
      served: await issueServerCertificate(trusted, ['localhost']),
      trust: trusted.certPem,
      maxVersion: 'TLSv1.2',
      refused: true,
    },
    {
      name: 'an expired certificate from the trusted CA',
      served: await expiredLeaf(trusted),
      trust: trusted.certPem,
      refused: true,
    },
    {
      name: 'a self-signed CA:TRUE leaf in [server] trust (webpki: CaUsedAsEndEntity)',
      served: caTrue,
      trust: caTrue.certPem,
      refused: true,
    },
    { name: 'a self-signed leaf naming the host only in its CN', served: cnOnly, trust: cnOnly.certPem, refused: true },
    {
      name: 'a CA:TRUE leaf from the trusted CA whose keyUsage lacks keyCertSign (X509_check_ca: no CA; webpki: CaUsedAsEndEntity)',
      served: await caTrueSigningOnlyLeaf(trusted, 'localhost'),
      trust: trusted.certPem,
      refused: true,
    },
    {
      // Electron honours NODE_EXTRA_CA_CERTS unless the nodeOptions fuse is off: the agent's trust must not grow with it.
      name: "an untrusted CA's certificate, that CA in NODE_EXTRA_CA_CERTS, SSL_CERT_FILE and the system store",
      served: await issueServerCertificate(stranger, ['localhost']),
      trust: trusted.certPem,
      env: { NODE_EXTRA_CA_CERTS: strangerFile, SSL_CERT_FILE: strangerFile, NODE_USE_SYSTEM_CA: '1' },
      refused: true,
    },
  ];
});

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

async function attempt(
  implementation: AgentImplementation,
  c: Case,
): Promise<{ refused: boolean; received: number; alive: boolean }> {
  const server = await startServer(c);
  servers.push(server);
  const toml = agentConfigToml({
    secretKey: generateKeyPair().secretKey.exportBase64url(),
    host: 'localhost',
    port: server.port,
    trustPem: c.trust,
  });
  const agent = await spawnAgent(implementation, toml, c.env === undefined ? {} : { env: c.env });
  try {
    if (c.refused) {
      // Two attempts refused (the immediate one and the one after 2 s): the refusal is not a one-off.
      await agent.waitForOutput(/waiting 2s before connecting/);
      const second = agent.output().length;
      await agent.waitForOutput(/WARN cluvio_agent::agent: failed to connect to localhost/, { from: second });
    } else {
      await waitUntil(() => server.received() > 0, `${implementation.name}: the Hello on a valid server`);
    }
    return {
      refused: /failed to connect to localhost/.test(agent.output()),
      received: server.received(),
      alive: agent.child.exitCode === null,
    };
  } finally {
    await agent.stop();
  }
}

describe.each([REFERENCE_AGENT, OUR_AGENT_CLI])('TLS: $name', (implementation) => {
  it('refuses every server that fails TLS 1.3 + trusted chain + host name, sends it nothing, keeps retrying; connects to the valid one', async () => {
    const results = await Promise.all(cases.map((c) => attempt(implementation, c)));
    const table = cases.map((c, i) => `${c.name}: ${JSON.stringify(results[i])}`).join('\n');
    cases.forEach((c, i) => {
      const result = results[i];
      expect(result?.refused, table).toBe(c.refused);
      expect(result?.alive, table).toBe(true);
      if (c.refused) expect(result?.received, `${c.name}: bytes sent to the impostor\n${table}`).toBe(0);
      else expect(result?.received, table).toBeGreaterThan(0);
    });
  }, 60_000);
});

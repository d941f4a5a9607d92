/**
 * Records real sessions for the fuzzer's seed corpus: the plaintext bytes (yamux frames, CBOR
 * messages, relayed data) that the real reference agent 1.3.0 and our agent exchange with our
 * gateway, captured by a TLS-terminating tap between them. One JSON file per agent in
 * test/fuzz/captures/.
 *
 *   npm run build && node dist/bench/fuzz/record-captures.js [--only reference|ours]
 *
 * The session covers what a gateway and an agent say to each other in practice: Hello,
 * Challenge/Response, Accepted, pings both ways, Tests (allowed, not allowed, closed port), data
 * streams in half- and full-close mode with payload, refusals, SwitchToNewConnection (a second
 * connection), and Terminate{Disabled}.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { AgentRegistry } from '../../src/gateway/agent-registry.js';
import { generateCertificateAuthority, issueServerCertificate } from '../../src/gateway/certificates.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';
import type { CaptureConnection, CaptureFile } from './captures.js';
import { capturesDir, referenceAgentPath, repoRoot } from './repo-root.js';

interface TapConnection {
  readonly chunks: { dir: 'agent-to-gateway' | 'gateway-to-agent'; hex: string }[];
}

/** A TLS 1.3 server for `localhost` that forwards plaintext to the gateway and records it. */
async function startTap(
  certPem: string,
  keyPem: string,
  caPem: string,
  gatewayPort: number,
): Promise<{ port: number; connections: TapConnection[]; close(): Promise<void> }> {
  const connections: TapConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert: certPem, key: keyPem, minVersion: 'TLSv1.3' }, (agentSide) => {
    const record: TapConnection = { chunks: [] };
    connections.push(record);
    const gatewaySide = tls.connect({
      host: '127.0.0.1',
      port: gatewayPort,
      servername: 'localhost',
      ca: caPem,
      minVersion: 'TLSv1.3',
    });
    sockets.add(agentSide).add(gatewaySide);
    agentSide.on('data', (chunk: Buffer) => {
      record.chunks.push({ dir: 'agent-to-gateway', hex: chunk.toString('hex') });
      gatewaySide.write(chunk);
    });
    gatewaySide.on('data', (chunk: Buffer) => {
      record.chunks.push({ dir: 'gateway-to-agent', hex: chunk.toString('hex') });
      agentSide.write(chunk);
    });
    const finish = (): void => {
      agentSide.destroy();
      gatewaySide.destroy();
    };
    agentSide
      .on('end', () => gatewaySide.end())
      .on('error', finish)
      .on('close', finish);
    gatewaySide
      .on('end', () => agentSide.end())
      .on('error', finish)
      .on('close', finish);
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function echoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function record(agentName: 'reference' | 'ours'): Promise<CaptureFile> {
  const ca = await generateCertificateAuthority('capture CA');
  const gatewayLeaf = await issueServerCertificate(ca, ['localhost']);
  const tapLeaf = await issueServerCertificate(ca, ['localhost']);
  const registry = new AgentRegistry();
  const keys = generateKeyPair();
  registry.set({ id: keys.agentId, name: 'capture', status: 'enabled' });
  const gateway = await Gateway.start({ tls: gatewayLeaf, agents: registry, pingIntervalMs: 700 });
  const tap = await startTap(tapLeaf.certPem, tapLeaf.keyPem, ca.certPem, gateway.port);
  const echo = await echoServer();
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-capture-'));
  const configPath = path.join(dir, 'cluvio-agent.toml');
  await writeFile(
    configPath,
    [
      `secret-key = "${keys.secretKey.exportBase64url()}"`,
      'allowed-addresses = ["127.0.0.0/8", "localhost", "*.example.com"]',
      'ping-frequency = "500ms"',
      'connect-timeout = "2s"',
      '[server]',
      'host = "localhost"',
      `port = ${tap.port}`,
      `trust = '''\n${ca.certPem.trim()}\n'''`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const command =
    agentName === 'reference' ? [referenceAgentPath] : [process.execPath, path.join(repoRoot, 'dist/src/cli/agent.js')];
  const [executable, ...args] = command;
  if (executable === undefined) throw new Error('no agent command');
  const child: ChildProcess = spawn(executable, [...args, '-c', configPath], { stdio: 'ignore' });
  try {
    await gateway.waitForAgent(keys.agentId, { timeoutMs: 20_000 });
    await gateway.test(keys.agentId, `127.0.0.1:${echo.port}`);
    await gateway.test(keys.agentId, '10.1.2.3:5432');
    await gateway.test(keys.agentId, `127.0.0.1:${await closedPort()}`);
    await gateway.test(keys.agentId, { kind: 'name', name: 'db.example.com', port: 5432 });
    await gateway.test(keys.agentId, `[::ffff:127.0.0.1]:${echo.port}`);
    const half = await gateway.openStream(keys.agentId, `127.0.0.1:${echo.port}`, { halfClose: true });
    half.end(Buffer.alloc(20_000, 0x61));
    await readAll(half);
    const full = await gateway.openStream(keys.agentId, `localhost:${echo.port}`);
    full.write('SELECT 1;');
    await pause(100);
    full.end();
    await readAll(full).catch(() => Buffer.alloc(0));
    for (const target of ['10.9.9.9:1', `127.0.0.1:${await closedPort()}`]) {
      await gateway.openStream(keys.agentId, target).then(
        (stream) => stream.destroy(),
        () => undefined,
      );
    }
    await pause(1_800); // pings both ways
    await gateway.switchConnection(keys.agentId);
    await pause(1_200);
    gateway.setStatus(keys.agentId, 'disabled');
    await pause(500);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'close');
    await tap.close();
    await gateway.close();
    await echo.close();
    await rm(dir, { recursive: true, force: true });
  }
  const connections: CaptureConnection[] = tap.connections.map((c) => ({ chunks: c.chunks }));
  return {
    description: `Plaintext (inside TLS) of a session between ${agentName === 'reference' ? 'the reference agent 1.3.0' : 'our agent'} and our gateway, one entry per TLS connection, chunks as read by the tap`,
    agent: agentName === 'reference' ? 'reference cluvio-agent 1.3.0' : 'cluvio-agent (TypeScript)',
    recorded: new Date().toISOString().slice(0, 10),
    connections,
  };
}

const { values } = parseArgs({ options: { only: { type: 'string' } } });
for (const name of ['reference', 'ours'] as const) {
  if (values.only !== undefined && values.only !== name) continue;
  const capture = await record(name);
  const file = path.join(capturesDir, `${name}-session.json`);
  await writeFile(file, `${JSON.stringify(capture, null, 1)}\n`);
  const bytes = capture.connections.reduce(
    (sum, c) => sum + c.chunks.reduce((s, chunk) => s + chunk.hex.length / 2, 0),
    0,
  );
  process.stdout.write(`${file}: ${capture.connections.length} connections, ${bytes} bytes\n`);
}

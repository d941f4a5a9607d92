/**
 * Receive-window auto-tuning between real processes, through a delay line (20 ms of round trip)
 * as in the benchmark's wide-area section: the data arrives intact in both directions, and the
 * windows grow where the receiver tunes, whatever the other side does.
 *
 * - our agent (tuning, its default) ↔ a gateway that keeps yamux 0.10's fixed 256 KiB windows:
 *   uploads see the agent's credit grow beyond 256 KiB (the gateway's stream sees a send window
 *   above it); downloads stay within the gateway's fixed window;
 * - the reference agent (yamux 0.10, fixed windows) ↔ our gateway (tuning): our window grows for
 *   downloads, which needs an RTT — yamux 0.10 answers our Ping with SYN.
 *
 * Nothing here asserts a speed; windows are read from the gateway's side of the stream.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startDelayProxy } from '../../../bench/mux/delay-proxy.js';
import { YAMUX_0_10_CONFIG } from '../../../src/tunnel/mux/config.js';
import type { MuxStream } from '../../../src/tunnel/mux/stream.js';
import { startOurAgent } from '../../support/agent-fixture.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';
import { REFERENCE_AGENT, REFERENCE_AGENT_PATH, spawnAgent } from '../../support/reference-agent.js';
import { startTarget, type TargetServer } from '../../unit/agent/support/targets.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const ONE_WAY_MS = 10;
const DATA = randomBytes(12 * MIB);
const DATA_HASH = createHash('sha256').update(DATA).digest('hex');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Uploads land here: the target hashes what it reads until EOF and answers the hex digest. */
async function hashingTarget(): Promise<TargetServer> {
  return startTarget((socket: net.Socket) => {
    const hash = createHash('sha256');
    socket.on('data', (chunk: Buffer) => hash.update(chunk));
    socket.on('end', () => socket.end(hash.digest('hex')));
  });
}

/** Downloads come from here: the target sends DATA and ends. */
async function sourceTarget(): Promise<TargetServer> {
  return startTarget((socket: net.Socket) => {
    socket.on('data', () => undefined);
    socket.end(DATA);
  });
}

/** Reads `stream` to its end while sampling a window; returns the bytes and the largest sample. */
async function drain(stream: MuxStream, sample: () => number): Promise<{ bytes: Buffer; largest: number }> {
  const chunks: Buffer[] = [];
  let largest = sample();
  stream.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    largest = Math.max(largest, sample());
  });
  await once(stream, 'end');
  return { bytes: Buffer.concat(chunks), largest };
}

async function gatewayWithAgent(options: {
  readonly fixedWindows: boolean;
  readonly reference: boolean;
}): Promise<{ fixture: GatewayFixture; agentId: string }> {
  const fixture = await startGatewayFixture(options.fixedWindows ? { mux: YAMUX_0_10_CONFIG } : {});
  cleanups.push(() => fixture.close());
  const proxy = await startDelayProxy(fixture.port, ONE_WAY_MS);
  cleanups.push(() => {
    proxy.close();
    return Promise.resolve();
  });
  const keys = fixture.addAgent();
  const config = { allowedAddresses: ['127.0.0.0/8'], port: proxy.port };
  const agent = options.reference
    ? await spawnAgent(REFERENCE_AGENT, fixture.agentConfigToml(keys, config))
    : await startOurAgent(fixture, keys, config);
  cleanups.push(() => agent.stop());
  await fixture.gateway.waitForAgent(keys.agentId);
  return { fixture, agentId: keys.agentId };
}

describe('window auto-tuning across a 20 ms round trip', () => {
  it("our agent ↔ a gateway with fixed 256 KiB windows: uploads intact with the agent's window grown, downloads intact within 256 KiB", async () => {
    const { fixture, agentId } = await gatewayWithAgent({ fixedWindows: true, reference: false });
    const sink = await hashingTarget();
    cleanups.push(() => sink.close());
    const up = await fixture.gateway.openStream(agentId, `127.0.0.1:${sink.port}`, { halfClose: true });
    let largestCredit = up.sendWindow;
    const sampler = setInterval(() => {
      largestCredit = Math.max(largestCredit, up.sendWindow);
    }, 1);
    const answer = drain(up, () => up.sendWindow);
    for (let offset = 0; offset < DATA.length; offset += 64 * KIB) {
      if (!up.write(DATA.subarray(offset, offset + 64 * KIB))) await once(up, 'drain');
      largestCredit = Math.max(largestCredit, up.sendWindow);
    }
    up.end();
    const { bytes } = await answer;
    clearInterval(sampler);
    expect(bytes.toString()).toBe(DATA_HASH);
    expect(largestCredit).toBeGreaterThan(256 * KIB);

    const source = await sourceTarget();
    cleanups.push(() => source.close());
    const down = await fixture.gateway.openStream(agentId, `127.0.0.1:${source.port}`);
    const received = await drain(down, () => down.receiveWindow);
    expect(createHash('sha256').update(received.bytes).digest('hex')).toBe(DATA_HASH);
    expect(received.largest).toBe(256 * KIB);
  }, 120_000);

  it.skipIf(!existsSync(REFERENCE_AGENT_PATH))(
    'the reference agent ↔ our gateway: downloads intact with our window grown (yamux 0.10 answers the RTT probe)',
    async () => {
      const { fixture, agentId } = await gatewayWithAgent({ fixedWindows: false, reference: true });
      const source = await sourceTarget();
      cleanups.push(() => source.close());
      const down = await fixture.gateway.openStream(agentId, `127.0.0.1:${source.port}`);
      const received = await drain(down, () => down.receiveWindow);
      expect(createHash('sha256').update(received.bytes).digest('hex')).toBe(DATA_HASH);
      expect(received.largest).toBeGreaterThan(256 * KIB);
    },
    120_000,
  );
});

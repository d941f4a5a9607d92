/**
 * Nothing a peer sends crashes the gateway: random bytes instead of yamux, random frame bodies
 * on the control stream before and after the handshake. Each bad connection ends on its own;
 * a well-behaved agent on the same gateway keeps being served throughout.
 */
import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { ScriptedAgent } from './support/scripted-agent.js';

let fixture: GatewayFixture;
let keys: KeyPair;
/** Authenticated fuzz connections use their own agent: each would replace the steady one's connection. */
let fuzzKeys: KeyPair;
let good: ScriptedAgent;

beforeAll(async () => {
  fixture = await startGatewayFixture({ pingIntervalMs: 0, handshakeTimeoutMs: 2_000, terminateLingerMs: 100 });
  keys = fixture.addAgent('steady');
  fuzzKeys = fixture.addAgent('fuzz');
  good = await ScriptedAgent.connect(fixture);
  await good.handshake(keys);
});

afterAll(async () => {
  await good.close();
  await fixture.close();
});

async function stillServed(): Promise<void> {
  const id = await good.send({ type: 'Ping' });
  expect((await good.expect('Pong')).data.re).toBe(id);
}

describe('bad input from peers', () => {
  it('random bytes instead of yamux close that connection only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
        const socket = tlsConnect({
          host: '127.0.0.1',
          port: fixture.port,
          servername: fixture.host,
          ca: fixture.ca.certPem,
        });
        socket.on('error', () => undefined);
        await once(socket, 'secureConnect');
        socket.end(bytes);
        socket.resume();
        await once(socket, 'close');
      }),
      { numRuns: 25 },
    );
    await stillServed();
  });

  it('random control frames, before or after authenticating, end at worst in a closed connection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.boolean(), async (body, authenticated) => {
        const agent = await ScriptedAgent.connect(fixture);
        try {
          if (authenticated) await agent.handshake(fuzzKeys);
          await agent.sendFrame(body);
          // Either the gateway ignores it (a Ping still gets its Pong) or it ends the connection.
          const ping = await agent.send({ type: 'Ping' }).catch(() => null);
          if (ping !== null) {
            const answer = await Promise.race([
              agent.expect('Pong', 5_000).then((pong) => pong.data.re),
              agent.closed.then(() => 'closed' as const),
            ]);
            expect([ping, 'closed']).toContain(answer);
          }
        } catch (error) {
          // The scripted agent may see a Terminate, a closed control stream or a reset: all fine.
          expect(error).toBeInstanceOf(Error);
        } finally {
          await agent.close();
        }
      }),
      { numRuns: 40 },
    );
    await stillServed();
    // The steady agent is still the current one.
    expect(fixture.gateway.agents().find((agent) => agent.id === keys.agentId)?.online).toBe(true);
  });
});

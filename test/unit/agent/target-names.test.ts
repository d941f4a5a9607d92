/**
 * The engine in process (our gateway over real TLS and yamux, an injected resolver that records
 * every call): what reaches the resolver for the names a gateway sends (issue 13), the names in
 * the stream table and log records, and the cap on `Server::Test` connects in flight.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemResolver, type ResolvedAddress, type Resolver } from '../../../src/tunnel/agent/lookup.js';
import { MAX_TESTS_IN_FLIGHT } from '../../../src/tunnel/agent/test-limit.js';
import { parseAgentConfig } from '../../../src/tunnel/config/agent-config.js';
import { LOG_TEXT_LIMIT, NAME_TEXT_LIMIT } from '../../../src/tunnel/log/loggable-text.js';
import { type GatewayFixture, quietGatewayFixture } from '../../support/gateway-fixture.js';
import { startAgent } from './support/agent-harness.js';
import { echoTarget, type TargetServer } from './support/targets.js';
import { until } from './support/wait.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface RecordingResolver {
  readonly resolver: Resolver;
  readonly calls: string[];
}

/** The gateway's own name (GATEWAY_HOST) goes to the system resolver; target names are `targets`. */
function withGateway(targets: Resolver): Resolver {
  return (host) => (host === 'localhost' ? systemResolver(host) : targets(host));
}

/** Resolves every target name to 127.0.0.1 and records what it was asked. */
function recordingResolver(): RecordingResolver {
  const calls: string[] = [];
  return {
    calls,
    resolver: withGateway((host) => {
      calls.push(host);
      return Promise.resolve<ResolvedAddress[]>([{ address: '127.0.0.1', family: 4 }]);
    }),
  };
}

async function echo(): Promise<TargetServer> {
  const server = await echoTarget();
  cleanups.push(() => server.close());
  return server;
}

async function agentWith(
  allowed: readonly string[],
  resolver: Resolver,
): Promise<{ fixture: GatewayFixture; agentId: string; h: ReturnType<typeof startAgent> }> {
  const fixture = await quietGatewayFixture(cleanups, { testTimeoutMs: 30_000 });
  const keys = fixture.addAgent();
  const config = parseAgentConfig(fixture.agentConfigToml(keys, { allowedAddresses: allowed }), {
    file: null,
    env: {},
  });
  const h = startAgent(config, { resolver }, cleanups);
  await fixture.gateway.waitForAgent(keys.agentId);
  return { fixture, agentId: keys.agentId, h };
}

describe('names a gateway sends: what reaches the resolver', () => {
  it('only host names, A–Z folded; everything else is CouldNotConnect without a lookup, on Test and data streams', async () => {
    const target = await echo();
    const recorded = recordingResolver();
    const { fixture, agentId } = await agentWith(['*.corp.example', '*.'], recorded.resolver);
    const refused = [
      '127.0.0.1\u0000.corp.example',
      '169.254.169.254\u0000.corp.example',
      'db\n.corp.example',
      'db .corp.example',
      'db%25.corp.example',
      'db/x.corp.example',
      'ＤＢ.corp.example',
      'd\u00adb.corp.example',
      '１２７.０.０.１',
      '127.1',
      '0x7f000001',
      '2130706433',
      '::1',
      'x'.repeat(300),
    ];
    for (const name of refused) {
      const address = { kind: 'name', name, port: target.port } as const;
      expect(await fixture.gateway.test(agentId, address), JSON.stringify(name)).toEqual({
        ok: false,
        code: 'CouldNotConnect',
      });
      await expect(fixture.gateway.openStream(agentId, address), JSON.stringify(name)).rejects.toMatchObject({
        errorCode: 'CouldNotConnect',
      });
    }
    expect(recorded.calls).toEqual([]);
    expect(target.connections).toHaveLength(0);

    const address = { kind: 'name', name: 'DB.Corp.Example', port: target.port } as const;
    expect(await fixture.gateway.test(agentId, address)).toEqual({ ok: true });
    const stream = await fixture.gateway.openStream(agentId, address);
    stream.destroy();
    expect(recorded.calls).toEqual(['db.corp.example', 'db.corp.example']);
  });

  it('the stream table (the UI’s Streams view) and every log record show a hostile name escaped and bounded', async () => {
    const recorded = recordingResolver();
    const { fixture, agentId, h } = await agentWith(['*.corp.example'], recorded.resolver);
    // 400,000 bytes: within one frame (512 KiB), far beyond any bound a log line should have.
    const forged = `db\n${new Date(0).toISOString()}  INFO cluvio_agent::agent: forged\u001b[2K${'y'.repeat(400_000)}.corp.example`;
    await expect(fixture.gateway.openStream(agentId, { kind: 'name', name: forged, port: 5432 })).rejects.toMatchObject(
      {
        errorCode: 'CouldNotConnect',
      },
    );
    expect(await fixture.gateway.test(agentId, { kind: 'name', name: forged, port: 5432 })).toEqual({
      ok: false,
      code: 'CouldNotConnect',
    });
    await until(() => h.agent.streams().some((s) => s.phase === 'closed'), 'the refused stream is listed');
    const [listed] = h.agent.streams();
    expect(listed?.target).toMatch(
      /^db\\n1970-01-01T00:00:00\.000Z {2}INFO cluvio_agent::agent: forged\\u\{1b\}\[2Ky+…\[\d+ bytes\]:5432$/,
    );
    expect(listed?.target).toContain(`…[${Buffer.byteLength(forged)} bytes]`);
    expect(listed?.target.length).toBeLessThanOrEqual(NAME_TEXT_LIMIT + ':5432'.length);
    const mentions = h.logs.filter(
      (r) => r.message.includes('forged') || Object.values(r.fields).some((v) => String(v).includes('forged')),
    );
    expect(mentions.length).toBeGreaterThanOrEqual(2);
    for (const record of h.logs) {
      for (const text of [record.message, ...Object.values(record.fields).map(String)]) {
        expect(Array.from(text).filter((c) => c < ' ' || c === '\u007f')).toEqual([]);
        expect(text.length).toBeLessThanOrEqual(LOG_TEXT_LIMIT);
      }
    }
    expect(recorded.calls).toEqual([]);
  });
});

describe('Server::Test: at most MAX_TESTS_IN_FLIGHT connect at once', () => {
  it(`of 200 Tests whose lookups hang, ${MAX_TESTS_IN_FLIGHT} are looked up; the rest are answered CouldNotConnect at once; all are answered`, async () => {
    const waiting: (() => void)[] = [];
    const calls: string[] = [];
    const hanging: Resolver = withGateway((host) => {
      calls.push(host);
      return new Promise((resolve) => {
        waiting.push(() => {
          resolve([]);
        });
      });
    });
    const { fixture, agentId, h } = await agentWith(['*.corp.example'], hanging);
    const answers = Array.from({ length: 200 }, (_, i) =>
      fixture.gateway.test(agentId, { kind: 'name', name: `db${i}.corp.example`, port: 5432 }),
    );
    const early = answers.slice(MAX_TESTS_IN_FLIGHT);
    expect(await Promise.all(early)).toEqual(early.map(() => ({ ok: false, code: 'CouldNotConnect' })));
    expect(calls).toHaveLength(MAX_TESTS_IN_FLIGHT);
    const warnings = h.logs.filter((r) => r.message.includes('tests are connecting already'));
    expect(warnings).toHaveLength(1);

    for (const release of waiting.splice(0)) release();
    expect(await Promise.all(answers.slice(0, MAX_TESTS_IN_FLIGHT))).toEqual(
      answers.slice(0, MAX_TESTS_IN_FLIGHT).map(() => ({ ok: false, code: 'CouldNotConnect' })),
    );
    expect(
      await h.logged(
        `${200 - MAX_TESTS_IN_FLIGHT} tests were answered CouldNotConnect while ${MAX_TESTS_IN_FLIGHT} were connecting`,
      ),
    ).toMatchObject({ level: 'warn' });

    // The slots are free again: the next Test is looked up.
    const next = fixture.gateway.test(agentId, { kind: 'name', name: 'again.corp.example', port: 5432 });
    await until(() => calls.length === MAX_TESTS_IN_FLIGHT + 1, 'the next Test to be looked up');
    for (const release of waiting.splice(0)) release();
    expect(await next).toEqual({ ok: false, code: 'CouldNotConnect' });
  });
});

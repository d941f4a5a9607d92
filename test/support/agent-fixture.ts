/**
 * Our agent for end-to-end tests: the real CLI process (`node dist/src/cli/agent.js -c <config>`)
 * connected to a gateway fixture, cleaned up after the test. Scenarios written with it read the
 * same as the reference agent's (test/support/reference-agent.ts), whose process API it shares.
 *
 *     const agent = await startOurAgent(fixture, keys, { allowedAddresses: ['127.0.0.0/8'] }, cleanups);
 *     await fixture.gateway.waitForAgent(keys.agentId);
 */
import type { KeyPair } from '../../src/tunnel/auth/index.js';
import type { AgentConfigOptions, GatewayFixture } from './gateway-fixture.js';
import { type AgentProcess, OUR_AGENT_CLI, type SpawnAgentOptions, spawnAgent } from './reference-agent.js';

export type Cleanups = (() => Promise<unknown>)[];

/** Spawns our CLI with `configToml`; it is stopped (SIGTERM) and its config removed by `cleanups`. */
export async function spawnOurAgent(
  configToml: string,
  options: SpawnAgentOptions = {},
  cleanups?: Cleanups,
): Promise<AgentProcess> {
  const agent = await spawnAgent(OUR_AGENT_CLI, configToml, options);
  cleanups?.push(() => agent.stop());
  return agent;
}

/** Spawns our CLI configured for `fixture` with `keys`. */
export function startOurAgent(
  fixture: GatewayFixture,
  keys: KeyPair,
  config: AgentConfigOptions = {},
  cleanups?: Cleanups,
  options: SpawnAgentOptions = {},
): Promise<AgentProcess> {
  return spawnOurAgent(fixture.agentConfigToml(keys, config), options, cleanups);
}

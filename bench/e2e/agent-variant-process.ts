/**
 * Our agent engine with mux settings other than its defaults, as a process of its own, for the
 * measurements that decide those defaults (the wide-area section: auto-tuning off, as before).
 * Everything else is as the CLI runs it: the same config file, `Agent`, signals.
 *
 *   node dist/bench/e2e/agent-variant-process.js <config.toml> '<Partial<MuxConfig> as JSON>'
 */
import { Agent } from '../../src/tunnel/agent/agent.js';
import { readConfigFile } from '../../src/tunnel/config/load-config.js';
import type { MuxConfig } from '../../src/tunnel/mux/config.js';
import { tuneHeapForRelaying } from '../../src/tunnel/mux/index.js';

// As the CLI runs (started with RELAY_NODE_FLAGS).
tuneHeapForRelaying();

const [configPath, muxJson] = process.argv.slice(2);
if (configPath === undefined) throw new Error('usage: agent-variant-process.js <config.toml> [mux JSON]');
const mux = JSON.parse(muxJson ?? '{}') as Partial<MuxConfig>;
const config = await readConfigFile(configPath, process.env);
const agent = new Agent({ config, mux });
agent.on('state', (state) => {
  if (state.phase === 'online') console.log('online');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void agent.stop();
  });
}
agent.start();
await agent.done;

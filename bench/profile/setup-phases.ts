/**
 * Where a stream setup's time goes: direct TCP and the tunnel (our gateway's route → our agent,
 * the CLI) side by side, each setup split into its phases (medians over `--setups`):
 *
 * - connect: TCP connect to the listener (the target's, or the gateway route's);
 * - answer: the echo command and one byte written, until the byte is back (through the tunnel:
 *   open stream + `Connect` → agent dials the target → `Ok` → the byte there and back);
 * - close: `end()` until the far side has closed too.
 *
 *   node dist/bench/profile/setup-phases.js [--setups 3000] [--rounds 3] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` writes V8 profiles of the agent and the gateway (summarize.js reads them).
 */
import { once } from 'node:events';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { killAllChildren } from '../e2e/children.js';
import { median } from '../e2e/stats.js';
import { startRoutedTunnel } from '../e2e/tunnel-rig.js';
import { ANSWER_BYTE, TargetMode, encodeCommand } from '../e2e/target-protocol.js';

interface Phases {
  readonly connect: number;
  readonly answer: number;
  readonly close: number;
}

async function setupOnce(port: number, message: Buffer): Promise<Phases> {
  const t0 = performance.now();
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  const t1 = performance.now();
  const answered = once(socket, 'data');
  socket.write(message);
  await answered;
  const t2 = performance.now();
  const closed = once(socket, 'close');
  socket.end();
  socket.resume();
  await closed;
  return { connect: t1 - t0, answer: t2 - t1, close: performance.now() - t2 };
}

async function phases(port: number, setups: number): Promise<string> {
  const message = Buffer.concat([encodeCommand(TargetMode.Echo), Buffer.from([ANSWER_BYTE])]);
  const all: Phases[] = [];
  const start = performance.now();
  for (let i = 0; i < setups; i += 1) all.push(await setupOnce(port, message));
  const perSecond = setups / ((performance.now() - start) / 1000);
  const ms = (key: keyof Phases): string => median(all.map((p) => p[key])).toFixed(3);
  return `connect ${ms('connect')} ms, answer ${ms('answer')} ms, close ${ms('close')} ms; ${perSecond.toFixed(0)} setups/s`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      setups: { type: 'string', default: '3000' },
      rounds: { type: 'string', default: '3' },
      'cpu-prof': { type: 'string' },
    },
  });
  const setups = Number(values.setups);
  const rounds = Number(values.rounds);
  if (!(Number.isInteger(setups) && setups > 0 && Number.isInteger(rounds) && rounds > 0))
    throw new Error('--setups and --rounds must be positive integers');
  const profile = values['cpu-prof'];
  const flags = profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`];
  const tunnel = await startRoutedTunnel('setup-phases', {
    gatewayFlags: flags,
    ...(profile === undefined ? {} : { agent: { cpuProfileDir: profile } }),
  });
  try {
    for (let round = 1; round <= rounds; round += 1) {
      console.log(`round ${round}: direct  ${await phases(tunnel.targetPort, setups)}`);
      console.log(`round ${round}: tunnel  ${await phases(tunnel.route, setups)}`);
    }
  } finally {
    await tunnel.stop();
  }
}

main().catch((error: unknown) => {
  killAllChildren();
  console.error(error);
  process.exitCode = 1;
});

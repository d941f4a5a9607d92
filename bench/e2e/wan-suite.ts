/**
 * The wide-area section: one stream between an agent and a gateway whose connection runs through
 * a delay line adding `rttMs` of round trip (delay-line-process.ts; `tc netem` needs the
 * sch_netem kernel module, which machines like this one lack). Rows:
 *
 * - our agent ↔ our gateway, both with their defaults (the target: ≥ 4× window/RTT each way);
 * - our agent with auto-tuning off (what it did before) ↔ our gateway;
 * - our agent ↔ a gateway that keeps yamux 0.10's fixed 256 KiB window (stays correct, the
 *   fixed side caps its own receiving direction);
 * - the reference agent ↔ our gateway (yamux 0.10 answers our RTT probe, so our gateway's
 *   window grows for its downloads; its own receive window stays fixed);
 * - direct TCP through the same delay line: what the line itself allows.
 *
 * Directions as elsewhere: down = target → agent → gateway → client (database results).
 */
import { YAMUX_0_10_CONFIG } from '../../src/tunnel/mux/config.js';
import { forkNode } from './children.js';
import type { DelayLineInit } from './delay-line-process.js';
import type { SuiteContext } from './path-suite.js';
import {
  type AgentKind,
  type GatewayRig,
  newAgentIdentity,
  referenceAgentAvailable,
  startAgent,
  startGatewayRig,
} from './tunnel-rig.js';

const MIB = 1024 * 1024;

export interface WanRow {
  readonly key: string;
  readonly label: string;
  readonly port: number;
  readonly upMiB: number;
  readonly downMiB: number;
}

async function delayLine(targetPort: number, oneWayMs: number): Promise<{ port: number; stop(): Promise<void> }> {
  const child = await forkNode<{ port: number }>(new URL('./delay-line-process.js', import.meta.url), {
    targetPort,
    oneWayMs,
  } satisfies DelayLineInit);
  return { port: child.ready.port, stop: () => child.stop() };
}

export const WAN_LABELS: Readonly<Record<string, string>> = {
  'wan-line': 'direct TCP through the delay line (its own ceiling)',
  'wan-ours': 'our agent ↔ our gateway (defaults)',
  'wan-ours-fixed': 'our agent, auto-tuning off (previous default) ↔ our gateway',
  'wan-fixed-gateway': 'our agent ↔ gateway with fixed 256 KiB windows (yamux 0.10)',
  'wan-reference': 'reference agent ↔ our gateway',
};

export async function runWanSuite(context: SuiteContext, targetPort: number): Promise<void> {
  const { options, load, results, log } = context;
  const oneWay = options.rttMs / 2;
  const big = options.wanMiB;
  const capped = options.wanCappedMiB;
  const stops: (() => Promise<void>)[] = [];
  try {
    const ours = newAgentIdentity('wan-ours');
    const oursFixed = newAgentIdentity('wan-ours-fixed');
    const reference = newAgentIdentity('wan-reference');
    const withFixedGateway = newAgentIdentity('wan-fixed-gateway');
    const tuned = await startGatewayRig([ours, oursFixed, reference]);
    stops.push(() => tuned.stop());
    const fixed = await startGatewayRig([withFixedGateway], YAMUX_0_10_CONFIG);
    stops.push(() => fixed.stop());
    const tunedLine = await delayLine(tuned.port, oneWay);
    stops.push(() => tunedLine.stop());
    const fixedLine = await delayLine(fixed.port, oneWay);
    stops.push(() => fixedLine.stop());
    const targetLine = await delayLine(targetPort, oneWay);
    stops.push(() => targetLine.stop());

    const rows: WanRow[] = [
      { key: 'wan-line', label: WAN_LABELS['wan-line'] ?? '', port: targetLine.port, upMiB: big, downMiB: big },
    ];
    const addAgentRow = async (
      key: string,
      kind: AgentKind,
      identity: typeof ours,
      gateway: GatewayRig,
      linePort: number,
      sizes: { up: number; down: number },
    ): Promise<void> => {
      const agent = await startAgent(kind, {
        identity,
        port: linePort,
        caPem: gateway.caPem,
        ...(options.cpuProfileDir === undefined ? {} : { cpuProfileDir: options.cpuProfileDir }),
      });
      stops.push(() => agent.stop());
      const port = await gateway.route(identity.id, `127.0.0.1:${targetPort}`);
      rows.push({ key, label: WAN_LABELS[key] ?? key, port, upMiB: sizes.up, downMiB: sizes.down });
    };
    await addAgentRow('wan-ours', { kind: 'ours' }, ours, tuned, tunedLine.port, { up: big, down: big });
    await addAgentRow(
      'wan-ours-fixed',
      { kind: 'variant', mux: { autoTuneWindow: false } },
      oursFixed,
      tuned,
      tunedLine.port,
      { up: capped, down: big },
    );
    await addAgentRow('wan-fixed-gateway', { kind: 'ours' }, withFixedGateway, fixed, fixedLine.port, {
      up: big,
      down: capped,
    });
    if (referenceAgentAvailable())
      await addAgentRow('wan-reference', { kind: 'reference' }, reference, tuned, tunedLine.port, {
        up: capped,
        down: big,
      });
    else log('  wide-area: the reference agent is not available, its row is skipped');

    for (let round = 1; round <= options.rounds; round += 1) {
      log(`wide-area round ${round}/${options.rounds} (${options.rttMs} ms RTT)`);
      for (const row of rows) {
        try {
          const down = await load.run('bulkDown', { port: row.port, bytes: row.downMiB * MIB });
          results.add({
            section: 'wan',
            round,
            path: row.key,
            metric: 'wanDown',
            value: down.mibPerSecond,
            unit: 'MiB/s',
            detail: { mib: row.downMiB },
          });
          const up = await load.run('bulkUp', { port: row.port, bytes: row.upMiB * MIB });
          results.add({
            section: 'wan',
            round,
            path: row.key,
            metric: 'wanUp',
            value: up.mibPerSecond,
            unit: 'MiB/s',
            detail: { mib: row.upMiB },
          });
        } catch (error) {
          log(`  wide-area ${row.label} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/**
 * `npm run demo`: PostgreSQL → agent → gateway → route, all on this machine (see
 * demo-session.ts), a real query through the tunnel, then the `psql` command to try it by hand.
 * Runs until Ctrl-C (or SIGTERM), then shuts everything down and exits 0. `--verbose` shows the
 * gateway's and the agent's info logs.
 */
import { LogHub, createStreamSink, shouldUseAnsi, LogTargetFilter } from '../tunnel/log/index.js';
import { tuneHeapForRelaying } from '../tunnel/mux/index.js';
import { formatTable } from './gateway-format.js';
import { DEMO_FORBIDDEN_TARGET, DEMO_QUERY, startDemo } from './demo-session.js';

// The demo relays through a gateway and an agent in this one process (heap-tuning.ts says why).
tuneHeapForRelaying();
const verbose = process.argv.includes('--verbose') || process.argv.includes('-v');
const log = new LogHub();
log.subscribe(
  createStreamSink(process.stdout, { json: false, ansi: shouldUseAnsi(process.stdout, process.env) }),
  // Quiet by default; the agent's `address not allowed` error for the demo's deliberate refusal is
  // shown as a result line instead.
  LogTargetFilter.parse(
    verbose
      ? 'cluvio_agent=info,cluvio_gateway=info'
      : 'cluvio_agent=warn,cluvio_agent::stream=off,cluvio_gateway=warn',
  ),
);
const say = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};

say('Cluvio agent demo: an embedded PostgreSQL, a gateway and an agent, all on this machine.');
say('Starting…');
let session: Awaited<ReturnType<typeof startDemo>>;
try {
  session = await startDemo(log);
} catch (error) {
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

say();
say(`  PostgreSQL (PGlite)    ${session.database.host}:${session.database.port}`);
say(`  gateway (TLS 1.3)      localhost:${session.gateway.port}  (certificate from a fresh private CA)`);
say(`  agent                  ${session.agentId}`);
say(
  `                         allowed-addresses = [${session.allowedAddresses.map((entry) => `"${entry}"`).join(', ')}]`,
);
say(
  `  route                  127.0.0.1:${session.route.port} → agent → ${session.database.host}:${session.database.port}`,
);
say();
say(`The agent was accepted by the gateway (connection #${session.connectionId}).`);
say(`Query through the tunnel: ${DEMO_QUERY}`);
say();
process.stdout.write(
  formatTable(
    ['id', 'name', 'revenue'],
    session.rows.map((row) => [String(row.id), row.name, String(row.revenue)]),
  ),
);
say();
say(
  `Test ${DEMO_FORBIDDEN_TARGET} through the agent: ${session.forbidden.ok ? 'reachable' : `refused (${session.forbidden.code}): not in the agent's allowlist`}`,
);
say();
say('Reach the database through the gateway yourself:');
say(`  ${session.psqlCommand}`);
say();
say('Press Ctrl-C to stop.');

const signal = await new Promise<NodeJS.Signals>((resolve) => {
  process.once('SIGINT', () => {
    resolve('SIGINT');
  });
  process.once('SIGTERM', () => {
    resolve('SIGTERM');
  });
});
say();
say(`${signal}: stopping the agent, the gateway and PostgreSQL…`);
await session.stop();
say('Stopped.');
process.exitCode = 0;

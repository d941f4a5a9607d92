/**
 * `diagnose`: "why does my agent not connect?", step by step, each with a clear verdict and a fix.
 *
 *   1. the configuration: which file, found by which search rule, valid;
 *   2. the server's name resolves (or the proxy's, when one is used: the proxy resolves the gateway);
 *   3. TCP reaches the gateway (or the proxy);
 *   4. through a proxy: it opens a CONNECT tunnel to the gateway;
 *   5. the TLS 1.3 handshake succeeds and the certificate verifies (subject, issuer, expiry, anchor);
 *   6. the gateway accepts the agent's key (Hello → Challenge → Accepted or Terminate);
 *   7. every concrete allowed address is reachable by TCP from this machine.
 *
 * Every step runs the engine's own code (config loader, resolver, dialer, TLS connector, a real
 * `Agent` for the handshake, the target connector), so diagnose tests exactly what the agent
 * does. A step whose prerequisite failed is skipped and says so. The CLI, the app and the
 * dashboard all call `runDiagnose`; they differ only in where the configuration comes from and
 * in whether their own engine is already online (then step 6 reads that instead of connecting).
 */
import type { ConfigProblem } from '../../shared/agent-state.js';
import type { DiagnoseReport, DiagnoseStep, DiagnoseStepKind } from '../../shared/diagnose-report.js';
import type { AgentConfig } from '../config/index.js';
import { LogHub, loggableText } from '../log/index.js';
import { systemClock, type Clock } from './clock.js';
import { describeError } from './connect-error.js';
import { openProxyTunnel, reachByTcp, resolveName, type ProbeContext, type StepBody } from './diagnose-network.js';
import { probeHandshake } from './diagnose-handshake.js';
import { checkTargets } from './diagnose-targets.js';
import { checkTls } from './diagnose-tls.js';
import { systemResolver, type ResolvedAddress, type Resolver } from './lookup.js';
import { proxyApplies, type ProxySettings } from './proxy-config.js';

export type DiagnoseConfig =
  | { readonly ok: true; readonly config: AgentConfig; readonly file: string; readonly rule: string }
  | { readonly ok: false; readonly problem: ConfigProblem; readonly searched: readonly string[] };

/**
 * Step 6: `probe` connects a separate agent; `live` reports the caller's own engine, online since
 * `since` (nothing connects, so nothing is displaced); `skip` leaves the step out.
 */
export type HandshakeMode =
  | { readonly kind: 'probe' }
  | { readonly kind: 'skip' }
  | { readonly kind: 'live'; readonly since: number; readonly remoteAddress: string };

export interface DiagnoseOptions {
  readonly config: DiagnoseConfig;
  readonly proxy: ProxySettings | null;
  /** A proxy setting that could not be used (e.g. a malformed HTTPS_PROXY), reported as a failure. */
  readonly proxyProblem?: string | null;
  readonly handshake: HandshakeMode;
  /** `host:port` targets to check besides the allowlist's concrete entries. */
  readonly targets?: readonly string[];
  /** `host:port` of recent streams (their ports are tried for their hosts). */
  readonly knownTargets?: readonly string[];
  readonly version: string;
  /** Where the handshake probe's agent logs (the CLI keeps these records for the support bundle). */
  readonly log?: LogHub;
  readonly resolver?: Resolver;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  /** Each step as soon as it is known (the CLI prints as it goes). */
  readonly onStep?: (step: DiagnoseStep) => void;
}

const TITLES: Readonly<Record<Exclude<DiagnoseStepKind, 'target'>, string>> = {
  config: 'Configuration',
  resolve: 'Server name resolves',
  tcp: 'TCP connection',
  proxy: 'Proxy tunnel (CONNECT)',
  tls: 'TLS 1.3 and certificate',
  handshake: "Gateway accepts the agent's key",
};

export const LIVE_AGENT_NOTE =
  "The key check connects like the agent does. The gateway keeps only an agent's newest connection, so an agent already running with this configuration (on this or another machine) loses its connection to the check and reconnects once; run diagnose with --skip-handshake to avoid that.";

function configStep(config: DiagnoseConfig, proxy: ProxySettings | null): StepBody {
  if (!config.ok) {
    const { problem } = config;
    const where = problem.file === null ? '' : `${problem.file}${problem.key === null ? '' : ` (${problem.key})`}: `;
    return {
      status: 'fail',
      summary: `${where}${problem.message}`,
      details: config.searched.map((file) => `looked for ${file}`),
      fix:
        config.searched.length > 0
          ? 'Put the cluvio-agent.toml downloaded from Cluvio in one of these places, or give its path with --config.'
          : 'Correct the key named above (the message says what is expected), or download the configuration from Cluvio again.',
    };
  }
  const { config: agent, file, rule } = config;
  const details = [
    `agent ID: ${agent.agentId}`,
    `server: ${agent.server.host}:${agent.server.port}${agent.server.trust.length > 0 ? `, ${agent.server.trust.length} extra trust certificate(s)` : ''}`,
    `allowed-addresses: ${agent.allowlist.texts().join(', ')}`,
    `connect-timeout: ${agent.connectTimeoutMs / 1000} s, ping-frequency: ${agent.pingFrequencyMs / 1000} s`,
    ...agent.envOverrides.map((override) => `[server] ${override.key} set by ${override.variable}`),
  ];
  if (proxy !== null) {
    details.push(
      proxyApplies(proxy, agent.server.host)
        ? `proxy: ${proxy.display} (from ${proxy.source})`
        : `proxy: ${proxy.display} (from ${proxy.source}) not used for ${agent.server.host}: no_proxy`,
    );
  }
  return { status: 'pass', summary: `${file} (found by: ${rule})`, details, fix: null };
}

function skipped(because: string): StepBody {
  return { status: 'skip', summary: `not checked: ${because}`, details: [], fix: null };
}

export async function runDiagnose(options: DiagnoseOptions): Promise<DiagnoseReport> {
  const startedAt = Date.now();
  const steps: DiagnoseStep[] = [];
  const notes: string[] = [];
  const signal = options.signal ?? new AbortController().signal;
  const clock = options.clock ?? systemClock;
  const resolver = options.resolver ?? systemResolver;

  const record = (kind: DiagnoseStepKind, title: string, body: StepBody, started: number): StepBody => {
    // Printable and bounded here, once for every sink (terminal, JSON, the app's view, the bundle):
    // steps quote what others chose — an impostor's certificate subject, a proxy's reason phrase.
    const step: DiagnoseStep = {
      kind,
      title: loggableText(title),
      status: body.status,
      summary: loggableText(body.summary),
      details: body.details.map((detail) => loggableText(detail)),
      fix: body.fix === null ? null : loggableText(body.fix),
      millis: Math.round(performance.now() - started),
    };
    steps.push(step);
    options.onStep?.(step);
    return body;
  };
  const run = async (
    kind: Exclude<DiagnoseStepKind, 'target'>,
    body: () => Promise<StepBody> | StepBody,
  ): Promise<StepBody> => {
    const started = performance.now();
    let result: StepBody;
    try {
      result = await body();
    } catch (error) {
      result = {
        status: 'fail',
        summary: `unexpected error: ${describeError(error)}`,
        details: [],
        fix: 'Please report this with a support bundle (diagnose --bundle).',
      };
    }
    return record(kind, TITLES[kind], result, started);
  };

  const configured = await run('config', () => configStep(options.config, options.proxy));
  if (options.proxyProblem !== undefined && options.proxyProblem !== null) {
    const problem = options.proxyProblem;
    await run('proxy', () => ({
      status: 'fail',
      summary: problem,
      details: [],
      fix: 'Correct the proxy URL: http://[user:password@]host:port (only http:// proxies are supported).',
    }));
  }
  if (!options.config.ok || configured.status === 'fail') return finish();
  const { config } = options.config;
  const { server } = config;
  const proxy = options.proxy !== null && proxyApplies(options.proxy, server.host) ? options.proxy : null;
  const context: ProbeContext = { resolver, clock, connectTimeoutMs: config.connectTimeoutMs, signal };

  // 2–5: the path to the gateway; each step only if the one before passed.
  let addresses: readonly ResolvedAddress[] = [];
  let blocked: string | null = null;
  const resolveTarget = proxy === null ? server.host : proxy.host;
  await run('resolve', async () => {
    const resolved = await resolveName(resolveTarget, context);
    addresses = resolved.addresses;
    if (resolved.body.status === 'fail')
      blocked = proxy === null ? 'the server name does not resolve' : "the proxy's name does not resolve";
    const note =
      proxy === null
        ? []
        : [`through the proxy ${proxy.display}: this is the proxy's name; the proxy resolves ${server.host}`];
    return { ...resolved.body, details: [...note, ...resolved.body.details] };
  });
  await run('tcp', async () => {
    if (blocked !== null) return skipped(blocked);
    const body = await reachByTcp(
      addresses,
      proxy === null ? server.port : proxy.port,
      resolveTarget,
      proxy === null ? 'gateway' : 'proxy',
      context,
    );
    if (body.status === 'fail')
      blocked = proxy === null ? 'TCP does not reach the gateway' : 'TCP does not reach the proxy';
    return body;
  });
  if (proxy !== null) {
    await run('proxy', async () => {
      if (blocked !== null) return skipped(blocked);
      const body = await openProxyTunnel(proxy, addresses, server, context);
      if (body.status === 'fail') blocked = 'the proxy opens no tunnel';
      return body;
    });
  }
  await run('tls', async () => {
    if (blocked !== null) return skipped(blocked);
    const body = await checkTls(server, proxy, addresses, context);
    if (body.status === 'fail') blocked = 'the TLS handshake fails';
    return body;
  });

  // 6: the key.
  const mode = options.handshake;
  if (mode.kind === 'live') {
    await run('handshake', () => ({
      status: 'pass',
      summary: `the running agent is online: the gateway accepted agent ${config.agentId}`,
      details: [
        `online since ${new Date(mode.since).toISOString()} via ${mode.remoteAddress}; no extra connection was made`,
      ],
      fix: null,
    }));
  } else if (mode.kind === 'skip') {
    await run('handshake', () => skipped('--skip-handshake (an agent running with this configuration is left alone)'));
  } else {
    await run('handshake', async () => {
      if (blocked !== null) return skipped(blocked);
      notes.push(LIVE_AGENT_NOTE);
      return probeHandshake({
        config,
        proxy: options.proxy,
        version: options.version,
        log: options.log ?? new LogHub(),
        signal,
        resolver,
        clock,
      });
    });
  }

  // 7: the databases.
  const started = performance.now();
  const checks = await checkTargets({
    allowlist: config.allowlist,
    explicit: options.targets ?? [],
    known: options.knownTargets ?? [],
    connectTimeoutMs: config.connectTimeoutMs,
    clock,
    resolver,
    signal,
  });
  for (const check of checks) record('target', check.title, check.body, started);
  return finish();

  function finish(): DiagnoseReport {
    return {
      startedAt,
      finishedAt: Date.now(),
      version: options.version,
      ok: steps.every((step) => step.status !== 'fail'),
      steps,
      notes,
    };
  }
}

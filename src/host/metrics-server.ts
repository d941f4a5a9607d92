/**
 * The opt-in health and metrics listener (`--metrics-address`, the app's settings), on loopback
 * only, for probes and a Prometheus scraper on the same machine (or behind an SSH tunnel):
 *
 *   GET /healthz   200 `ok`: the process is up and serving
 *   GET /readyz    200 `ready` while the gateway has accepted the agent; 503 with the state otherwise
 *   GET /metrics   the Prometheus text format 0.0.4 (prometheus-metrics.ts)
 *
 * No token (scrapers do not send one), so nothing served here is secret; the Host header must
 * still name a loopback host, so a web page cannot read it through DNS rebinding. Each request is
 * answered from the engine's counters at that moment: no work happens between scrapes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { boundLoopbackConnections, LOOPBACK_SERVER_OPTIONS } from './loopback-http-limits.js';
import type { Socket } from 'node:net';
import type { AgentSnapshot } from '../shared/agent-state.js';
import { stateLabel } from '../shared/agent-status.js';
import type { EngineMetrics } from '../tunnel/agent/index.js';
import { isLoopbackHost, isLoopbackHostHeader } from '../tunnel/net/index.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheusMetrics } from './prometheus-metrics.js';

/** What is scraped: the engine itself (CLI) or the host in front of it (app, dashboard). */
export interface MetricsSource {
  snapshot(): AgentSnapshot;
  /** Null while there is no engine (no configuration yet). */
  metrics(): EngineMetrics | null;
}

export interface MetricsServerOptions {
  readonly source: MetricsSource;
  /** A loopback address: 127.x.y.z, ::1 or `localhost`. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export interface MetricsServer {
  /** `http://127.0.0.1:<port>` (no trailing slash): append `/metrics`, `/healthz`, `/readyz`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(head ? undefined : body);
}

function handle(source: MetricsSource, req: IncomingMessage, res: ServerResponse): void {
  const text = 'text/plain; charset=utf-8';
  if (!isLoopbackHostHeader((req.headers.host ?? '').toLowerCase())) {
    reply(res, 421, text, 'wrong Host header\n', false);
    return;
  }
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    reply(res, 405, text, 'only GET\n', false);
    return;
  }
  const { pathname } = new URL(req.url ?? '/', 'http://metrics.invalid');
  switch (pathname) {
    case '/healthz':
      reply(res, 200, text, 'ok\n', head);
      return;
    case '/readyz': {
      const { state } = source.snapshot();
      if (state.phase === 'online') reply(res, 200, text, 'ready\n', head);
      else reply(res, 503, text, `not ready: ${stateLabel(state)} (${state.phase})\n`, head);
      return;
    }
    case '/metrics':
      reply(res, 200, PROMETHEUS_CONTENT_TYPE, renderPrometheusMetrics(source.snapshot(), source.metrics()), head);
      return;
    default:
      reply(res, 404, text, 'not found: try /metrics, /healthz or /readyz\n', false);
  }
}

/** Listens on `host:port`; rejects for a non-loopback host or when the port is taken. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  if (!isLoopbackHost(options.host))
    throw new Error(`the metrics endpoint listens on loopback only; ${options.host} is not a loopback address`);
  const bindHost = options.host === 'localhost' ? '127.0.0.1' : options.host;
  const sockets = new Set<Socket>();
  const server = createServer(LOOPBACK_SERVER_OPTIONS, (req, res) => {
    try {
      handle(options.source, req, res);
    } catch (error) {
      reply(
        res,
        500,
        'text/plain; charset=utf-8',
        `${error instanceof Error ? error.message : String(error)}\n`,
        false,
      );
    }
  });
  boundLoopbackConnections(server);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the metrics endpoint has no port');
  const shownHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/**
 * `cluvio-agent --dashboard`: the same UI as the desktop app, served on loopback so a headless
 * server (or a test's real browser) can use it. Every URL starts with a random token, the Host
 * header must name this server (no DNS rebinding) and cross-origin requests are refused, so only
 * whoever was handed the URL can read state or import a configuration.
 *
 *   GET  /<token>/…                 the built renderer (CSP as in the app)
 *   POST /<token>/api/call/<name>   JSON { arg } → CallReply
 *   GET  /<token>/api/events/<topic> Server-Sent Events, one `event: <topic>` per payload
 *   GET  /<token>/api/support-bundle/<file name>  a bundle this process saved, as a download
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { AgentApi } from '../shared/agent-api.js';
import { isAgentCallName, isAgentTopic } from '../shared/agent-api-protocol.js';
import { dispatchAgentCall, subscribeAgentTopic } from '../shared/agent-api-dispatch.js';
import { MAX_CONFIG_TEXT_LENGTH } from '../shared/agent-api-arguments.js';
import { boundLoopbackConnections, LOOPBACK_SERVER_OPTIONS } from './loopback-http-limits.js';
import { defaultRendererDir, readRendererFile, RENDERER_CSP } from './renderer-files.js';
import { isLoopbackHost, isLoopbackHostHeader } from '../tunnel/net/index.js';

export interface DashboardOptions {
  readonly api: AgentApi;
  /** A loopback address: 127.0.0.1 (default), another 127.x address, ::1 or `localhost`. */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** The built renderer; default: this package's dist/renderer. */
  readonly rendererDir?: string;
  /** The URL's secret; default: 32 random bytes, base64url. */
  readonly token?: string;
  /**
   * A support bundle saved by this process, by file name, for `GET api/support-bundle/<name>`
   * (the page downloads what "Save support bundle" wrote); absent: no downloads.
   */
  readonly supportBundle?: (fileName: string) => Promise<Buffer | null>;
}

export interface Dashboard {
  /** `http://127.0.0.1:<port>/<token>/`: open it in a browser. */
  readonly url: string;
  close(): Promise<void>;
}

/** JSON bodies: an import of the largest accepted file, escaped, fits. */
const MAX_BODY_BYTES = 4 * MAX_CONFIG_TEXT_LENGTH;
/** A client this far behind on a subscription is dropped (it reconnects and starts fresh). */
const MAX_BUFFERED_EVENT_BYTES = 16 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;
/** The names support bundles are saved under (diagnose-bundle.ts); nothing else is served as one. */
const BUNDLE_NAME = /^cluvio-agent-support-[0-9A-Za-z-]+\.tar\.gz$/;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': RENDERER_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** A complete response; the event stream, which stays open, writes to the socket itself. */
interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

const STREAMING = Symbol('streaming');

function refuse(status: number, message: string): Reply {
  return { status, contentType: 'text/plain; charset=utf-8', body: `${message}\n` };
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    ...SECURITY_HEADERS,
    ...reply.headers,
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}

function tokensEqual(given: string, expected: Buffer): boolean {
  const buffer = Buffer.from(given);
  return buffer.length === expected.length && timingSafeEqual(buffer, expected);
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host))
    throw new Error(`the dashboard listens on loopback only; ${host} is not a loopback address`);
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (!/^[A-Za-z0-9_-]{16,}$/.test(token))
    throw new Error('the dashboard token must be at least 16 URL-safe characters');
  const expectedToken = Buffer.from(token);
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const { api } = options;

  const sockets = new Set<Socket>();
  const closeEventStreams = new Set<() => void>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Reply | typeof STREAMING> {
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends Host: evil.example.
    // Any port is fine: behind `ssh -L 8080:127.0.0.1:<port>` the browser names the local one.
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!isLoopbackHostHeader(hostHeader)) return refuse(421, 'wrong Host header');
    const origin = req.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== `http://${hostHeader}`)
      return refuse(403, 'cross-origin request refused');
    const fetchSite = req.headers['sec-fetch-site'];
    if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none')
      return refuse(403, 'cross-site request refused');

    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const [, first = '', ...rest] = url.pathname.split('/');
    if (!tokensEqual(first, expectedToken))
      return refuse(403, 'missing or wrong token: open the URL the agent printed');
    if (rest.length === 0)
      return { status: 308, contentType: 'text/plain; charset=utf-8', body: '', headers: { location: `/${token}/` } };
    const route = rest.join('/');

    if (route.startsWith('api/call/')) {
      const name = route.slice('api/call/'.length);
      if (req.method !== 'POST') return refuse(405, 'calls are POST requests');
      if (!isAgentCallName(name)) return refuse(404, 'no such call');
      if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json'))
        return refuse(415, 'expected application/json');
      const body = await readBody(req);
      if (body === null) return refuse(413, 'request body too large');
      let arg: unknown;
      try {
        const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          return refuse(400, 'expected a JSON object { "arg": … }');
        arg = (parsed as { arg?: unknown }).arg;
      } catch {
        return refuse(400, 'malformed JSON');
      }
      const reply = await dispatchAgentCall(api, name, arg);
      return { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(reply) };
    }

    if (route.startsWith('api/events/')) {
      const topic = route.slice('api/events/'.length);
      if (req.method !== 'GET') return refuse(405, 'subscriptions are GET requests');
      if (!isAgentTopic(topic)) return refuse(404, 'no such topic');
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        connection: 'keep-alive',
      });
      res.write('retry: 2000\n\n');
      const end = (): void => {
        unsubscribe();
        clearInterval(heartbeat);
        closeEventStreams.delete(end);
        res.end();
      };
      const unsubscribe = subscribeAgentTopic(api, topic, (payload) => {
        if (res.writableLength > MAX_BUFFERED_EVENT_BYTES) {
          res.destroy();
          return;
        }
        res.write(`event: ${topic}\ndata: ${JSON.stringify(payload)}\n\n`);
      });
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      closeEventStreams.add(end);
      res.on('close', end);
      return STREAMING;
    }

    if (route.startsWith('api/support-bundle/')) {
      if (req.method !== 'GET') return refuse(405, 'downloads are GET requests');
      const name = route.slice('api/support-bundle/'.length);
      const body = BUNDLE_NAME.test(name) ? await options.supportBundle?.(name) : null;
      if (body === null || body === undefined) return refuse(404, 'no such support bundle: save one in Diagnose first');
      return {
        status: 200,
        contentType: 'application/gzip',
        body,
        headers: { 'content-disposition': `attachment; filename="${name}"` },
      };
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405, 'method not allowed');
    const file = await readRendererFile(rendererDir, route);
    if (file === null) {
      if (route === '' || route === 'index.html')
        return refuse(503, `the UI is not built (${rendererDir} has no index.html): run npm run build`);
      return refuse(404, 'not found');
    }
    return { status: 200, contentType: file.contentType, body: req.method === 'HEAD' ? '' : file.body };
  }

  const server: Server = createServer(LOOPBACK_SERVER_OPTIONS, (req, res) => {
    handle(req, res)
      .then((reply) => {
        if (reply !== STREAMING) send(res, reply);
      })
      .catch((error: unknown) => {
        if (!res.headersSent) send(res, refuse(500, 'internal error'));
        else res.destroy();
        process.emitWarning(`dashboard: ${error instanceof Error ? error.message : String(error)}`);
      });
  });
  boundLoopbackConnections(server);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the dashboard server has no TCP address');
  const hostInUrl = isIP(bindHost) === 6 ? `[${bindHost}]` : bindHost;
  const port = address.port;

  return {
    url: `http://${hostInUrl}:${port}/${token}/`,
    close: async () => {
      for (const end of [...closeEventStreams]) end();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

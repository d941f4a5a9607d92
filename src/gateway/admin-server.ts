/**
 * The operator's admin API: a small JSON-over-HTTP API on loopback only, behind a random bearer
 * token (the `cluvio-gateway` operator subcommands are its client). Requests:
 *
 *     GET    /v1/agents                       → AgentInfo[]
 *     GET    /v1/connections                  → connections, also unauthenticated ones
 *     GET    /v1/streams                      → GatewayStreamInfo[]
 *     GET    /v1/routes                       → RouteInfo[]
 *     POST   /v1/routes       {agent, target, listen?, halfClose?}   → RouteInfo
 *     DELETE /v1/routes/<id>
 *     POST   /v1/agents/<agent>/test       {target}  → {ok} | {ok: false, code}
 *     POST   /v1/agents/<agent>/switch               → {previousConnectionId, currentConnectionId}
 *     POST   /v1/agents/<agent>/status     {status}  → AgentInfo
 *     POST   /v1/agents/<agent>/terminate  {reason}  → {connections}
 *
 * `<agent>` is an agent id or a unique registry name. Errors are `{error: {code, message}}`
 * with a fitting status. The Host header must name a loopback host, so that a web page cannot
 * reach the API through DNS rebinding even if it guessed the token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REASONS, type Reason } from '../tunnel/codec/index.js';
import type { Logger } from '../tunnel/log/index.js';
import type { AgentRegistryStatus } from './agent-registry.js';
import { GatewayError, type GatewayErrorCode } from './errors.js';
import type { Gateway } from './gateway.js';
import { parseListenAddress } from './gateway-config.js';
import { isLoopbackHost, isLoopbackHostHeader } from '../tunnel/net/index.js';
import type { ListenAddress } from './route.js';

export interface AdminServerOptions {
  readonly gateway: Gateway;
  /** Must be a loopback address. Default 127.0.0.1, any free port. */
  readonly listen?: ListenAddress;
  /** The bearer token; default: 32 random bytes, hex. */
  readonly token?: string;
  readonly log: Logger;
  /** Called after an operator changed an agent's status (to persist the registry). */
  readonly onRegistryChanged?: () => Promise<void>;
}

export interface AdminServer {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

const STATUS_OF: Readonly<Record<GatewayErrorCode, number>> = {
  UNKNOWN_AGENT: 404,
  AGENT_NOT_CONNECTED: 409,
  STREAM_OPEN_FAILED: 502,
  CONNECTION_LOST: 502,
  TIMEOUT: 504,
  INVALID_REQUEST: 400,
  GATEWAY_CLOSED: 503,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const host = options.listen?.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new RangeError(`the admin API listens on loopback only, not ${host}`);
  const token = options.token ?? randomBytes(32).toString('hex');
  const expected = Buffer.from(`Bearer ${token}`);
  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      options.log.error('admin request failed', { error: error instanceof Error ? error.message : String(error) });
      if (!response.headersSent) send(response, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (!isLoopbackHostHeader(request.headers.host ?? ''))
        throw new HttpError(403, 'FORBIDDEN', 'the admin API answers loopback host names only');
      const authorization = Buffer.from(request.headers.authorization ?? '');
      if (authorization.length !== expected.length || !timingSafeEqual(authorization, expected)) {
        throw new HttpError(401, 'UNAUTHORIZED', 'missing or wrong bearer token');
      }
      const body = await readJson(request);
      const result = await route(request.method ?? 'GET', new URL(request.url ?? '/', 'http://admin').pathname, body);
      send(response, 200, result);
    } catch (error) {
      if (error instanceof HttpError) {
        send(response, error.status, { error: { code: error.code, message: error.message } });
      } else if (error instanceof GatewayError) {
        send(response, STATUS_OF[error.code], { error: { code: error.code, message: error.message } });
      } else {
        throw error;
      }
    }
  }

  async function route(method: string, pathname: string, body: Record<string, unknown>): Promise<unknown> {
    const { gateway } = options;
    const parts = pathname
      .split('/')
      .filter((part) => part !== '')
      .map(decodeURIComponent);
    const [version, collection, id, action] = parts;
    if (version !== 'v1' || collection === undefined)
      throw new HttpError(404, 'NOT_FOUND', `no such resource: ${pathname}`);
    const key = `${method} ${collection}${id === undefined ? '' : '/:id'}${action === undefined ? '' : `/${action}`}`;
    switch (key) {
      case 'GET agents':
        return gateway.agents();
      case 'GET connections':
        return gateway.connections();
      case 'GET streams':
        return gateway.streams();
      case 'GET routes':
        return gateway.routes();
      case 'POST routes': {
        const listenText = optionalString(body, 'listen');
        const listen = listenText === undefined ? undefined : parseListenAddress(listenText);
        if (typeof listen === 'string') throw new HttpError(400, 'INVALID_REQUEST', `listen: ${listen}`);
        const route = await gateway.openRoute({
          agentId: requiredString(body, 'agent'),
          target: requiredString(body, 'target'),
          halfClose: optionalBoolean(body, 'halfClose') ?? false,
          ...(listen === undefined ? {} : { listen }),
        });
        options.log.info('route added by the operator', { route: route.id, port: route.port });
        return route.info();
      }
      case 'DELETE routes/:id': {
        const routeId = Number(id);
        if (!Number.isInteger(routeId) || !(await gateway.closeRoute(routeId)))
          throw new HttpError(404, 'NOT_FOUND', `no route ${id ?? ''}`);
        return { closed: routeId };
      }
      case 'POST agents/:id/test':
        return gateway.test(id ?? '', requiredString(body, 'target'));
      case 'POST agents/:id/switch':
        return gateway.switchConnection(id ?? '');
      case 'POST agents/:id/status': {
        const status = requiredString(body, 'status');
        if (status !== 'enabled' && status !== 'disabled')
          throw new HttpError(400, 'INVALID_REQUEST', 'status must be "enabled" or "disabled"');
        gateway.setStatus(id ?? '', status satisfies AgentRegistryStatus);
        await options.onRegistryChanged?.();
        options.log.info('agent status changed by the operator', { agent: id ?? '', status });
        return gateway.agents().find((agent) => agent.id === id || agent.name === id);
      }
      case 'POST agents/:id/terminate': {
        const reason = parseReason(requiredString(body, 'reason'));
        if (reason === null) throw new HttpError(400, 'INVALID_REQUEST', `reason must be one of ${REASONS.join(', ')}`);
        return { connections: gateway.terminate(id ?? '', reason) };
      }
      default:
        throw new HttpError(404, 'NOT_FOUND', `no such request: ${method} ${pathname}`);
    }
  }

  const listenPort = options.listen?.port ?? 0;
  server.listen(listenPort, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]: unknown[]) => {
      throw error instanceof Error ? error : new Error(String(error));
    }),
  ]);
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  options.log.info('admin API listening', { url });
  return {
    url,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** `Unauthorized`, `unauthorized`, `unsupported-version`, `UNSUPPORTED_VERSION` … → Reason. */
export function parseReason(text: string): Reason | null {
  const wanted = text.replace(/[-_\s]/g, '').toLowerCase();
  return REASONS.find((reason) => reason.toLowerCase() === wanted) ?? null;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, 'TOO_LARGE', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'INVALID_REQUEST', 'the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'INVALID_REQUEST', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

function requiredString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '')
    throw new HttpError(400, 'INVALID_REQUEST', `"${key}" must be a non-empty string`);
  return value;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  return body[key] === undefined ? undefined : requiredString(body, key);
}

function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new HttpError(400, 'INVALID_REQUEST', `"${key}" must be true or false`);
  return value;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body ?? null, null, 2)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

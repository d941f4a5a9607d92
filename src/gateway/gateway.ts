/**
 * The reference gateway: the server side of the Cluvio agent protocol (PROTOCOL.md §9), as a
 * programmatic API that the CLI, the demo, the tests and the benchmarks share.
 *
 *     const gateway = await Gateway.start({ tls: { certPem, keyPem }, agents: registry });
 *     await gateway.waitForAgent(agentId, { timeoutMs: 30_000 });
 *     const route = await gateway.openRoute({ agentId, target: '127.0.0.1:5432' });
 *
 * One live connection per agent: a newly accepted connection becomes the agent's current one
 * and the previous one drains (no new streams; closed once its streams are done). That is what
 * SwitchToNewConnection needs (two connections at once, the old one still serving its streams)
 * and what lets an agent back in after a network loss before the gateway has noticed that the
 * old connection is dead. docs/gateway.md says more.
 */
import { EventEmitter, once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { type Server as TlsServer, type TLSSocket, createServer as createTlsServer } from 'node:tls';
import {
  type Address,
  type ErrorCode,
  type MessageId,
  type Reason,
  type Version,
  formatAddress,
  formatMessageId,
  parseAddress,
  reasonText,
} from '../tunnel/codec/index.js';
import { LogHub, type Logger } from '../tunnel/log/index.js';
import type { MuxConfig, MuxStream } from '../tunnel/mux/index.js';
import {
  AgentConnection,
  DEFAULT_PRE_AUTH_LIMITS,
  type PreAuthLimits,
  type ConnectionHost,
  type ConnectionInfo,
  type RejectionReason,
  type GatewayStreamInfo,
} from './agent-connection.js';
import type { AgentRegistry, AgentRegistryStatus, RegistryChange } from './agent-registry.js';
import { GatewayError } from './errors.js';
import { type GatewayFaults, NO_FAULTS } from './faults.js';
import { PeerLog, UnauthenticatedLogBudget } from './peer-log.js';
import { type ListenAddress, Route, type RouteInfo } from './route.js';

export interface GatewayTlsOptions {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface GatewayOptions {
  /** Where agents connect. Default `127.0.0.1`, port 0 (any free port). */
  readonly listen?: ListenAddress;
  readonly tls: GatewayTlsOptions;
  readonly agents: AgentRegistry;
  /** Records go to `cluvio_gateway::…` modules; without a hub nothing is logged. */
  readonly log?: LogHub;
  /** yamux settings for every agent connection (default: the mux defaults). */
  readonly mux?: Partial<MuxConfig>;
  /** Server::Ping interval for accepted connections; 0 = never ping. Default 30 s. */
  readonly pingIntervalMs?: number;
  /** How long a Server::Ping may wait for its Pong before the connection is closed. Default 30 s. */
  readonly pongTimeoutMs?: number;
  /** TLS handshake and Hello → Accepted must finish within this. Default 30 s. */
  readonly handshakeTimeoutMs?: number;
  /** What a connection may cost before its agent authenticates (time to Hello, frames, bytes). */
  readonly preAuth?: Partial<PreAuthLimits>;
  /** Wait for the agent's reply to a Connect. Default 60 s (the agent's connect-timeout is 30 s). */
  readonly streamReplyTimeoutMs?: number;
  /** Wait for a Test result. Default 60 s. */
  readonly testTimeoutMs?: number;
  /** Wait for SwitchingConnection and the new connection's Accepted. Default 120 s. */
  readonly switchTimeoutMs?: number;
  /** After Terminate, how long the agent may take to hang up before the gateway closes. Default 5 s. */
  readonly terminateLingerMs?: number;
  /** Which Hello versions are served; default `isServedVersion` (1.x from 1.1.0 on). */
  readonly acceptVersion?: (version: Version) => boolean;
  /** Test-only misbehaviours; see faults.ts. */
  readonly faults?: GatewayFaults;
}

/** An agent as the operator sees it. */
export interface AgentInfo {
  readonly id: string;
  readonly name: string;
  /** Registry status; `unregistered` for a connection whose agent left the registry. */
  readonly status: AgentRegistryStatus | 'unregistered';
  /** True while the agent has a connection that takes new streams. */
  readonly online: boolean;
  /** The connection that takes new streams, if any. */
  readonly currentConnectionId: number | null;
  readonly connections: readonly ConnectionInfo[];
}

export interface AcceptedEvent {
  readonly agentId: string;
  readonly name: string;
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly agentVersion: string | null;
  /** The connection this one replaced (now draining), if any. */
  readonly replacedConnectionId: number | null;
}

export interface RejectedEvent {
  /** The id the Hello claimed (unauthenticated), or null if no Hello came. */
  readonly agentId: string | null;
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly reason: RejectionReason;
  readonly detail: string;
}

export interface ConnectionClosedEvent {
  readonly agentId: string | null;
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly error: string | null;
}

export interface GatewayEvents {
  'agent-accepted': [event: AcceptedEvent];
  'agent-rejected': [event: RejectedEvent];
  'connection-closed': [event: ConnectionClosedEvent];
}

export type TestResult = { readonly ok: true } | { readonly ok: false; readonly code: ErrorCode };

export interface SwitchResult {
  readonly previousConnectionId: number;
  readonly currentConnectionId: number;
}

export interface OpenStreamOptions {
  /** Ask the agent for half-close copying (default false: full close, as the agent defaults). */
  readonly halfClose?: boolean;
  /** Shown in the streams listing (default `api`). */
  readonly origin?: string;
}

export interface OpenRouteOptions {
  /** The agent's id or registry name. */
  readonly agentId: string;
  readonly target: Address | string;
  readonly halfClose?: boolean;
  /** Default 127.0.0.1, any free port. */
  readonly listen?: ListenAddress;
}

export interface RouteHandle {
  readonly id: number;
  readonly port: number;
  info(): RouteInfo;
  close(): Promise<void>;
}

interface PendingTest {
  readonly agentId: string;
  readonly resolve: (result: TestResult) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface PendingSwitch {
  readonly agentId: string;
  readonly from: AgentConnection;
  readonly requestId: MessageId;
  switching: boolean;
  next: AgentConnection | null;
  readonly resolve: (result: SwitchResult) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly promise: Promise<SwitchResult>;
}

interface AcceptWaiter {
  readonly agentId: string;
  readonly resolve: (connection: ConnectionInfo) => void;
}

const DEFAULTS = {
  pingIntervalMs: 30_000,
  pongTimeoutMs: 30_000,
  handshakeTimeoutMs: 30_000,
  streamReplyTimeoutMs: 60_000,
  testTimeoutMs: 60_000,
  switchTimeoutMs: 120_000,
  terminateLingerMs: 5_000,
} as const;

export class Gateway extends EventEmitter<GatewayEvents> {
  readonly registry: AgentRegistry;
  readonly #server: TlsServer;
  readonly #options: GatewayOptions;
  readonly #log: Logger;
  readonly #logHub: LogHub;
  /** Lines about peers not (yet) authenticated, all connections together (peer-log.ts). */
  readonly #unauthenticatedLog = new UnauthenticatedLogBudget();
  /** TLS handshake failures: nobody authenticated there either. */
  readonly #tlsLog: PeerLog;
  readonly #connections = new Set<AgentConnection>();
  /** Agent id → the connection that takes new streams. */
  readonly #current = new Map<string, AgentConnection>();
  readonly #pendingTests = new Map<MessageId, PendingTest>();
  readonly #pendingSwitches = new Map<string, PendingSwitch>();
  readonly #acceptWaiters = new Set<AcceptWaiter>();
  readonly #routes = new Map<number, Route>();
  readonly #sockets = new Set<Socket>();
  readonly #onRegistryChange = (change: RegistryChange): void => {
    this.#applyRegistryChange(change);
  };
  #nextConnectionId = 1;
  #nextStreamNumber = 1;
  #nextRouteId = 1;
  #closing: Promise<void> | null = null;

  private constructor(options: GatewayOptions) {
    super();
    this.#options = options;
    this.registry = options.agents;
    this.#logHub = options.log ?? new LogHub();
    this.#log = this.#logHub.logger('cluvio_gateway::server');
    this.#tlsLog = new PeerLog(this.#log, this.#unauthenticatedLog, Number.POSITIVE_INFINITY);
    this.#server = createTlsServer(
      {
        cert: options.tls.certPem,
        key: options.tls.keyPem,
        // §1: the agent speaks TLS 1.3 only; so does the gateway.
        minVersion: 'TLSv1.3',
        maxVersion: 'TLSv1.3',
        handshakeTimeout: options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
      },
      (socket) => {
        this.#onSecureConnection(socket);
      },
    );
    // Raw sockets, so that close() need not wait for a TLS handshake that never finishes.
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('tlsClientError', (error, socket) => {
      this.#tlsLog.debug('TLS handshake failed', {
        remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`,
        error: error.message,
      });
    });
    this.#server.on('error', (error: Error) => {
      this.#log.error('listener error', { error: error.message });
    });
    this.registry.on('change', this.#onRegistryChange);
  }

  /** Starts listening; resolves once agents can connect. */
  static async start(options: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(options);
    const server = gateway.#server;
    server.listen(options.listen?.port ?? 0, options.listen?.host ?? '127.0.0.1');
    try {
      await Promise.race([
        once(server, 'listening'),
        once(server, 'error').then(([error]: unknown[]) => {
          throw error instanceof Error ? error : new Error(String(error));
        }),
      ]);
    } catch (error) {
      gateway.registry.off('change', gateway.#onRegistryChange);
      throw error;
    }
    gateway.#log.info('gateway listening', { listen: `${gateway.host}:${gateway.port}` });
    return gateway;
  }

  /** The port agents connect to. */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get host(): string {
    return (this.#server.address() as AddressInfo).address;
  }

  /** The log hub the gateway writes to (a private one when none was given). */
  get log(): LogHub {
    return this.#logHub;
  }

  /** Registered agents (and connected agents that left the registry), with their connections. */
  agents(): AgentInfo[] {
    const byAgent = new Map<string, AgentConnection[]>();
    for (const connection of this.#connections) {
      const id = connection.agentId;
      if (id === null) continue;
      const list = byAgent.get(id) ?? [];
      list.push(connection);
      byAgent.set(id, list);
    }
    const info = (id: string, name: string, status: AgentInfo['status']): AgentInfo => {
      const current = this.#usableConnection(id);
      return {
        id,
        name,
        status,
        online: current !== null,
        currentConnectionId: current?.id ?? null,
        connections: (byAgent.get(id) ?? []).map((connection) => connection.info()),
      };
    };
    const listed = this.registry.list().map((entry) => info(entry.id, entry.name, entry.status));
    const unregistered = [...byAgent.keys()]
      .filter((id) => this.registry.get(id) === undefined)
      .map((id) => info(id, id.slice(0, 8), 'unregistered'));
    return [...listed, ...unregistered];
  }

  /** Every connection, also those not (yet) authenticated. */
  connections(): (ConnectionInfo & { readonly agentId: string | null })[] {
    return [...this.#connections].map((connection) => ({
      ...connection.info(),
      agentId: connection.agentId ?? connection.claimedAgentId,
    }));
  }

  /** Open data streams across all connections. */
  streams(): GatewayStreamInfo[] {
    return [...this.#connections].flatMap((connection) => connection.streams());
  }

  routes(): RouteInfo[] {
    return [...this.#routes.values()].map((route) => route.info());
  }

  /** Resolves with the agent's connection once it is accepted (at once if it already is). */
  waitForAgent(agent: string, options: { readonly timeoutMs?: number } = {}): Promise<ConnectionInfo> {
    const agentId = this.#resolveAgentId(agent);
    const current = this.#usableConnection(agentId);
    if (current !== null) return Promise.resolve(current.info());
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const waiter: AcceptWaiter = {
        agentId,
        resolve: (connection) => {
          clearTimeout(timer);
          this.#acceptWaiters.delete(waiter);
          resolve(connection);
        },
      };
      const timer = setTimeout(() => {
        this.#acceptWaiters.delete(waiter);
        reject(new GatewayError('TIMEOUT', `agent ${agentId} was not accepted within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#acceptWaiters.add(waiter);
    });
  }

  /**
   * Opens a data stream to `target` through the agent and resolves with it (a Duplex of raw
   * bytes) after the agent's Ok. Rejects with `StreamOpenError` (outcome, agent error code)
   * when the agent refuses, or `GatewayError` when the agent is not connected.
   */
  openStream(agent: string, target: Address | string, options: OpenStreamOptions = {}): Promise<MuxStream> {
    try {
      this.#assertOpen();
      const agentId = this.#resolveAgentId(agent);
      const connection = this.#requireConnection(agentId);
      return connection.openStream({
        target: toAddress(target),
        halfClose: options.halfClose ?? false,
        origin: options.origin ?? 'api',
        replyTimeoutMs: this.#options.streamReplyTimeoutMs ?? DEFAULTS.streamReplyTimeoutMs,
      });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Listens on a local port; every connection to it is relayed through the agent to `target`. */
  async openRoute(options: OpenRouteOptions): Promise<RouteHandle> {
    this.#assertOpen();
    const agentId = this.#resolveAgentId(options.agentId);
    const id = this.#nextRouteId++;
    const route = await Route.start(
      id,
      {
        agent: agentId,
        target: toAddress(options.target),
        halfClose: options.halfClose ?? false,
        ...(options.listen === undefined ? {} : { listen: options.listen }),
      },
      (agent, target, halfClose, origin) => this.openStream(agent, target, { halfClose, origin }),
      this.#logHub.logger('cluvio_gateway::route'),
    );
    this.#routes.set(id, route);
    return {
      id,
      port: route.port,
      info: () => route.info(),
      close: async () => {
        this.#routes.delete(id);
        await route.close();
      },
    };
  }

  /** Closes a route by id; false if there is none. */
  async closeRoute(id: number): Promise<boolean> {
    const route = this.#routes.get(id);
    if (route === undefined) return false;
    this.#routes.delete(id);
    await route.close();
    return true;
  }

  /** Asks the agent to check `target` (allowlist, then a TCP connect) with `Server::Test`. */
  test(agent: string, target: Address | string): Promise<TestResult> {
    try {
      this.#assertOpen();
      const agentId = this.#resolveAgentId(agent);
      const connection = this.#requireConnection(agentId);
      const address = toAddress(target);
      const timeoutMs = this.#options.testTimeoutMs ?? DEFAULTS.testTimeoutMs;
      return new Promise((resolve, reject) => {
        const id = connection.sendTest(address);
        const timer = setTimeout(() => {
          this.#pendingTests.delete(id);
          reject(
            new GatewayError(
              'TIMEOUT',
              `no Test result for ${formatAddress(address)} from agent ${agentId} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        this.#pendingTests.set(id, { agentId, resolve, reject, timer });
      });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Sends SwitchToNewConnection; resolves when the agent's new connection is accepted (its
   * SwitchingConnection answer on the old one may come before or after, docs/reference-notes.md
   * §2.10). The old connection keeps serving its streams and is closed by the gateway when they
   * are done (§9.10).
   */
  switchConnection(agent: string): Promise<SwitchResult> {
    try {
      this.#assertOpen();
      const agentId = this.#resolveAgentId(agent);
      const pending = this.#pendingSwitches.get(agentId);
      if (pending !== undefined) return pending.promise;
      const from = this.#current.get(agentId);
      if (from?.phase !== 'accepted')
        throw new GatewayError('AGENT_NOT_CONNECTED', `agent ${agentId} has no accepted connection to switch from`);
      const timeoutMs = this.#options.switchTimeoutMs ?? DEFAULTS.switchTimeoutMs;
      const settle = deferred<SwitchResult>();
      const switchState: PendingSwitch = {
        agentId,
        from,
        requestId: from.requestSwitch(),
        switching: false,
        next: null,
        resolve: settle.resolve,
        reject: settle.reject,
        promise: settle.promise,
        timer: setTimeout(() => {
          this.#pendingSwitches.delete(agentId);
          const stage = switchState.switching ? 'its new connection was not accepted' : 'no SwitchingConnection came';
          settle.reject(
            new GatewayError('TIMEOUT', `agent ${agentId} did not switch within ${timeoutMs} ms: ${stage}`),
          );
        }, timeoutMs),
      };
      this.#pendingSwitches.set(agentId, switchState);
      this.#log.info('asked the agent to switch connections', { agent: agentId, connection: from.id });
      return settle.promise;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Sends Terminate{reason} on the agent's live connection(s); draining ones are closed. */
  terminate(agent: string, reason: Reason): number {
    this.#assertOpen();
    const agentId = this.#resolveAgentId(agent);
    return this.#terminateAgent(agentId, reason, 'operator request');
  }

  /**
   * Changes the agent's registry status. Disabling terminates its connections with
   * Terminate{Disabled} now (and every later connect gets the same until it is enabled).
   */
  setStatus(agent: string, status: AgentRegistryStatus): void {
    this.#assertOpen();
    const agentId = this.#resolveAgentId(agent);
    // The registry's 'change' event does the rest (#applyRegistryChange).
    this.registry.setStatus(agentId, status);
  }

  /** Stops listening, closes routes and every connection (GoAway), and rejects what is pending. */
  close(): Promise<void> {
    this.#closing ??= this.#closeNow();
    return this.#closing;
  }

  // ---- internals ---------------------------------------------------------------------------

  async #closeNow(): Promise<void> {
    this.#log.info('gateway closing');
    this.registry.off('change', this.#onRegistryChange);
    const closed = new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
    await Promise.all([...this.#routes.values()].map((route) => route.close()));
    this.#routes.clear();
    const error = new GatewayError('GATEWAY_CLOSED', 'the gateway closed');
    for (const pending of this.#pendingTests.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pendingTests.clear();
    for (const pending of this.#pendingSwitches.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pendingSwitches.clear();
    await Promise.all([...this.#connections].map((connection) => connection.close()));
    // Whatever is left never became an agent connection (a TLS handshake in progress).
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    this.#log.info('gateway closed');
  }

  #assertOpen(): void {
    if (this.#closing !== null) throw new GatewayError('GATEWAY_CLOSED', 'the gateway is closed');
  }

  #resolveAgentId(agent: string): string {
    const entry = this.registry.find(agent);
    if (entry !== undefined) return entry.id;
    for (const connection of this.#connections) if (connection.agentId === agent) return agent;
    throw new GatewayError('UNKNOWN_AGENT', `no agent "${agent}" in the registry (give its id or its unique name)`);
  }

  #usableConnection(agentId: string): AgentConnection | null {
    const connection = this.#current.get(agentId);
    return connection?.usable === true ? connection : null;
  }

  #requireConnection(agentId: string): AgentConnection {
    const connection = this.#usableConnection(agentId);
    if (connection === null) throw new GatewayError('AGENT_NOT_CONNECTED', `agent ${agentId} is not connected`);
    return connection;
  }

  #terminateAgent(agentId: string, reason: Reason, detail: string): number {
    let count = 0;
    this.#current.delete(agentId);
    for (const connection of this.#connections) {
      if (connection.claimedAgentId !== agentId) continue;
      count += 1;
      if (connection.phase === 'draining' || connection.phase === 'switching') void connection.close();
      else connection.terminate(reason, detail);
    }
    if (count > 0)
      this.#log.info('agent terminated', { agent: agentId, reason: reasonText(reason), connections: count });
    return count;
  }

  #applyRegistryChange(change: RegistryChange): void {
    for (const { before, after } of change.changes) {
      const id = before?.id ?? after?.id;
      if (id === undefined) continue;
      if (after === null) this.#terminateAgent(id, 'Unauthorized', 'removed from the registry');
      else if (after.status === 'disabled' && before?.status !== 'disabled')
        this.#terminateAgent(id, 'Disabled', 'disabled');
    }
  }

  #onSecureConnection(socket: TLSSocket): void {
    if (this.#closing !== null) {
      socket.destroy();
      return;
    }
    const connection = new AgentConnection({
      id: this.#nextConnectionId++,
      socket,
      host: this.#connectionHost,
      log: new PeerLog(this.#logHub.logger('cluvio_gateway::connection'), this.#unauthenticatedLog),
      preAuth: { ...DEFAULT_PRE_AUTH_LIMITS, ...this.#options.preAuth },
      mux: this.#options.mux ?? {},
      pingIntervalMs: this.#options.pingIntervalMs ?? DEFAULTS.pingIntervalMs,
      pongTimeoutMs: this.#options.pongTimeoutMs ?? DEFAULTS.pongTimeoutMs,
      handshakeTimeoutMs: this.#options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
      terminateLingerMs: this.#options.terminateLingerMs ?? DEFAULTS.terminateLingerMs,
      faults: this.#options.faults ?? NO_FAULTS,
    });
    this.#connections.add(connection);
  }

  readonly #connectionHost: ConnectionHost = {
    acceptVersion: (version) => (this.#options.acceptVersion ?? isServedVersion)(version),
    authorize: (_connection, agentId) => {
      if (this.#closing !== null) return 'Disabled';
      const entry = this.registry.get(agentId);
      if (entry === undefined) return 'Unauthorized';
      return entry.status === 'disabled' ? 'Disabled' : null;
    },
    onAccepted: (connection) => {
      this.#onAccepted(connection);
    },
    onRejected: (connection, reason, detail) => {
      this.emit('agent-rejected', {
        agentId: connection.claimedAgentId,
        connectionId: connection.id,
        remoteAddress: connection.remoteAddress,
        reason,
        detail,
      });
    },
    onTestResult: (connection, re, code) => {
      this.#onTestResult(connection, re, code);
    },
    onSwitching: (connection, re) => {
      this.#onSwitching(connection, re);
    },
    onClosed: (connection, error) => {
      this.#onClosed(connection, error);
    },
    nextStreamNumber: () => this.#nextStreamNumber++,
  };

  #onAccepted(connection: AgentConnection): void {
    const agentId = connection.agentId;
    if (agentId === null) return;
    const previous = this.#current.get(agentId);
    this.#current.set(agentId, connection);
    if (previous !== undefined && previous !== connection) previous.retire();
    const info = connection.info();
    this.emit('agent-accepted', {
      agentId,
      name: this.registry.get(agentId)?.name ?? agentId.slice(0, 8),
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      agentVersion: info.agentVersion,
      replacedConnectionId: previous === undefined || previous === connection ? null : previous.id,
    });
    for (const waiter of [...this.#acceptWaiters]) if (waiter.agentId === agentId) waiter.resolve(info);
    const pending = this.#pendingSwitches.get(agentId);
    if (pending !== undefined && connection !== pending.from) {
      // The new connection's Accepted completes the switch, whether SwitchingConnection came
      // first or not: it may arrive after the new Hello (Nagle on the agent's socket), and the
      // old connection, now draining, may already be closed by then.
      pending.next = connection;
      this.#settleSwitch(pending);
    }
  }

  #onSwitching(connection: AgentConnection, re: MessageId): void {
    const agentId = connection.agentId;
    const pending = agentId === null ? undefined : this.#pendingSwitches.get(agentId);
    if (pending?.from !== connection || pending.requestId !== re) {
      this.#log.warn('unexpected SwitchingConnection', { connection: connection.id, re: formatMessageId(re) });
      return;
    }
    pending.switching = true;
  }

  #settleSwitch(pending: PendingSwitch): void {
    if (pending.next === null) return;
    clearTimeout(pending.timer);
    this.#pendingSwitches.delete(pending.agentId);
    this.#log.info('agent switched connections', {
      agent: pending.agentId,
      from: pending.from.id,
      to: pending.next.id,
      acknowledged: pending.switching,
    });
    pending.resolve({ previousConnectionId: pending.from.id, currentConnectionId: pending.next.id });
  }

  #onTestResult(connection: AgentConnection, re: MessageId, code: ErrorCode | null): void {
    const pending = this.#pendingTests.get(re);
    // The agent sends a result on whatever connection is current when the test ends, so it may
    // arrive on a newer connection than the request; it must come from the same agent.
    if (pending?.agentId !== connection.agentId) {
      this.#log.warn('Test result for no pending test', { connection: connection.id, re: formatMessageId(re) });
      return;
    }
    this.#pendingTests.delete(re);
    clearTimeout(pending.timer);
    pending.resolve(code === null ? { ok: true } : { ok: false, code });
  }

  #onClosed(connection: AgentConnection, error: Error | undefined): void {
    this.#connections.delete(connection);
    const agentId = connection.agentId;
    if (agentId !== null && this.#current.get(agentId) === connection) this.#current.delete(agentId);
    this.emit('connection-closed', {
      agentId: agentId ?? connection.claimedAgentId,
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      error: error?.message ?? null,
    });
    // A pending switch survives the old connection closing (the agent may still come back);
    // pending tests do too (their result may arrive on the next connection) until they time out.
  }
}

/**
 * The default version check: major 1 from 1.1.0 on. Agents before 1.1.0 can only open the legacy
 * crypto_box 0.8 challenge, which this gateway does not produce (docs/reference-notes.md §1.5);
 * telling them UnsupportedVersion is accurate, where a challenge they cannot open would end in
 * a misleading Unauthenticated.
 */
export function isServedVersion(version: Version): boolean {
  return version.major === 1n && version.minor >= 1n;
}

/** An Address, or `host:port` / `[v6]:port` text. */
export function toAddress(target: Address | string): Address {
  if (typeof target !== 'string') return target;
  const parsed = parseAddress(target);
  if (!parsed.ok) throw new GatewayError('INVALID_REQUEST', `target ${parsed.error}`);
  return parsed.address;
}

/** A promise with its settle functions (Promise.withResolvers is not in Node 20). */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The agent: the reference agent's event loop (agent.rs `go`, PROTOCOL.md §7) behind the typed
 * `AgentEngine` surface that the CLI, the Electron main process and the dashboard consume.
 *
 * One loop takes one event at a time from its inbox (control message, new or finished data
 * stream, finished test, connection gone) and waits at most `ping-frequency` for the next one:
 * a quiet period sends `Client::Ping`, a second one without Pong reconnects. Connecting blocks
 * the loop, exactly as in the reference (events wait in the inbox). Data streams and tests run
 * beside the loop and only report back to it.
 *
 *   const agent = new Agent({ config, log });     // log: the LogHub sinks are attached to
 *   agent.on('state', …).on('stream', …).on('log', …);
 *   agent.start();
 *   const final = await agent.done;              // terminated (permanent Terminate) or stopped
 *   await agent.stop();                           // streams closed, GoAway(0), nothing left behind
 */
import { EventEmitter } from 'node:events';
import type { AgentCounters, AgentError, AgentSnapshot, AgentState, StreamInfo } from '../../shared/agent-state.js';
import type { LogRecord } from '../../shared/log-record.js';
import { openChallenge } from '../auth/index.js';
import type { ClientMessage, ErrorCode, Message, MessageId, Reason, ServerMessage } from '../codec/index.js';
import { formatAddress, formatMessageId, parseAddress, reasonText } from '../codec/index.js';
import { toPublicConfig, type AgentConfig } from '../config/index.js';
import { LogHub, LogTargetFilter, rustDebugString, type Logger } from '../log/index.js';
import type { MuxConfig, MuxStream } from '../mux/index.js';
import { isAddressAllowed } from './address-check.js';
import { abortable } from './abortable.js';
import { AbortFanout } from './abort-fanout.js';
import { AgentMetrics, streamFailureCode, type EngineMetrics, type ReconnectCause } from './agent-metrics.js';
import { AGENT_VERSION, AGENT_VERSION_TEXT } from './agent-version.js';
import { AgentStateMachine } from './agent-state-machine.js';
import { DISABLED_RETRY_MS, ReconnectBackoff, formatDelay, type DelayPolicy } from './backoff.js';
import { sleep, systemClock, type Clock } from './clock.js';
import { isCertificateRefusal } from './certificate-refusal.js';
import { describeError, failureCode } from './connect-error.js';
import { CONNECTION_CHECK_TIMEOUT_MS, ConnectionCheck } from './connection-check.js';
import type { ControlRead } from './control-channel.js';
import { serveDataStream } from './data-stream.js';
import type { AgentEngine, AgentEngineEvents, ReconnectNowOutcome, TestAddressResult } from './engine.js';
import { EventQueue } from './event-queue.js';
import { GatewayConnection } from './gateway-connection.js';
import { GatewayTlsConnector } from './gateway-tls.js';
import { systemResolver, type Resolver } from './lookup.js';
import { PingSchedule } from './ping-schedule.js';
import type { ProxySettings } from './proxy-config.js';
import { StreamTable } from './stream-table.js';
import { connectTarget } from './target-connect.js';
import { targetText } from './target-text.js';
import { TestLimit } from './test-limit.js';

export interface AgentOptions {
  readonly config: AgentConfig;
  /** Where the engine's loggers live (`cluvio_agent::agent`, `::stream`, `::tls`); default: a private hub. */
  readonly log?: LogHub;
  readonly clock?: Clock;
  readonly resolver?: Resolver;
  /**
   * Overrides of the gateway session's mux settings. Default: `AGENT_MUX_DEFAULTS` (receive
   * windows auto-tune, as the gateway's do).
   */
  readonly mux?: Partial<MuxConfig>;
  /** The version shown in snapshots (the desktop app's); default the protocol version, 1.3.0. */
  readonly version?: string;
  /** How many closed streams `streams()` keeps. */
  readonly closedStreamTail?: number;
  /** An HTTP CONNECT proxy for the gateway connection (beyond the reference); default none. */
  readonly proxy?: ProxySettings | null;
}

/**
 * The agent's mux defaults: the mux's own (wire-compatible with yamux 0.10; frames cut to fit one
 * TLS record), receive-window auto-tuning included, and room for 12,288 streams.
 *
 * Auto-tuning is what lets one upload stream (client → gateway → agent → target) go beyond
 * 256 KiB per round trip: at 50 ms RTT it lifted one stream from 4 to ~70 MiB/s (bench/README.md).
 * It stays correct against a gateway with fixed windows: our sends never exceed the gateway's
 * credit, and the growth is ours to announce; the RTT probe is a yamux Ping with SYN, which every
 * yamux answers (0.10 included); unanswered, the window stays fixed. Memory stays bounded:
 * 16 MiB per stream, 64 MiB of growth per session.
 *
 * Streams: yamux 0.10 (the reference) allows 8,192; a gateway may hold more open at once with
 * our agent (an idle stream costs it about 7 KiB), and a gateway that stays within 8,192 sees no
 * difference. Beyond the limit the agent still answers GoAway, as 0.10 does.
 */
export const AGENT_MUX_DEFAULTS: Readonly<Partial<MuxConfig>> = Object.freeze({
  autoTuneWindow: true,
  maxStreams: 12_288,
});

type LoopEvent =
  | { readonly kind: 'control'; readonly connection: GatewayConnection; readonly read: ControlRead }
  | { readonly kind: 'connection-closed'; readonly connection: GatewayConnection }
  | { readonly kind: 'test-finished'; readonly re: MessageId; readonly code: ErrorCode | null }
  /** A data stream started or finished: only re-arms the ping timer, as in the reference. */
  | { readonly kind: 'activity' }
  /** `checkConnection()`: ping now, with a short deadline. */
  | { readonly kind: 'check'; readonly reason: string }
  /** A connection check's deadline passed (or its Ping could not be written). */
  | { readonly kind: 'check-expired'; readonly token: number };

/** What handling a control message asks the loop to do next. */
type MessageOutcome =
  | { readonly next: 'continue' }
  | {
      readonly next: 'reconnect';
      readonly policy: DelayPolicy;
      readonly cause: ReconnectCause;
      readonly abrupt?: boolean;
    }
  | { readonly next: 'terminate'; readonly reason: Reason };

/** Thrown through the loop's awaits once `stop()` was called. */
class StopRequested extends Error {
  override readonly name = 'StopRequested';
  constructor() {
    super('the agent is stopping');
  }
}

const CONTINUE: MessageOutcome = { next: 'continue' };

/** Bound of a graceful close on reconnect. */
const GRACEFUL_CLOSE_MS = 5_000;

export class Agent extends EventEmitter<AgentEngineEvents> implements AgentEngine {
  readonly done: Promise<AgentState>;

  readonly #config: AgentConfig;
  readonly #clock: Clock;
  readonly #resolver: Resolver;
  readonly #mux: Partial<MuxConfig>;
  readonly #version: string;
  readonly #hub: LogHub;
  readonly #log: Logger;
  readonly #streamLog: Logger;
  readonly #tlsLog: Logger;
  readonly #tls: GatewayTlsConnector;
  readonly #machine: AgentStateMachine;
  readonly #backoff = new ReconnectBackoff();
  readonly #ping = new PingSchedule();
  readonly #metrics = new AgentMetrics();
  readonly #check: ConnectionCheck;
  /** Server::Test connects in flight, at most MAX_TESTS_IN_FLIGHT. */
  readonly #testLimit = new TestLimit();
  /** Streams whose `open` phase was recorded (a draining mark repeats it). */
  readonly #openedStreams = new Set<string>();
  readonly #inbox = new EventQueue<LoopEvent>((event) => event.kind === 'activity');
  readonly #table: StreamTable;
  readonly #stop = new AbortController();
  /** The stop signal as each data stream and test sees it: one listener on #stop however many run. */
  readonly #taskSignals = new AbortFanout(this.#stop.signal);
  /** Every connection whose session is not over yet (current and draining). */
  readonly #connections = new Set<GatewayConnection>();
  /** Data streams and tests in flight. */
  readonly #tasks = new Set<Promise<unknown>>();

  #current: GatewayConnection | null = null;
  /** The reference's `online`: a control stream exists and its session has not ended. */
  #online = false;
  #nextConnectionId = 1;
  #connectedOnce = false;
  #loop: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;
  #resolveDone: (state: AgentState) => void = () => undefined;
  #unsubscribeLog: (() => void) | null = null;
  /** Aborted by `checkConnection()` to end a wait before the next connection attempt. */
  #wake: AbortController | null = null;

  /**
   * The gateway said Disabled and has not accepted the agent since: a state the operator chose,
   * so it is logged once (warn), and the 5 s retries that follow only at debug level.
   */
  #disabled = false;
  #reconnects = 0;
  #connectedSince: number | null = null;
  #lastError: AgentError | null = null;
  #pingRttMs: number | null = null;

  /** Throws when a `[server] trust` certificate cannot be used (the reference: `agent: tls error: …`). */
  constructor(options: AgentOptions) {
    super();
    this.#config = options.config;
    this.#clock = options.clock ?? systemClock;
    this.#resolver = options.resolver ?? systemResolver;
    this.#mux = { ...AGENT_MUX_DEFAULTS, ...options.mux };
    this.#version = options.version ?? AGENT_VERSION_TEXT;
    this.#hub = options.log ?? new LogHub();
    const root = this.#hub.logger('cluvio_agent');
    this.#log = root.child('agent');
    this.#streamLog = root.child('stream');
    this.#tlsLog = root.child('tls');
    this.#check = new ConnectionCheck(
      this.#clock,
      Math.min(CONNECTION_CHECK_TIMEOUT_MS, this.#config.connectTimeoutMs),
    );
    this.#tls = new GatewayTlsConnector({
      proxy: options.proxy ?? null,
      server: this.#config.server,
      connectTimeoutMs: this.#config.connectTimeoutMs,
      clock: this.#clock,
      resolver: this.#resolver,
      onAddressFailed: (address, error) => {
        this.#tlsLog.debug(`failed to connect to ${address} (${this.#config.server.host}): ${describeError(error)}`);
        if (isCertificateRefusal(error)) this.emit('certificate-refused', { address, message: describeError(error) });
      },
    });
    this.#table = new StreamTable({
      clock: this.#clock,
      closedTail: options.closedStreamTail,
      onChange: (info) => {
        this.#recordStream(info);
        this.emit('stream', info);
      },
    });
    this.#machine = new AgentStateMachine(
      (state) => {
        this.emit('state', state);
      },
      (from, to) => {
        this.#log.error('internal error: refused state transition', { from: from.phase, to: to.phase });
      },
    );
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    // 'log' listeners get every record; nothing is built for them while there are none. (The
    // typed emitter does not list EventEmitter's own events, hence the plain view of it.)
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event === 'log' && this.#unsubscribeLog === null) {
        this.#unsubscribeLog = this.#hub.subscribe((record: LogRecord) => {
          this.emit('log', record);
        }, LogTargetFilter.allAt('trace'));
      }
    });
    (this as EventEmitter).on('removeListener', (event: string | symbol) => {
      if (event === 'log' && this.listenerCount('log') === 0) this.#detachLog();
    });
  }

  // ---- AgentEngine ------------------------------------------------------------------------

  start(): void {
    if (this.#loop !== null || this.#machine.final) return;
    this.#loop = this.#run();
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#shutDown();
    return this.#stopping;
  }

  snapshot(): AgentSnapshot {
    return {
      version: this.#version,
      config: toPublicConfig(this.#config),
      state: this.#machine.state,
      counters: this.counters(),
    };
  }

  streams(): StreamInfo[] {
    return this.#table.list();
  }

  async testAddress(target: string): Promise<TestAddressResult> {
    const parsed = parseAddress(target);
    if (!parsed.ok) return { ok: false, code: 'CouldNotConnect', message: parsed.error };
    const address = parsed.address;
    if (!isAddressAllowed(address, this.#config.allowlist)) {
      return { ok: false, code: 'AddressNotAllowed', message: `${targetText(address)} is not in allowed-addresses` };
    }
    if (this.#stop.signal.aborted) return { ok: false, code: 'CouldNotConnect', message: 'the agent is stopped' };
    const started = performance.now();
    const task = this.#taskSignals.child();
    const attempt = connectTarget(address, this.#targetOptions(targetText(address), task.signal));
    this.#track(attempt, task.release);
    try {
      const { socket, resolved } = await attempt;
      socket.destroy();
      return { ok: true, resolved, millis: Math.round(performance.now() - started) };
    } catch (error) {
      return { ok: false, code: 'CouldNotConnect', message: describeError(error) };
    }
  }

  checkConnection(reason: string): void {
    if (!this.#running()) return;
    if (this.#endWait(reason)) return;
    const phase = this.#machine.state.phase;
    if (phase === 'online' || phase === 'authenticating') this.#inbox.push({ kind: 'check', reason });
    // Connecting: the attempt in flight answers the question (bounded by connect-timeout).
  }

  reconnectNow(reason: string): ReconnectNowOutcome {
    if (!this.#running()) return 'not-running';
    if (this.#endWait(reason)) return 'connecting';
    return this.#machine.state.phase === 'online' ? 'online' : 'already-connecting';
  }

  metrics(): EngineMetrics {
    return this.#metrics.snapshot([...this.#connections].map((connection) => connection.session.stats()));
  }

  counters(): AgentCounters {
    const totals = this.#table.totals();
    return {
      reconnects: this.#reconnects,
      connectedSince: this.#connectedSince,
      lastError: this.#lastError,
      streamsOpen: totals.open,
      streamsTotal: totals.total,
      streamsFailed: totals.failed,
      bytesToTarget: totals.bytesToTarget,
      bytesFromTarget: totals.bytesFromTarget,
      pingRttMs: this.#pingRttMs,
    };
  }

  #running(): boolean {
    return this.#loop !== null && !this.#machine.final && !this.#stop.signal.aborted;
  }

  /** Ends a wait before the next connection attempt (backoff or Disabled), if there is one. */
  #endWait(reason: string): boolean {
    if (this.#wake === null) return false;
    this.#log.info('connecting now instead of waiting', { reason });
    this.#wake.abort();
    return true;
  }

  // ---- the loop ---------------------------------------------------------------------------

  async #run(): Promise<void> {
    try {
      await this.#connect('exponential');
      this.#log.info('up and running', { agent: this.#config.agentId, version: AGENT_VERSION_TEXT });
      for (;;) {
        this.#log.trace('awaiting event ...');
        const waited = await this.#inbox.next(this.#clock, this.#config.pingFrequencyMs, this.#stop.signal);
        const outcome = waited.kind === 'idle' ? await this.#onPingTimer() : await this.#onEvent(waited.event);
        if (outcome.next === 'reconnect') await this.#reconnect(outcome.policy, outcome.cause, outcome.abrupt === true);
        else if (outcome.next === 'terminate') {
          this.#terminate(outcome.reason);
          return;
        }
      }
    } catch (error) {
      if (error instanceof StopRequested || this.#stop.signal.aborted) return;
      // A bug, not a gateway or network condition: report it and stop rather than spin.
      this.#log.error('agent loop failed', { error: describeError(error) });
      this.#noteError(`agent loop failed: ${describeError(error)}`);
      void this.stop();
    }
  }

  async #onEvent(event: LoopEvent): Promise<MessageOutcome> {
    switch (event.kind) {
      case 'activity':
        return CONTINUE;
      case 'connection-closed':
        if (event.connection === this.#current) {
          this.#log.debug('connection to server lost');
          this.#online = false;
        }
        return CONTINUE;
      case 'test-finished':
        return this.#sendTestResult(event.re, event.code);
      case 'check':
        this.#startCheck(event.reason);
        return CONTINUE;
      case 'check-expired':
        return this.#onCheckExpired(event.token);
      case 'control': {
        if (event.connection !== this.#current) return CONTINUE; // a read from a connection we left
        const outcome = await this.#onControlRead(event.read);
        if (outcome.next === 'continue' && this.#current === event.connection) this.#readControl(event.connection);
        return outcome;
      }
    }
  }

  async #onControlRead(read: ControlRead): Promise<MessageOutcome> {
    if (read.kind === 'error') {
      this.#log.error(`error reading from server: ${read.error}`);
      this.#noteError(`error reading from server: ${read.error}`);
      return { next: 'reconnect', policy: 'exponential', cause: 'read-error' };
    }
    if (read.kind === 'end') {
      this.#log.warn('control channel closed by server, reconnecting ...');
      this.#noteError('control channel closed by server');
      return { next: 'reconnect', policy: 'exponential', cause: 'control-closed' };
    }
    try {
      return await this.#onMessage(read.message);
    } catch (error) {
      if (error instanceof StopRequested) throw error;
      this.#log.error(`failed to answer server message: ${describeError(error)}`);
      this.#noteError(`failed to answer server message: ${describeError(error)}`);
      return { next: 'reconnect', policy: 'exponential', cause: 'send-error' };
    }
  }

  /** The reference's `on_message`; a rejected send becomes `failed to answer server message`. */
  async #onMessage(message: Message<ServerMessage>): Promise<MessageOutcome> {
    const id = formatMessageId(message.id);
    const data = message.data;
    this.#log.trace('received message', () => ({ id, online: this.#online, data: debugServerMessage(data) }));
    if (data === null) {
      this.#log.warn('ignoring unknown gateway message', { id });
      return CONTINUE;
    }
    switch (data.type) {
      case 'Accepted':
        this.#backoff.reset();
        if (this.#disabled) this.#log.info('the gateway accepted the agent: it is enabled again');
        this.#disabled = false;
        this.#onAccepted();
        return CONTINUE;
      case 'Ping':
        if (this.#online) await this.#send({ type: 'Pong', re: message.id });
        return CONTINUE;
      case 'Pong': {
        const rtt = this.#ping.onPong(data.re, this.#clock.now());
        if (rtt !== null) this.#pingRttMs = rtt;
        const checked = this.#check.onPong(data.re);
        if (checked !== null) {
          this.#pingRttMs = checked.millis;
          this.#metrics.connectionChecked('passed');
          this.#log.info('connection check passed', { reason: checked.reason, rtt_ms: checked.millis });
        }
        return CONTINUE;
      }
      case 'Challenge':
        if (this.#online) await this.#answerChallenge(message.id, data.text);
        return CONTINUE;
      case 'Terminate':
        this.#noteError(`terminated by gateway: ${reasonText(data.reason)}`);
        if (data.reason !== 'Disabled') {
          this.#log.error('connection terminated by gateway', { id, reason: data.reason });
          return { next: 'terminate', reason: data.reason };
        }
        // The reference logs an ERROR every 5 s; here the first says so, the rest are debug.
        if (this.#disabled) this.#log.debug('connection terminated by gateway', { id, reason: data.reason });
        else {
          this.#log.warn('connection terminated by gateway', { id, reason: data.reason });
          this.#log.info(
            `this agent is disabled in Cluvio: checking every ${formatDelay(DISABLED_RETRY_MS)} until it is enabled (each check is logged at debug level)`,
          );
        }
        this.#disabled = true;
        return { next: 'reconnect', policy: 'disabled', cause: 'disabled' };
      case 'Test':
        if (this.#online) await this.#startTest(message.id, data.addr);
        return CONTINUE;
      case 'SwitchToNewConnection':
        if (this.#online) await this.#switchConnection(message.id);
        return CONTINUE;
      case 'Error':
        // The reference records `?msg` (Debug), so the text shows up quoted.
        this.#log.error('server error', { msg: rustDebugString(data.msg) });
        return CONTINUE;
    }
  }

  async #answerChallenge(
    re: MessageId,
    box: { readonly key: Uint8Array; readonly data: Uint8Array; readonly tag: Uint8Array },
  ): Promise<void> {
    const opened = openChallenge(this.#config.secretKey, box);
    if (opened.ok) {
      await this.#send({ type: 'Response', re, text: opened.plaintext });
      return;
    }
    this.#log.warn(`failed to decrypt challenge: ${opened.failure}`, { id: formatMessageId(re) });
    await this.#send({ type: 'Error', re, code: 'DecryptionFailed', msg: null });
  }

  /** Test (§7.4): refused at once when not allowed, else connected in the background. */
  async #startTest(re: MessageId, address: Parameters<typeof formatAddress>[0]): Promise<void> {
    const target = targetText(address);
    if (!isAddressAllowed(address, this.#config.allowlist)) {
      this.#streamLog.error('address not allowed', { address: target });
      await this.#send({ type: 'Test', re, code: 'AddressNotAllowed' });
      return;
    }
    const id = formatMessageId(re);
    const slot = this.#testLimit.begin();
    if (slot !== 'start') {
      if (slot === 'refuse-first')
        this.#log.warn(
          `${this.#testLimit.max} tests are connecting already: answering further tests with CouldNotConnect, without connecting, until one finishes`,
          { id },
        );
      await this.#send({ type: 'Test', re, code: 'CouldNotConnect' });
      return;
    }
    this.#streamLog.debug(`connecting to internal address ${target}`, { id });
    const task = this.#taskSignals.child();
    const test = connectTarget(address, this.#targetOptions(target, task.signal)).then(
      ({ socket }) => {
        socket.destroy();
        this.#log.debug('test connection suceeded', { id });
        this.#inbox.push({ kind: 'test-finished', re, code: null });
      },
      (error: unknown) => {
        if (this.#stop.signal.aborted) return;
        this.#log.warn(`test connection failed: ${describeError(error)}`, { id });
        this.#inbox.push({ kind: 'test-finished', re, code: 'CouldNotConnect' });
      },
    );
    this.#track(test, () => {
      task.release();
      const refused = this.#testLimit.end();
      if (refused > 0)
        this.#log.warn(`${refused} tests were answered CouldNotConnect while ${this.#testLimit.max} were connecting`);
    });
  }

  async #sendTestResult(re: MessageId, code: ErrorCode | null): Promise<MessageOutcome> {
    try {
      await this.#send({ type: 'Test', re, code });
      return CONTINUE;
    } catch (error) {
      if (error instanceof StopRequested) throw error;
      this.#log.warn(`error sending message to server: ${describeError(error)}`, { id: formatMessageId(re) });
      this.#noteError(`error sending message to server: ${describeError(error)}`);
      return { next: 'reconnect', policy: 'exponential', cause: 'send-error' };
    }
  }

  /** SwitchToNewConnection: answer on the old control stream, then connect anew; the old one drains. */
  async #switchConnection(re: MessageId): Promise<void> {
    const old = this.#current;
    if (old === null) return;
    this.#log.debug('switching to new connection and draining the existing one', { id: formatMessageId(re) });
    await this.#send({ type: 'SwitchingConnection', re });
    old.draining = true;
    this.#table.markDraining(old.id);
    this.#current = null;
    this.#check.reset();
    this.#metrics.reconnected('switch');
    await this.#connect('exponential');
  }

  async #onPingTimer(): Promise<MessageOutcome> {
    const expiry = this.#ping.onExpiry();
    if (expiry.action === 'no-pong') {
      this.#log.warn('no pong from server', { id: formatMessageId(expiry.id) });
      this.#noteError('no pong from server');
      return { next: 'reconnect', policy: 'exponential', cause: 'no-pong' };
    }
    try {
      const id = await this.#send({ type: 'Ping' });
      this.#ping.onPingSent(id, this.#clock.now());
      return CONTINUE;
    } catch (error) {
      if (error instanceof StopRequested) throw error;
      this.#log.warn(`error sending message to server: ${describeError(error)}`);
      this.#noteError(`error sending message to server: ${describeError(error)}`);
      return { next: 'reconnect', policy: 'exponential', cause: 'send-error' };
    }
  }

  /** Sends the check's Ping without blocking the loop: a write stuck on a dead socket still ends at the deadline. */
  #startCheck(reason: string): void {
    const connection = this.#current;
    if (connection === null) return;
    const token = this.#check.begin(connection, reason, (expired) => {
      this.#inbox.push({ kind: 'check-expired', token: expired });
    });
    if (token === null) return;
    this.#log.info('checking the connection to the gateway', { reason });
    this.#abortable(connection.control.send({ type: 'Ping' })).then(
      (id) => {
        this.#check.sent(token, id);
      },
      () => {
        if (!this.#stop.signal.aborted) this.#inbox.push({ kind: 'check-expired', token });
      },
    );
  }

  #onCheckExpired(token: number): MessageOutcome {
    const outcome = this.#check.expire(token);
    if (outcome === null) return CONTINUE;
    this.#metrics.connectionChecked('failed');
    this.#log.warn('connection check failed: no pong in time, reconnecting now', {
      reason: outcome.reason,
      waited_ms: outcome.millis,
    });
    this.#noteError(`connection check failed (${outcome.reason}): no pong from server`);
    // The connection is dead: drop it at once rather than wait for a graceful close that cannot come.
    return { next: 'reconnect', policy: 'exponential', cause: 'connection-check', abrupt: true };
  }

  // ---- connecting -------------------------------------------------------------------------

  /** Closes the current connection gracefully (bounded; `abrupt`: at once), then connects with `policy`. */
  async #reconnect(policy: DelayPolicy, cause: ReconnectCause, abrupt: boolean): Promise<void> {
    const old = this.#current;
    this.#current = null;
    this.#online = false;
    this.#connectedSince = null;
    this.#check.reset();
    this.#metrics.reconnected(cause);
    if (old !== null) {
      if (abrupt) old.destroy();
      else await this.#closeGracefully(old);
    }
    await this.#connect(policy);
  }

  /** GoAway(0) and TLS close, bounded to 5 s as the reference's `timeout(5 s, ctrl.close())`. */
  async #closeGracefully(connection: GatewayConnection): Promise<void> {
    const deadline = this.#clock.schedule(GRACEFUL_CLOSE_MS, () => {
      this.#log.warn('error closing connection: deadline has elapsed');
      connection.destroy();
    });
    try {
      await this.#abortable(connection.close());
    } finally {
      deadline.cancel();
      connection.destroy();
    }
  }

  /** The reference's `connect`: delay per policy, attempt, repeat until connected (or stopped). */
  async #connect(policy: DelayPolicy): Promise<void> {
    const { host, port } = this.#config.server;
    const server = `${host}:${port}`;
    for (;;) {
      const delay = this.#backoff.nextDelayMs(policy);
      if (delay > 0) {
        const nextAttemptAt = this.#clock.now() + delay;
        this.#quietWhileDisabled(`waiting ${formatDelay(delay)} before connecting ...`);
        if (policy === 'disabled') this.#machine.transition({ phase: 'disabled', nextAttemptAt });
        else
          this.#machine.transition({
            phase: 'backing-off',
            attempt: this.#backoff.attempt,
            nextAttemptAt,
            reason: this.#lastError?.message ?? 'reconnecting',
          });
        await this.#sleep(delay);
      }
      this.#machine.transition({ phase: 'connecting', attempt: this.#backoff.attempt, server });
      this.#log.debug(`connecting to ${server} ...`);
      try {
        const connection = await this.#tryConnect();
        this.#quietWhileDisabled(`connected to server: ${server}`);
        this.#ping.reset();
        this.#online = true;
        this.#current = connection;
        this.#connectedSince = this.#clock.now();
        if (this.#connectedOnce) this.#reconnects += 1;
        this.#connectedOnce = true;
        this.#machine.transition({ phase: 'authenticating', server, remoteAddress: connection.remoteAddress });
        this.#readControl(connection);
        return;
      } catch (error) {
        if (this.#stop.signal.aborted) throw new StopRequested();
        this.#metrics.connectFailed();
        this.#log.warn(`failed to connect to ${server}`, { err: describeError(error) });
        this.#noteError(`failed to connect to ${server}: ${describeError(error)}`, error);
      }
    }
  }

  /** Resolve → TCP/TLS (bounded) → yamux session → control stream → Hello written. */
  async #tryConnect(): Promise<GatewayConnection> {
    const { socket, remoteAddress } = await this.#tls.connect(this.#stop.signal);
    const hello: ClientMessage = { type: 'Hello', pubkey: this.#config.publicKey, agentVersion: AGENT_VERSION };
    const connection = await GatewayConnection.open(
      {
        id: this.#nextConnectionId++,
        socket,
        remoteAddress,
        mux: this.#mux,
        onStream: (owner, stream) => {
          this.#onStream(owner, stream);
        },
        onClose: (owner) => {
          this.#metrics.sessionEnded(owner.session.stats());
          this.#connections.delete(owner);
          this.#inbox.push({ kind: 'connection-closed', connection: owner });
        },
      },
      hello,
      this.#stop.signal,
    );
    if (!connection.closed) this.#connections.add(connection);
    return connection;
  }

  #onAccepted(): void {
    const current = this.#current;
    if (current === null || this.#machine.state.phase === 'online') return;
    const { host, port } = this.#config.server;
    this.#machine.transition({
      phase: 'online',
      server: `${host}:${port}`,
      remoteAddress: current.remoteAddress,
      since: this.#clock.now(),
    });
  }

  /** Reads the next control message of `connection` into the inbox (one read at a time). */
  #readControl(connection: GatewayConnection): void {
    void connection.control.read().then((read) => {
      this.#inbox.push({ kind: 'control', connection, read });
    });
  }

  // ---- data streams -----------------------------------------------------------------------

  #onStream(connection: GatewayConnection, stream: MuxStream): void {
    if (this.#stop.signal.aborted) {
      stream.reset();
      return;
    }
    this.#log.debug(connection.draining ? 'new inbound stream while draining' : 'new inbound stream');
    this.#inbox.push({ kind: 'activity' });
    const task = this.#taskSignals.child();
    const served = serveDataStream(stream, {
      connection: connection.id,
      draining: connection.draining,
      allowlist: this.#config.allowlist,
      connectTimeoutMs: this.#config.connectTimeoutMs,
      clock: this.#clock,
      resolver: this.#resolver,
      table: this.#table,
      log: this.#streamLog,
      signal: task.signal,
    });
    this.#track(served, () => {
      task.release();
      this.#inbox.push({ kind: 'activity' });
    });
  }

  #targetOptions(target: string, signal: AbortSignal): Parameters<typeof connectTarget>[1] {
    return {
      timeoutMs: this.#config.connectTimeoutMs,
      clock: this.#clock,
      resolver: this.#resolver,
      signal,
      onAddressFailed: (address, error) => {
        this.#streamLog.debug(`failed to connect to ${address} (${target}): ${describeError(error)}`);
      },
    };
  }

  // ---- ending -----------------------------------------------------------------------------

  /** A permanent Terminate: stop at once, without GoAway (the reference exits; the OS closes the socket). */
  #terminate(reason: Reason): void {
    this.#stop.abort(new StopRequested());
    this.#check.reset();
    for (const connection of this.#connections) connection.destroy();
    this.#connections.clear();
    this.#current = null;
    this.#online = false;
    this.#connectedSince = null;
    const state: AgentState = { phase: 'terminated', reason, message: reasonText(reason) };
    this.#machine.transition(state);
    void this.#settleTasks().then(() => {
      this.#detachLog();
      this.#resolveDone(state);
    });
  }

  async #shutDown(): Promise<void> {
    if (this.#machine.state.phase === 'terminated') {
      await this.done;
      return;
    }
    this.#stop.abort(new StopRequested());
    this.#check.reset();
    await this.#loop;
    // Streams first (their RSTs go out), then GoAway(0) on every connection, bounded by the mux.
    await Promise.all(
      [...this.#connections].map(async (connection) => {
        await connection.close();
        connection.destroy();
      }),
    );
    this.#connections.clear();
    this.#current = null;
    this.#online = false;
    this.#connectedSince = null;
    await this.#settleTasks();
    this.#inbox.clear();
    this.#machine.transition({ phase: 'stopped' });
    this.#detachLog();
    this.#resolveDone(this.#machine.state);
  }

  /** Waits until every data stream and test has let go of its sockets. */
  async #settleTasks(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * Writes a control message; rejects when the connection cannot take it within one
   * `ping-frequency`. The loop waits for its sends (as the reference's does), and a gateway that
   * stopped reading would otherwise hold it in a send forever — ping deadline included. The
   * reference blocks there; we treat the connection as dead (the caller reconnects).
   */
  async #send(data: ClientMessage): Promise<MessageId> {
    const current = this.#current;
    if (current === null) throw new Error('no connection to the gateway');
    return this.#abortable(this.#withinPingPeriod(current.control.send(data)));
  }

  #withinPingPeriod<T>(write: Promise<T>): Promise<T> {
    const period = this.#config.pingFrequencyMs;
    return new Promise<T>((resolve, reject) => {
      const deadline = this.#clock.schedule(period, () => {
        reject(new Error(`the gateway has not taken the message within ${formatDelay(period)} (it stopped reading)`));
      });
      write.then(
        (value) => {
          deadline.cancel();
          resolve(value);
        },
        (error: unknown) => {
          deadline.cancel();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  #abortable<T>(promise: Promise<T>): Promise<T> {
    return abortable(promise, this.#stop.signal).catch((error: unknown) => {
      if (this.#stop.signal.aborted) throw new StopRequested();
      throw error;
    });
  }

  /** Waits `ms` before a connection attempt; `checkConnection()` ends the wait early. */
  async #sleep(ms: number): Promise<void> {
    const wake = new AbortController();
    this.#wake = wake;
    try {
      await sleep(this.#clock, ms, AbortSignal.any([this.#stop.signal, wake.signal]));
    } catch {
      if (this.#stop.signal.aborted) throw new StopRequested();
    } finally {
      this.#wake = null;
    }
  }

  /**
   * Keeps `task` until it settles (#settleTasks waits for it; allSettled takes rejections), then
   * runs `onSettled`. One reaction per task: an idle data stream keeps nothing else pending.
   */
  #track(task: Promise<unknown>, onSettled?: () => void): void {
    this.#tasks.add(task);
    const settled = (): void => {
      this.#tasks.delete(task);
      onSettled?.();
    };
    void task.then(settled, settled);
  }

  /** Metrics from a stream's phase changes: connect latency once it opens, the failure code once it closes. */
  #recordStream(info: StreamInfo): void {
    const key = `${info.connection}/${info.id}`;
    if (info.phase === 'open' && !this.#openedStreams.has(key)) {
      this.#openedStreams.add(key);
      this.#metrics.targetConnected(this.#clock.now() - info.openedAt);
    } else if (info.phase === 'closed') {
      this.#openedStreams.delete(key);
      if (info.error !== null) this.#metrics.streamFailed(streamFailureCode(info.error));
    }
  }

  /** An info line of the connect loop; at debug level while the agent is disabled (it repeats every 5 s). */
  #quietWhileDisabled(message: string): void {
    if (this.#disabled) this.#log.debug(message);
    else this.#log.info(message);
  }

  /** Keeps the last error; `cause`, a failed connection attempt's error, adds its code (ECONNREFUSED, …). */
  #noteError(message: string, cause?: unknown): void {
    const code = cause === undefined ? null : failureCode(cause);
    this.#lastError =
      code === null
        ? { message, at: this.#clock.now() }
        : { message, at: this.#clock.now(), code, viaProxy: this.#tls.proxy !== null };
  }

  #detachLog(): void {
    this.#unsubscribeLog?.();
    this.#unsubscribeLog = null;
  }
}

/** A short Debug-like rendering of a server message for trace logs (never a challenge's bytes). */
function debugServerMessage(data: ServerMessage | null): string {
  if (data === null) return 'None';
  switch (data.type) {
    case 'Pong':
      return `Some(Pong { re: ${formatMessageId(data.re)} })`;
    case 'Terminate':
      return `Some(Terminate { reason: ${data.reason} })`;
    case 'Test':
      return `Some(Test { addr: ${targetText(data.addr)} })`;
    case 'Error':
      return `Some(Error { msg: ${JSON.stringify(data.msg)} })`;
    case 'Challenge':
      return 'Some(Challenge)';
    default:
      return `Some(${data.type})`;
  }
}

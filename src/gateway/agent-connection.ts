/**
 * One agent connection on the gateway's side: TLS socket → yamux session (server mode) → the
 * agent's control stream (stream 1) plus the data streams the gateway opens (PROTOCOL.md §9).
 *
 * Control stream, in order: Hello → version check (Terminate{UnsupportedVersion}) → Challenge
 * (32 random bytes sealed for the Hello key, §6.3) → Response check (`re` and text; a mismatch
 * or `Error{DecryptionFailed}` → Terminate{Unauthenticated}) → the host's authorisation
 * (Terminate{Unauthorized} / Terminate{Disabled}) → Accepted. Every `Client::Ping` is answered
 * with `Server::Pong` in every phase (also during the handshake); once accepted, the gateway
 * pings every `pingIntervalMs` and closes the connection if a Pong does not come back within
 * `pongTimeoutMs`. Test results and other messages an agent may send before Accepted (§9.11)
 * are kept and handled once the agent is authenticated.
 *
 * Phases: handshaking → accepted (the agent's current connection) → switching (after
 * SwitchToNewConnection: the agent no longer reads this control stream but still serves new
 * streams on it) → draining (replaced by a newer connection: no new streams; closed by the
 * gateway once its streams are done, §9.10). Terminate leads to terminating: closed when the
 * agent hangs up, or after `terminateLingerMs`.
 *
 * Bad input (undecodable or oversized frames, a broken mux) closes this connection with a
 * logged reason; it never throws out of here.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { agentIdOf, generateKeyPair, sealChallenge } from '../tunnel/auth/index.js';
import {
  type Address,
  type ClientMessage,
  type ErrorCode,
  FrameReader,
  type Message,
  type MessageId,
  type Reason,
  type ServerMessage,
  type Version,
  decodeClientMessage,
  encodeServerMessage,
  formatAddress,
  formatMessageId,
  formatVersion,
  freshMessageId,
  isProtocolError,
  reasonText,
  writeFrame,
} from '../tunnel/codec/index.js';
import { type MuxConfig, MuxProtocolError, type MuxStream, Session } from '../tunnel/mux/index.js';
import { connectDataStream } from './data-stream.js';
import { GatewayError } from './errors.js';
import type { GatewayFaults } from './faults.js';
import type { PeerLog } from './peer-log.js';

export type ConnectionPhase = 'handshaking' | 'accepted' | 'switching' | 'draining' | 'terminating' | 'closed';

/** Why a connection did not get Accepted. */
export type RejectionReason = Reason | 'handshake-timeout' | 'protocol-error' | 'connection-closed';

/** A data stream the gateway opened, as the operator sees it. */
export interface GatewayStreamInfo {
  /** Gateway-wide number of the stream (not the yamux id). */
  readonly id: number;
  readonly agentId: string;
  readonly connectionId: number;
  /** The yamux stream id on that connection (even: opened by the gateway). */
  readonly muxStreamId: number;
  /** The target as text (`host:port`). */
  readonly target: string;
  readonly halfClose: boolean;
  /** Who asked for it: `api`, or `route <id>`. */
  readonly origin: string;
  /** ISO time of opening. */
  readonly openedAt: string;
  /** `connecting` until the agent's Ok reply. */
  readonly phase: 'connecting' | 'open';
  readonly bytesToAgent: number;
  readonly bytesFromAgent: number;
}

export interface ConnectionInfo {
  readonly id: number;
  /** `ip:port` (`[v6]:port`) of the agent's end. */
  readonly remoteAddress: string;
  /** ISO time the TLS connection was established. */
  readonly since: string;
  /** ISO time of Accepted, or null. */
  readonly acceptedAt: string | null;
  /** The negotiated TLS version (always `TLSv1.3`). */
  readonly tlsProtocol: string;
  readonly phase: ConnectionPhase;
  /** The version from Hello, e.g. `1.3.0`. */
  readonly agentVersion: string | null;
  readonly openStreams: number;
  /** Stream payload bytes received from / sent to the agent (control stream included). */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Round trip of the last answered Server::Ping, in ms. */
  readonly lastPingRttMs: number | null;
  readonly clientPingsAnswered: number;
  readonly serverPingsAnswered: number;
}

/** What a connection needs from its gateway. */
export interface ConnectionHost {
  acceptVersion(version: Version): boolean;
  /** Registry check after a good Response: null lets the agent in, a Reason terminates it. */
  authorize(connection: AgentConnection, agentId: string): Reason | null;
  /** Accepted was sent: the connection is the agent's current one from now on. */
  onAccepted(connection: AgentConnection): void;
  onRejected(connection: AgentConnection, reason: RejectionReason, detail: string): void;
  onTestResult(connection: AgentConnection, re: MessageId, code: ErrorCode | null): void;
  onSwitching(connection: AgentConnection, re: MessageId): void;
  onClosed(connection: AgentConnection, error: Error | undefined): void;
  /** A fresh gateway-wide stream number. */
  nextStreamNumber(): number;
}

/**
 * What a connection may cost before its agent has authenticated (anyone who reaches the agent
 * port can open one): its Hello must come within `helloTimeoutMs`, and until Accepted it may send
 * at most `frames` yamux frames and `bytes` bytes; beyond, the connection ends (GoAway protocol
 * error). An agent sends a Hello at once, then a Response: 2–3 frames and well under 1 KiB (up
 * to 256 early Test results after a switch: still under 16 KiB).
 */
export interface PreAuthLimits {
  readonly helloTimeoutMs: number;
  readonly frames: number;
  readonly bytes: number;
}

export const DEFAULT_PRE_AUTH_LIMITS: PreAuthLimits = Object.freeze({
  helloTimeoutMs: 10_000,
  frames: 1_000,
  bytes: 64 * 1024,
});

export interface AgentConnectionOptions {
  readonly id: number;
  readonly socket: TLSSocket;
  readonly host: ConnectionHost;
  /** Rationed until the agent authenticates (peer-log.ts). */
  readonly log: PeerLog;
  readonly preAuth: PreAuthLimits;
  readonly mux: Partial<MuxConfig>;
  /** 0 = the gateway never pings. */
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly terminateLingerMs: number;
  readonly faults: GatewayFaults;
}

export interface OpenStreamRequest {
  readonly target: Address;
  readonly halfClose: boolean;
  readonly origin: string;
  readonly replyTimeoutMs: number;
}

const CHALLENGE_LENGTH = 32;
const PUBLIC_KEY_LENGTH = 32;
/** Client messages held before Accepted; more than this is not an agent. */
const MAX_EARLY_MESSAGES = 256;

type HandshakeStep = 'hello' | 'response' | 'admitted';

interface StreamRecord {
  readonly number: number;
  readonly stream: MuxStream;
  readonly target: string;
  readonly halfClose: boolean;
  readonly origin: string;
  readonly openedAt: number;
  phase: 'connecting' | 'open';
}

export class AgentConnection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly tlsProtocol: string;
  readonly since = Date.now();

  readonly #host: ConnectionHost;
  readonly #session: Session;
  readonly #options: AgentConnectionOptions;
  #log: PeerLog;
  #phase: ConnectionPhase = 'handshaking';
  #step: HandshakeStep = 'hello';
  #agentId: string | null = null;
  #agentVersion: Version | null = null;
  #challenge: { readonly id: MessageId; readonly plaintext: Uint8Array } | null = null;
  #acceptedAt: number | null = null;
  #control: MuxStream | null = null;
  readonly #streams = new Set<StreamRecord>();
  readonly #early: Message<ClientMessage>[] = [];
  #handshakeTimer: NodeJS.Timeout | null = null;
  #helloTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;
  #pongTimer: NodeJS.Timeout | null = null;
  #lingerTimer: NodeJS.Timeout | null = null;
  #ping: { readonly id: MessageId; readonly sentAt: number } | null = null;
  #lastPingRttMs: number | null = null;
  #clientPingsAnswered = 0;
  #serverPingsAnswered = 0;
  #rejected = false;
  /** Streams the agent opened besides the control stream (each reset; only the first is logged). */
  #unexpectedStreams = 0;

  constructor(options: AgentConnectionOptions) {
    this.#options = options;
    this.id = options.id;
    this.#host = options.host;
    this.remoteAddress = formatRemote(options.socket);
    this.tlsProtocol = options.socket.getProtocol() ?? 'unknown';
    this.#log = options.log.withFields({ connection: options.id, remote: this.remoteAddress });
    this.#session = new Session(options.socket, { ...options.mux, mode: 'server' });
    this.#session.limitInbound({
      frames: options.preAuth.frames,
      bytes: options.preAuth.bytes,
      until: 'before authenticating',
    });
    this.#session.on('stream', (stream) => {
      this.#onInboundStream(stream);
    });
    this.#session.on('close', (error) => {
      this.#onSessionClose(error);
    });
    this.#handshakeTimer = setTimeout(() => {
      this.#handshakeTimer = null;
      if (this.#phase !== 'handshaking') return;
      const detail = `no authenticated Hello within ${options.handshakeTimeoutMs} ms`;
      this.#log.warn('handshake timed out; closing the connection', { step: this.#step });
      this.#reject('handshake-timeout', detail);
      void this.close();
    }, options.handshakeTimeoutMs);
    this.#handshakeTimer.unref();
    this.#helloTimer = setTimeout(() => {
      this.#helloTimer = null;
      if (this.#phase !== 'handshaking' || this.#step !== 'hello') return;
      this.#log.warn('no Hello in time; closing the connection', { timeout_ms: options.preAuth.helloTimeoutMs });
      this.#reject('handshake-timeout', `no Hello within ${options.preAuth.helloTimeoutMs} ms`);
      void this.close();
    }, options.preAuth.helloTimeoutMs);
    this.#helloTimer.unref();
    this.#log.debug('connection established');
  }

  get phase(): ConnectionPhase {
    return this.#phase;
  }

  /** The authenticated agent id (null until the challenge was answered correctly). */
  get agentId(): string | null {
    return this.#step === 'admitted' ? this.#agentId : null;
  }

  /** The id the Hello claimed, authenticated or not (for logs and rejection events). */
  get claimedAgentId(): string | null {
    return this.#agentId;
  }

  /** True while new data streams may be opened on this connection. */
  get usable(): boolean {
    return this.#phase === 'accepted' || this.#phase === 'switching';
  }

  info(): ConnectionInfo {
    const stats = this.#session.stats();
    return {
      id: this.id,
      remoteAddress: this.remoteAddress,
      since: new Date(this.since).toISOString(),
      acceptedAt: this.#acceptedAt === null ? null : new Date(this.#acceptedAt).toISOString(),
      tlsProtocol: this.tlsProtocol,
      phase: this.#phase,
      agentVersion: this.#agentVersion === null ? null : formatVersion(this.#agentVersion),
      openStreams: this.#streams.size,
      bytesIn: stats.dataBytesIn,
      bytesOut: stats.dataBytesOut,
      lastPingRttMs: this.#lastPingRttMs,
      clientPingsAnswered: this.#clientPingsAnswered,
      serverPingsAnswered: this.#serverPingsAnswered,
    };
  }

  streams(): GatewayStreamInfo[] {
    const agentId = this.#agentId ?? '';
    return [...this.#streams].map((record) => ({
      id: record.number,
      agentId,
      connectionId: this.id,
      muxStreamId: record.stream.id,
      target: record.target,
      halfClose: record.halfClose,
      origin: record.origin,
      openedAt: new Date(record.openedAt).toISOString(),
      phase: record.phase,
      bytesToAgent: record.stream.bytesWritten,
      bytesFromAgent: record.stream.bytesRead,
    }));
  }

  /** Opens a data stream and waits for the agent's Ok; rejects with StreamOpenError otherwise. */
  async openStream(request: OpenStreamRequest): Promise<MuxStream> {
    if (!this.usable)
      throw new GatewayError('AGENT_NOT_CONNECTED', `connection ${this.id} does not take new streams (${this.#phase})`);
    let stream: MuxStream;
    try {
      stream = this.#session.open();
    } catch (error) {
      throw new GatewayError(
        'CONNECTION_LOST',
        `cannot open a stream on connection ${this.id}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const record: StreamRecord = {
      number: this.#host.nextStreamNumber(),
      stream,
      target: formatAddress(request.target),
      halfClose: request.halfClose,
      origin: request.origin,
      openedAt: Date.now(),
      phase: 'connecting',
    };
    this.#streams.add(record);
    // A listener for the stream's whole life: a late RST must never become an uncaught error.
    stream.on('error', (error) => {
      this.#log.debug('data stream ended with an error', { stream: record.number, error: error.message });
    });
    stream.once('close', () => {
      this.#streams.delete(record);
      this.#log.debug('data stream closed', {
        stream: record.number,
        target: record.target,
        to_agent: stream.bytesWritten,
        from_agent: stream.bytesRead,
      });
      if (this.#phase === 'draining' && this.#streams.size === 0) {
        this.#log.info('draining connection has no streams left; closing it');
        void this.close();
      }
    });
    this.#log.debug('opening data stream', {
      stream: record.number,
      target: record.target,
      half_close: request.halfClose,
    });
    await connectDataStream(stream, request);
    record.phase = 'open';
    return stream;
  }

  /** Sends `Server::Test`; the answer comes through the host's `onTestResult` (maybe on another connection). */
  sendTest(address: Address): MessageId {
    if (this.#phase !== 'accepted')
      throw new GatewayError('AGENT_NOT_CONNECTED', `connection ${this.id} cannot run a test (${this.#phase})`);
    return this.#send({ type: 'Test', addr: address });
  }

  /** Sends `SwitchToNewConnection`; from now on the agent stops using this control stream. */
  requestSwitch(): MessageId {
    if (this.#phase !== 'accepted')
      throw new GatewayError('AGENT_NOT_CONNECTED', `connection ${this.id} cannot switch (${this.#phase})`);
    this.#phase = 'switching';
    this.#stopPinging();
    return this.#send({ type: 'SwitchToNewConnection' });
  }

  /** Replaced by a newer connection: no new streams; closed when its streams are done. */
  retire(): void {
    if (this.#phase === 'draining' || this.#phase === 'terminating' || this.#phase === 'closed') return;
    this.#phase = 'draining';
    this.#stopPinging();
    this.#log.info('connection replaced by a newer one; draining', { open_streams: this.#streams.size });
    if (this.#streams.size === 0) void this.close();
  }

  /** Sends `Terminate{reason}` and closes once the agent hangs up (or after the linger time). */
  terminate(reason: Reason, detail: string): void {
    if (this.#phase === 'terminating' || this.#phase === 'closed') return;
    const admitted = this.#step === 'admitted';
    this.#phase = 'terminating';
    this.#clearHandshakeTimer();
    this.#stopPinging();
    this.#log.warn('terminating the agent', { reason: reasonText(reason), detail });
    this.#send({ type: 'Terminate', reason });
    if (!admitted) this.#reject(reason, detail);
    this.#lingerTimer = setTimeout(() => {
      this.#lingerTimer = null;
      void this.close();
    }, this.#options.terminateLingerMs);
    this.#lingerTimer.unref();
  }

  /** Graceful: flush, GoAway, end the socket. Resolves when the session is over. */
  close(): Promise<void> {
    return this.#session.close();
  }

  destroy(error?: Error): void {
    this.#session.destroy(error);
  }

  // ---- control stream -------------------------------------------------------------------

  #onInboundStream(stream: MuxStream): void {
    if (this.#control === null && stream.id === 1) {
      stream.on('error', (error) => {
        this.#log.debug('agent stream error', { mux_stream: stream.id, error: error.message });
      });
      this.#control = stream;
      void this.#readControl(stream);
      return;
    }
    // The agent opens exactly one stream, the control stream (§2.3). A peer opening thousands
    // (12 bytes each, before authenticating) must not buy a log line for each one.
    stream.on('error', ignoreError);
    this.#unexpectedStreams += 1;
    if (this.#unexpectedStreams === 1)
      this.#log.warn('the agent opened an unexpected stream; resetting it and any further ones', {
        mux_stream: stream.id,
      });
    stream.reset();
  }

  async #readControl(stream: MuxStream): Promise<void> {
    const reader = new FrameReader(stream);
    try {
      for (;;) {
        const body = await reader.read();
        if (body === null) {
          this.#onControlEnd();
          return;
        }
        let message: Message<ClientMessage>;
        try {
          message = decodeClientMessage(body);
        } catch (error) {
          this.#protocolFailure(
            `undecodable control message: ${error instanceof Error ? error.message : String(error)}`,
          );
          return;
        }
        this.#onMessage(message);
      }
    } catch (error) {
      if (this.#phase === 'closed') return;
      if (isProtocolError(error)) this.#protocolFailure(`bad control frame: ${error.message}`);
      else this.#log.debug('control stream failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  #onControlEnd(): void {
    if (this.#phase === 'closed' || this.#phase === 'terminating') return;
    this.#log.info('the agent ended its control stream');
    if (this.#phase === 'handshaking') {
      this.#reject('connection-closed', 'control stream ended before the handshake finished');
      void this.close();
      return;
    }
    this.retire();
  }

  #protocolFailure(detail: string): void {
    if (this.#phase === 'closed') return;
    this.#log.warn('closing the connection: protocol error', { detail });
    if (this.#phase === 'handshaking') this.#reject('protocol-error', detail);
    void this.close();
  }

  #onMessage(message: Message<ClientMessage>): void {
    const data = message.data;
    if (data === null) {
      this.#log.warn('ignoring unknown agent message', { id: formatMessageId(message.id) });
      return;
    }
    if (this.#phase === 'terminating' || this.#phase === 'closed') return;
    switch (data.type) {
      case 'Ping':
        this.#onClientPing(message.id);
        return;
      case 'Pong':
        this.#onPong(data.re);
        return;
      case 'Hello':
        this.#onHello(data.pubkey, data.agentVersion);
        return;
      case 'Response':
        this.#onResponse(data.re, data.text);
        return;
      case 'Error':
        this.#onClientError(data.re, data.code, data.msg);
        return;
      case 'Test':
      case 'SwitchingConnection':
        if (this.#step !== 'admitted') {
          // §9.11: possible before Accepted (a test finished while the agent switched over).
          if (this.#early.length >= MAX_EARLY_MESSAGES) this.#protocolFailure('too many messages before Accepted');
          else this.#early.push(message);
          return;
        }
        this.#onAuthenticatedMessage(data);
        return;
    }
  }

  #onAuthenticatedMessage(data: Extract<ClientMessage, { type: 'Test' | 'SwitchingConnection' }>): void {
    if (data.type === 'Test') {
      this.#host.onTestResult(this, data.re, data.code);
    } else {
      if (this.#phase === 'accepted') {
        this.#phase = 'switching';
        this.#stopPinging();
      }
      this.#host.onSwitching(this, data.re);
    }
  }

  #onClientPing(id: MessageId): void {
    if (this.#options.faults.ignoreClientPings === true) {
      this.#log.debug('fault injection: not answering the agent ping', { id: formatMessageId(id) });
      return;
    }
    this.#clientPingsAnswered += 1;
    this.#send({ type: 'Pong', re: id });
  }

  #onHello(pubkey: Uint8Array, version: Version): void {
    if (this.#step !== 'hello') {
      this.#log.warn('ignoring a second Hello');
      return;
    }
    this.#agentVersion = version;
    if (pubkey.length !== PUBLIC_KEY_LENGTH) {
      this.terminate('Unauthenticated', `Hello carries a ${pubkey.length}-byte public key`);
      return;
    }
    this.#clearHelloTimer();
    this.#agentId = agentIdOf(pubkey);
    this.#log = this.#log.withFields({ agent: this.#agentId });
    this.#log.debug('hello', { version: formatVersion(version) });
    if (!this.#host.acceptVersion(version)) {
      this.terminate('UnsupportedVersion', `agent version ${formatVersion(version)} is not supported`);
      return;
    }
    const plaintext = randomBytes(CHALLENGE_LENGTH);
    const recipient = this.#options.faults.corruptChallenge === true ? generateKeyPair().publicKey : pubkey;
    let box;
    try {
      box = sealChallenge(recipient, plaintext);
    } catch (error) {
      this.terminate(
        'Unauthenticated',
        `no challenge can be sealed for this public key: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    const id = this.#send({ type: 'Challenge', text: box });
    this.#challenge = { id, plaintext };
    this.#step = 'response';
  }

  #onResponse(re: MessageId, text: Uint8Array): void {
    const challenge = this.#challenge;
    if (this.#step !== 'response' || challenge === null) {
      this.#log.warn('ignoring a Response without an open challenge', { re: formatMessageId(re) });
      return;
    }
    if (re !== challenge.id) {
      this.terminate(
        'Unauthenticated',
        `the Response answers ${formatMessageId(re)}, not the challenge ${formatMessageId(challenge.id)}`,
      );
      return;
    }
    if (text.length !== challenge.plaintext.length || !timingSafeEqual(text, challenge.plaintext)) {
      this.terminate('Unauthenticated', 'the Response text does not match the challenge');
      return;
    }
    this.#challenge = null;
    this.#admit();
  }

  #onClientError(re: MessageId, code: ErrorCode | null, msg: string | null): void {
    const challenge = this.#challenge;
    if (this.#step === 'response' && challenge !== null && re === challenge.id) {
      this.terminate(
        'Unauthenticated',
        `the agent could not answer the challenge (${code ?? 'no code'}${msg === null ? '' : `: ${msg}`})`,
      );
      return;
    }
    this.#log.error('agent reported an error', { re: formatMessageId(re), code: code ?? 'none', msg: msg ?? '' });
  }

  #admit(): void {
    const agentId = this.#agentId;
    if (agentId === null) return;
    const refusal = this.#host.authorize(this, agentId);
    if (refusal !== null) {
      this.terminate(refusal, refusal === 'Disabled' ? 'the agent is disabled' : 'the agent is not in the registry');
      return;
    }
    this.#step = 'admitted';
    this.#phase = 'accepted';
    this.#acceptedAt = Date.now();
    this.#clearHandshakeTimer();
    // Authenticated: its frames and its log lines are no longer rationed.
    this.#session.limitInbound(null);
    this.#log.trust();
    this.#send({ type: 'Accepted' });
    this.#log.info('agent accepted', { version: this.#agentVersion === null ? '' : formatVersion(this.#agentVersion) });
    this.#startPinging();
    this.#host.onAccepted(this);
    // #onMessage drops them itself should the connection end meanwhile.
    for (const message of this.#early.splice(0)) this.#onMessage(message);
  }

  // ---- pings -------------------------------------------------------------------------------

  #startPinging(): void {
    if (this.#options.pingIntervalMs <= 0) return;
    this.#pingTimer = setInterval(() => {
      this.#sendPing();
    }, this.#options.pingIntervalMs);
    this.#pingTimer.unref();
  }

  #sendPing(): void {
    if (this.#phase !== 'accepted' || this.#ping !== null) return;
    const id = this.#send({ type: 'Ping' });
    this.#ping = { id, sentAt: performance.now() };
    this.#pongTimer = setTimeout(() => {
      this.#pongTimer = null;
      this.#ping = null;
      this.#log.warn('no pong from the agent; closing the connection', { timeout_ms: this.#options.pongTimeoutMs });
      void this.close();
    }, this.#options.pongTimeoutMs);
    this.#pongTimer.unref();
  }

  #onPong(re: MessageId): void {
    const ping = this.#ping;
    if (ping === null || ping.id !== re) {
      this.#log.debug('ignoring a Pong that answers no outstanding ping', { re: formatMessageId(re) });
      return;
    }
    this.#ping = null;
    if (this.#pongTimer !== null) clearTimeout(this.#pongTimer);
    this.#pongTimer = null;
    this.#lastPingRttMs = performance.now() - ping.sentAt;
    this.#serverPingsAnswered += 1;
  }

  #stopPinging(): void {
    if (this.#pingTimer !== null) clearInterval(this.#pingTimer);
    if (this.#pongTimer !== null) clearTimeout(this.#pongTimer);
    this.#pingTimer = null;
    this.#pongTimer = null;
    this.#ping = null;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  #send(data: ServerMessage): MessageId {
    const id = freshMessageId();
    const control = this.#control;
    if (control === null || control.destroyed || control.writableEnded) {
      this.#log.debug('control stream gone; message not sent', { type: data.type });
      return id;
    }
    writeFrame(control, encodeServerMessage({ id, data })).catch((error: unknown) => {
      this.#log.debug('could not send a control message', {
        type: data.type,
        error: error instanceof Error ? error.message : String(error),
      });
    });
    return id;
  }

  /** Reports the rejection once, whatever path (timeout, protocol error, close) gets here first. */
  #reject(reason: RejectionReason, detail: string): void {
    if (this.#rejected) return;
    this.#rejected = true;
    this.#host.onRejected(this, reason, detail);
  }

  #clearHandshakeTimer(): void {
    if (this.#handshakeTimer !== null) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = null;
    this.#clearHelloTimer();
  }

  #clearHelloTimer(): void {
    if (this.#helloTimer !== null) clearTimeout(this.#helloTimer);
    this.#helloTimer = null;
  }

  #onSessionClose(error: Error | undefined): void {
    const wasHandshaking = this.#phase === 'handshaking';
    this.#phase = 'closed';
    this.#clearHandshakeTimer();
    this.#stopPinging();
    if (this.#lingerTimer !== null) clearTimeout(this.#lingerTimer);
    this.#lingerTimer = null;
    this.#early.length = 0;
    if (wasHandshaking)
      this.#reject(
        error instanceof MuxProtocolError ? 'protocol-error' : 'connection-closed',
        error?.message ?? 'the connection closed during the handshake',
      );
    this.#log.info('connection closed', {
      error: error?.message ?? 'none',
      ...(this.#unexpectedStreams > 0 ? { unexpected_streams: this.#unexpectedStreams } : {}),
    });
    this.#host.onClosed(this, error);
  }
}

function formatRemote(socket: TLSSocket): string {
  const address = socket.remoteAddress ?? 'unknown';
  const port = socket.remotePort ?? 0;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function ignoreError(): void {
  // deliberately empty: a reset stream's late error says nothing new
}

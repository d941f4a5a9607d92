/**
 * The agent's one outbound connection (PROTOCOL.md §1): resolve `server.host` with the system
 * resolver (not covered by the timeout), then TCP + TLS to each address in order until one
 * works, the whole phase bounded by `connect-timeout`.
 *
 * TLS as the reference's rustls client: TLS 1.3 only, SNI and certificate name = `server.host`,
 * trust anchors = the bundled Mozilla roots (Node's `tls.rootCertificates`, the same set as
 * webpki-roots) plus every `[server] trust` certificate, no ALPN, no client certificate; the
 * same cipher suites in rustls' order and key-exchange groups (without X25519MLKEM768: see
 * RUSTLS_GROUPS); session resumption with the previous connection's ticket, as rustls'
 * in-memory cache does. webpki rules OpenSSL does not apply are checked explicitly: a server
 * certificate whose basicConstraints say CA:TRUE is refused (`CaUsedAsEndEntity`), and only
 * subjectAltName DNS entries name a server (never the subject CN).
 * Under Electron, Node runs on BoringSSL, which ignores the TLS 1.3 suite list (its own order
 * applies); none of the properties above rests on it (docs/tls-runtimes.md).
 * Deliberate difference: TCP_NODELAY is set (the reference sets no socket option); the mux
 * writes whole frames, so Nagle's algorithm would only add latency to small requests.
 *
 * Beyond the reference: with an HTTP proxy (proxy-config.ts) that applies to `server.host`, the
 * proxy's name is resolved instead and each of its addresses is tried in turn: TCP to the proxy,
 * `CONNECT host:port` (http-connect.ts), then the same TLS handshake inside the tunnel, all within
 * the same `connect-timeout`. The gateway's name is resolved by the proxy.
 */
// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import net from 'node:net';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';
import type { ServerConfig } from '../config/index.js';
import type { Clock } from './clock.js';
import { abortable } from './abortable.js';
import { ConnectError, describeError } from './connect-error.js';
import { AGENT_VERSION_TEXT } from './agent-version.js';
import { awaitSocketReady, dialFirst, type Dialer } from './dial.js';
import { httpConnect } from './http-connect.js';
import { formatSocketAddress, type ResolvedAddress, type Resolver } from './lookup.js';
import { proxyApplies, type ProxySettings } from './proxy-config.js';

export interface GatewayTlsConnectOptions {
  readonly server: ServerConfig;
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
  readonly resolver: Resolver;
  /** One address failed; the reference logs `failed to connect to <addr> (<host>): <error>` at debug. */
  readonly onAddressFailed: (address: string, error: unknown) => void;
  /** An HTTP CONNECT proxy to go through (unless its `no_proxy` list exempts `server.host`). */
  readonly proxy?: ProxySettings | null;
}

export interface GatewaySocket {
  readonly socket: tls.TLSSocket;
  /** The address that answered, e.g. `10.1.2.3:443`, or `proxy 10.0.0.8:3128` through a proxy. */
  readonly remoteAddress: string;
  /** The proxy's redacted URL when the connection goes through one. */
  readonly proxy: string | null;
}

/** rustls 0.23 (aws-lc-rs) TLS 1.3 suites, in its order of preference. */
const RUSTLS_CIPHER_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256';
/**
 * rustls' key-exchange groups, in order. X25519MLKEM768 (rustls offers it last) is left out:
 * BoringSSL would add an ML-KEM key share to the X25519 one, OpenSSL would not (docs/tls-runtimes.md).
 */
const RUSTLS_GROUPS = 'X25519:P-256:P-384';

/**
 * basicConstraints cA, read from the certificate itself as webpki does. Node's `ca` flag is
 * `X509_check_ca() == 1`, which is false for CA:TRUE when keyUsage lacks keyCertSign, and on
 * BoringSSL true for a self-signed v1 certificate (docs/tls-runtimes.md).
 */
function markedCa(certificate: tls.PeerCertificate): boolean {
  const basicConstraints = new x509.X509Certificate(certificate.raw).getExtension(x509.BasicConstraintsExtension);
  return basicConstraints?.ca === true;
}

/** The certificate checks webpki makes on top of path validation, in rustls' words. */
export function checkGatewayIdentity(host: string, certificate: tls.PeerCertificate): Error | undefined {
  let ca: boolean;
  try {
    ca = markedCa(certificate);
  } catch {
    return new Error('invalid peer certificate: BadEncoding');
  }
  if (ca) return new Error('invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))');
  const dnsNames = (certificate.subjectaltname ?? '').split(', ').filter((entry) => entry.startsWith('DNS:'));
  if (dnsNames.length === 0) {
    return new Error(
      `invalid peer certificate: certificate not valid for name "${host}"; certificate is not valid for any names (according to its subjectAltName extension)`,
    );
  }
  return tls.checkServerIdentity(host, certificate);
}

export class GatewayTlsConnector {
  readonly #options: GatewayTlsConnectOptions;
  readonly #secureContext: tls.SecureContext;
  /** The last session ticket the gateway gave us, offered on the next connection. */
  #session: Buffer | undefined;

  /** Throws when a trust certificate is unusable (the reference fails at startup: `agent: tls error: …`). */
  constructor(options: GatewayTlsConnectOptions) {
    this.#options = options;
    this.#secureContext = tls.createSecureContext({
      ca: [...tls.rootCertificates, ...options.server.trust],
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      ciphers: RUSTLS_CIPHER_SUITES,
      ecdhCurve: RUSTLS_GROUPS,
    });
  }

  /** The proxy used to reach `server.host`, or null when the connection goes direct. */
  get proxy(): ProxySettings | null {
    const proxy = this.#options.proxy ?? null;
    return proxy !== null && proxyApplies(proxy, this.#options.server.host) ? proxy : null;
  }

  /** Resolves with a TLS 1.3 socket whose certificate was verified for `server.host`. */
  async connect(signal: AbortSignal): Promise<GatewaySocket> {
    const proxy = this.proxy;
    if (proxy !== null) return this.#connectThrough(proxy, signal);
    const { server, resolver } = this.#options;
    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await abortable(resolver(server.host), signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw ConnectError.io(describeError(error), error);
    }
    const { socket, address } = await dialFirst(addresses, this.#dialer(), {
      timeoutMs: this.#options.connectTimeoutMs,
      clock: this.#options.clock,
      signal,
      onAddressFailed: (failed, error) => {
        this.#options.onAddressFailed(formatSocketAddress(failed.address, server.port), error);
      },
      exhaustedMessage: `could not connect to any address of ${server.host}`,
    });
    return { socket, remoteAddress: formatSocketAddress(address.address, server.port), proxy: null };
  }

  /** Through the proxy: its addresses in turn, each TCP → CONNECT → TLS. */
  async #connectThrough(proxy: ProxySettings, signal: AbortSignal): Promise<GatewaySocket> {
    const { server, resolver } = this.#options;
    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await abortable(resolver(proxy.host), signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw ConnectError.io(`proxy ${proxy.display}: ${describeError(error)}`, error);
    }
    let lastError: unknown = null;
    try {
      const { socket, address } = await dialFirst(addresses, this.#proxyDialer(proxy), {
        timeoutMs: this.#options.connectTimeoutMs,
        clock: this.#options.clock,
        signal,
        onAddressFailed: (failed, error) => {
          lastError = error;
          this.#options.onAddressFailed(`${formatSocketAddress(failed.address, proxy.port)} (proxy)`, error);
        },
        exhaustedMessage: `could not connect to ${server.host}:${server.port} through proxy ${proxy.display}`,
      });
      return {
        socket,
        remoteAddress: `proxy ${formatSocketAddress(address.address, proxy.port)}`,
        proxy: proxy.display,
      };
    } catch (error) {
      // Say why the last proxy address failed (a refusal, a TLS error), not only that all did.
      if (error instanceof ConnectError && error.failure === 'io' && lastError !== null) {
        throw ConnectError.io(
          `could not connect to ${server.host}:${server.port} through proxy ${proxy.display}: ${describeError(lastError)}`,
          lastError,
        );
      }
      throw error;
    }
  }

  #proxyDialer(proxy: ProxySettings): Dialer<tls.TLSSocket> {
    const { host, port } = this.#options.server;
    return async (address, signal) => {
      const raw = await awaitSocketReady(
        net.connect({ host: address.address, port: proxy.port, family: address.family }),
        'connect',
        signal,
      );
      raw.setNoDelay(true);
      try {
        await httpConnect(
          raw,
          { host, port },
          { authorization: proxy.authorization, userAgent: `cluvio-agent/${AGENT_VERSION_TEXT}`, signal },
        );
      } catch (error) {
        raw.destroy();
        throw error;
      }
      try {
        return await this.#handshake(
          tls.connect({
            socket: raw,
            servername: host,
            secureContext: this.#secureContext,
            rejectUnauthorized: true,
            checkServerIdentity: checkGatewayIdentity,
            session: this.#session,
          }),
          signal,
        );
      } catch (error) {
        raw.destroy();
        throw error;
      }
    };
  }

  #dialer(): Dialer<tls.TLSSocket> {
    const { host, port } = this.#options.server;
    return async (address, signal) => {
      const socket = tls.connect({
        host: address.address,
        port,
        servername: host,
        secureContext: this.#secureContext,
        rejectUnauthorized: true,
        checkServerIdentity: checkGatewayIdentity,
        session: this.#session,
      });
      socket.once('connect', () => {
        socket.setNoDelay(true);
      });
      return this.#handshake(socket, signal);
    };
  }

  /** Waits for the TLS handshake of `socket`; keeps its session ticket for the next connection. */
  async #handshake(socket: tls.TLSSocket, signal: AbortSignal): Promise<tls.TLSSocket> {
    socket.on('session', (ticket: Buffer) => {
      this.#session = ticket;
    });
    await awaitSocketReady(socket, 'secureConnect', signal);
    // Belt and braces: the context allows nothing else, but a silent downgrade must be impossible.
    if (socket.getProtocol() !== 'TLSv1.3') {
      socket.destroy();
      throw new ConnectError('tls', `tls error: negotiated ${String(socket.getProtocol())}, expected TLSv1.3`);
    }
    return socket;
  }
}

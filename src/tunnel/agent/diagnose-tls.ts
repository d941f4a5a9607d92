/**
 * The TLS step of `diagnose`: the agent's own connector (gateway-tls.ts: TLS 1.3 only, SNI and
 * name check against `server.host`, the bundled roots plus `[server] trust`, webpki's extra
 * rules, the proxy if one applies) makes the connection, so the verdict is exactly the agent's.
 * On success the certificate chain is described (subject, issuer, expiry) with the trust anchor
 * that vouched for it; on failure the reason is explained, and the certificate the server
 * presented is fetched once more without verification, only to show what it is.
 */
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { tlsFix as sharedTlsFix } from '../../shared/connection-fixes.js';
import type { ServerConfig } from '../config/index.js';
import { AGENT_VERSION_TEXT } from './agent-version.js';
import { describeError } from './connect-error.js';
import { awaitSocketReady, dialFirst, dialTcp } from './dial.js';
import type { StepBody, ProbeContext } from './diagnose-network.js';
import { errorCode } from './diagnose-network.js';
import { GatewayTlsConnector } from './gateway-tls.js';
import { httpConnect } from './http-connect.js';
import type { ResolvedAddress } from './lookup.js';
import type { ProxySettings } from './proxy-config.js';

/** A certificate that expires sooner than this is a warning. */
export const EXPIRY_WARNING_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;

function name(subject: tls.Certificate | undefined): string {
  if (subject === undefined) return '(none)';
  const parts = Object.entries(subject)
    .filter(([, value]) => typeof value === 'string' || Array.isArray(value))
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`);
  return parts.length === 0 ? '(empty)' : parts.join(', ');
}

/** The presented chain, leaf first, as Node completed it (up to the anchor it verified against). */
function chainOf(leaf: tls.DetailedPeerCertificate): tls.DetailedPeerCertificate[] {
  const chain: tls.DetailedPeerCertificate[] = [];
  // Node's typings promise an issuer everywhere; at the end of an incomplete chain there is none.
  let current: unknown = leaf;
  while (isCertificate(current)) {
    const certificate = current;
    if (chain.some((seen) => seen.fingerprint256 === certificate.fingerprint256)) break;
    chain.push(certificate);
    current = certificate.issuerCertificate;
  }
  return chain;
}

function isCertificate(value: unknown): value is tls.DetailedPeerCertificate {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { fingerprint256?: unknown }).fingerprint256 === 'string'
  );
}

function fingerprint(pem: string): string | null {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return null;
  }
}

let mozillaFingerprints: ReadonlySet<string> | null = null;

function bundledRoots(): ReadonlySet<string> {
  mozillaFingerprints ??= new Set(
    tls.rootCertificates.map(fingerprint).filter((value): value is string => value !== null),
  );
  return mozillaFingerprints;
}

/** Which anchor vouched for the chain: a `[server] trust` certificate or a bundled root. */
function trustAnchor(chain: readonly tls.DetailedPeerCertificate[], server: ServerConfig): string {
  const trusted = server.trust.map(fingerprint);
  for (const certificate of chain) {
    const index = trusted.indexOf(certificate.fingerprint256);
    if (index >= 0)
      return `[server] trust certificate ${index + 1} of ${trusted.length} (${name(certificate.subject)})`;
  }
  const root = chain.at(-1);
  if (root !== undefined && bundledRoots().has(root.fingerprint256))
    return `a bundled web PKI root (Mozilla's list): ${name(root.subject)}`;
  return `${name(root?.subject)} (not found among the anchors: unexpected after a verified handshake)`;
}

function describeCertificate(certificate: tls.PeerCertificate, now: number): string[] {
  const expires = Date.parse(certificate.valid_to);
  const days = Math.floor((expires - now) / DAY_MS);
  return [
    `subject: ${name(certificate.subject)}`,
    `names: ${certificate.subjectaltname ?? '(no subjectAltName)'}`,
    `issuer: ${name(certificate.issuer)}`,
    `valid: ${certificate.valid_from} to ${certificate.valid_to} (${days >= 0 ? `expires in ${days} days` : `expired ${-days} days ago`})`,
  ];
}

function tlsFix(error: unknown, host: string): string {
  return sharedTlsFix(errorCode(error), describeError(error), host);
}

/** The certificate the server presents, without verifying it (for a failure's details only). */
async function presentedCertificate(
  server: ServerConfig,
  addresses: readonly ResolvedAddress[],
  proxy: ProxySettings | null,
  context: ProbeContext,
): Promise<tls.PeerCertificate | null> {
  try {
    const { socket } = await dialFirst(
      addresses,
      async (address, signal) => {
        const options = { servername: server.host, rejectUnauthorized: false, minVersion: 'TLSv1.2' as const };
        if (proxy === null)
          return awaitSocketReady(
            tls.connect({ ...options, host: address.address, port: server.port }),
            'secureConnect',
            signal,
          );
        const raw = await dialTcp(proxy.port)(address, signal);
        await httpConnect(raw, server, {
          authorization: proxy.authorization,
          userAgent: `cluvio-agent/${AGENT_VERSION_TEXT}`,
          signal,
        });
        return awaitSocketReady(tls.connect({ ...options, socket: raw }), 'secureConnect', signal);
      },
      {
        timeoutMs: context.connectTimeoutMs,
        clock: context.clock,
        signal: context.signal,
        onAddressFailed: () => undefined,
        exhaustedMessage: 'no certificate',
      },
    );
    const certificate = socket.getPeerCertificate();
    socket.destroy();
    return Object.keys(certificate).length === 0 ? null : certificate;
  } catch {
    return null;
  }
}

/**
 * Connects as the agent does and reports the handshake. `addresses` are those of the gateway,
 * or of the proxy when `proxy` is set (they are only used to fetch a certificate for a failure).
 */
export async function checkTls(
  server: ServerConfig,
  proxy: ProxySettings | null,
  addresses: readonly ResolvedAddress[],
  context: ProbeContext,
): Promise<StepBody> {
  const failures: { readonly address: string; readonly error: unknown }[] = [];
  let connector: GatewayTlsConnector;
  try {
    connector = new GatewayTlsConnector({
      server,
      connectTimeoutMs: context.connectTimeoutMs,
      clock: context.clock,
      resolver: context.resolver,
      proxy,
      onAddressFailed: (address, error) => failures.push({ address, error }),
    });
  } catch (error) {
    return {
      status: 'fail',
      summary: `tls error: ${describeError(error)}`,
      details: [],
      fix: 'A certificate in [server] trust cannot be used as a trust anchor: replace it with the PEM of the CA certificate.',
    };
  }
  try {
    const { socket, remoteAddress } = await connector.connect(context.signal);
    const leaf = socket.getPeerCertificate(true);
    const cipher = socket.getCipher();
    const protocol = socket.getProtocol() ?? 'unknown';
    socket.destroy();
    const now = Date.now();
    const chain = chainOf(leaf);
    const days = Math.floor((Date.parse(leaf.valid_to) - now) / DAY_MS);
    const details = [
      `${protocol}, ${cipher.standardName}, with ${remoteAddress}`,
      ...describeCertificate(leaf, now),
      `chain: ${chain.map((certificate) => name(certificate.subject)).join(' ← ')}`,
      `trust anchor: ${trustAnchor(chain, server)}`,
    ];
    if (days < EXPIRY_WARNING_DAYS) {
      return {
        status: 'warn',
        summary: `the certificate for ${server.host} verifies but expires in ${days} days`,
        details,
        fix: "Renew the gateway's certificate before it expires: the agent will refuse it afterwards.",
      };
    }
    return {
      status: 'pass',
      summary: `TLS 1.3 handshake with ${server.host}; the certificate verifies`,
      details,
      fix: null,
    };
  } catch (error) {
    const last = failures.at(-1);
    const cause = last?.error ?? error;
    const details = failures.map((failure) => `${failure.address}: ${describeError(failure.error)}`);
    const presented = await presentedCertificate(server, addresses, proxy, context);
    if (presented !== null)
      details.push(
        'the server presented (not trusted):',
        ...describeCertificate(presented, Date.now()).map((line) => `  ${line}`),
      );
    return {
      status: 'fail',
      summary: `the TLS handshake with ${server.host} failed: ${describeError(cause)}`,
      details,
      fix: tlsFix(cause, server.host),
    };
  }
}

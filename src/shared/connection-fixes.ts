/**
 * Why a connection failed, in plain words, and what to do about it: the one source of these
 * texts for `diagnose` (CLI, app, dashboard), the Status view's error and a failed stream's row.
 * Everything is keyed by the code the operating system or the TLS library gave the failure
 * (`ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`, …) or the engine's own `TIMEOUT` (its
 * connect-timeout passed). Isomorphic: no Node or DOM.
 */

/** TLS verification codes meaning "no trusted CA signed this certificate". */
const UNKNOWN_ISSUER_CODES: readonly string[] = [
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
];

/** What the code means, in words a user reads without looking it up; null for a code we do not know. */
export function causeInWords(code: string): string | null {
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused (ECONNREFUSED): nothing accepts connections on that port';
    case 'ENOTFOUND':
      return 'the name does not resolve on this machine (ENOTFOUND)';
    case 'EAI_AGAIN':
      return 'the DNS server did not answer (EAI_AGAIN)';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `this machine has no route to that host (${code})`;
    case 'ECONNRESET':
      return 'the other side reset the connection (ECONNRESET)';
    case 'EPIPE':
      return 'the other side closed the connection while data was sent (EPIPE)';
    case 'TIMEOUT':
    case 'ETIMEDOUT':
      return 'no answer within connect-timeout';
    case 'CERT_HAS_EXPIRED':
      return "the gateway's certificate has expired (CERT_HAS_EXPIRED)";
    case 'CERT_NOT_YET_VALID':
      return "the gateway's certificate is not valid yet (CERT_NOT_YET_VALID)";
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return "the certificate does not name the gateway's host (ERR_TLS_CERT_ALTNAME_INVALID)";
    default:
      return UNKNOWN_ISSUER_CODES.includes(code)
        ? `the certificate is not signed by a CA this agent trusts (${code})`
        : null;
  }
}

/** The fix for a name that does not resolve (`ENOTFOUND`, `EAI_AGAIN`, …). */
export function nameResolutionFix(code: string, name: string): string {
  if (code === 'ENOTFOUND')
    return `The name is unknown to this machine's resolver: check the spelling; from a shell, \`getent hosts ${name}\` (or \`nslookup ${name}\`) should print an address. Behind a VPN or split DNS, connect the VPN first.`;
  if (code === 'EAI_AGAIN')
    return 'The DNS server did not answer: check the network connection and the DNS servers of this machine (/etc/resolv.conf, the VPN).';
  return 'Check the network connection and the DNS settings of this machine.';
}

/** The fix for a TCP connection to the gateway (or the proxy) that failed with `codes`. */
export function gatewayTcpFix(
  codes: ReadonlySet<string>,
  host: string,
  port: number,
  what: 'gateway' | 'proxy',
): string {
  if (codes.has('ECONNREFUSED')) {
    return what === 'proxy'
      ? `Nothing accepts connections on the proxy's port ${port}: check the port in the proxy URL, and that the proxy runs.`
      : `Nothing accepts connections on ${host} port ${port}: check [server] port (or CLUVIO_AGENT_SERVER_PORT) and that the gateway runs; a firewall may also reject the connection.`;
  }
  if (codes.has('EHOSTUNREACH') || codes.has('ENETUNREACH')) {
    return `This machine has no route to ${host}: check the network connection, the VPN and the routing table.`;
  }
  return what === 'proxy'
    ? `No answer from the proxy within connect-timeout: check the proxy address and that a firewall allows this machine to reach it.`
    : `No answer within connect-timeout: a firewall probably drops outbound TCP to port ${port}. Allow it, or go through your HTTP proxy (--proxy http://proxy:port or HTTPS_PROXY).`;
}

/** The fix for a failed TLS handshake with the gateway `host`, from the error's code and message. */
export function tlsFix(code: string, message: string, host: string): string {
  if (UNKNOWN_ISSUER_CODES.includes(code)) {
    return "The certificate is not signed by a CA this agent trusts (UnknownIssuer): for a private gateway, put its CA certificate (PEM) into [server] trust; on a corporate network, a TLS-inspecting proxy or firewall may be replacing the certificate (ask for the gateway's host to be exempted).";
  }
  if (code === 'CERT_HAS_EXPIRED')
    return "The gateway's certificate has expired: renew it (or, if it is not expired, fix this machine's clock).";
  if (code === 'CERT_NOT_YET_VALID')
    return "The certificate is not valid yet: check this machine's clock and time zone.";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || message.includes('not valid for name')) {
    return `The certificate does not name ${host} in its subjectAltName: set [server] host to a name the certificate is issued for, or issue one for ${host}.`;
  }
  if (message.includes('CaUsedAsEndEntity'))
    return 'The server certificate is a CA certificate (CA:TRUE); the agent refuses it as a server certificate (as rustls does): issue a CA:FALSE certificate from that CA.';
  if (code.includes('PROTOCOL_VERSION') || code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' || message.includes('TLSv1.3'))
    return "The server does not speak TLS 1.3, which the agent requires: upgrade it (or check that the port is the gateway's).";
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG')
    return 'The server does not answer with TLS: the port probably runs another service (plain HTTP?); check [server] port.';
  if (code === 'ECONNRESET' || message.includes('closed during setup'))
    return 'The connection was cut during the TLS handshake: a firewall or proxy between this machine and the gateway interferes with TLS.';
  if (code === 'TIMEOUT')
    return 'The TLS handshake did not finish within connect-timeout: the network is very slow, or something holds the connection open without answering.';
  return 'See the error above; run the agent with --log cluvio_agent=debug for every attempt.';
}

/** The fix for a database (a stream's or a Test's target) that could not be connected to. */
export function targetConnectFix(code: string): string {
  if (code === 'ECONNREFUSED')
    return 'Nothing accepts connections on that port: check the port and that the database runs and listens on this interface.';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return 'The name does not resolve on this machine: check the spelling and the DNS (VPN, split DNS).';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return "This machine has no route to the database's host: check the address, the VPN and the routing table.";
  return 'No answer within connect-timeout: a firewall drops the connection, or the address is wrong.';
}

/** The fix for a target the allowlist refused: the entry that would allow `host`. */
export function notAllowedFix(entry: string): string {
  return `Add it to allowed-addresses (e.g. "${entry}") if Cluvio should reach it.`;
}

/** A failure explained: what happened in plain words, and what to do. */
export interface ExplainedFailure {
  readonly cause: string;
  readonly fix: string;
}

/** What to do when the agent cannot reach the gateway, for a failure with `code` (as the Status view shows it). */
export function explainGatewayFailure(
  code: string,
  message: string,
  server: { readonly host: string; readonly port: number },
  viaProxy: boolean,
): ExplainedFailure | null {
  const cause = causeInWords(code);
  if (cause === null) return null;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { cause, fix: viaProxy ? nameResolutionFix(code, 'the proxy') : nameResolutionFix(code, server.host) };
  if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'TIMEOUT', 'ETIMEDOUT'].includes(code))
    return { cause, fix: gatewayTcpFix(new Set([code]), server.host, server.port, viaProxy ? 'proxy' : 'gateway') };
  return { cause, fix: tlsFix(code, message, server.host) };
}

/**
 * A failed stream explained, from the error the stream closed with and its code: refused by the
 * allowlist, or no connection to the database. Null when there is nothing more to say.
 */
export function explainStreamFailure(error: string, code: string | null, target: string): ExplainedFailure | null {
  if (error === 'address not allowed') {
    return {
      cause: `${target} is not in allowed-addresses, so the agent refused it (AddressNotAllowed)`,
      fix: notAllowedFix(allowlistEntryFor(target)),
    };
  }
  if (code === null) return null;
  const cause = causeInWords(code);
  return cause === null ? null : { cause, fix: targetConnectFix(code) };
}

/** The allowlist entry that admits exactly the host of `target` (`host:port`, `[v6]:port`). */
export function allowlistEntryFor(target: string): string {
  const v6 = /^\[([^\]]+)\]:\d+$/.exec(target);
  if (v6 !== null) return `${v6[1] ?? ''}/128`;
  const host = target.replace(/:\d+$/, '');
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? `${host}/32` : host;
}

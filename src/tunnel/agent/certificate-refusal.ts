/**
 * Whether a failed connection attempt was the gateway's certificate refused by the
 * configuration: not signed by a CA the configuration trusts (the bundled roots plus
 * `[server] trust`), not issued for `[server] host`, or refused as webpki refuses it
 * (gateway-tls.ts `checkGatewayIdentity`). Unlike a refused or timed-out connection, that answer
 * does not change by waiting: the configuration cannot connect to that server as it is.
 *
 * An expired or not-yet-valid certificate is left out on purpose: it may be this machine's
 * clock, or a renewal on its way. The verify codes are the same on OpenSSL and BoringSSL
 * (docs/tls-runtimes.md); messages differ, so codes decide, except for our own webpki checks,
 * which carry no code.
 */
import { describeError } from './connect-error.js';
import { errorCode } from './diagnose-network.js';

/** Node's codes for a chain that does not lead to a trusted anchor, or a name the certificate does not cover. */
const REFUSED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The engine's event when a gateway address presented a certificate the configuration refuses. */
export interface CertificateRefusal {
  /** The address that presented it, e.g. `10.1.2.3:443`. */
  readonly address: string;
  /** Why, e.g. `self-signed certificate in certificate chain`. */
  readonly message: string;
}

export function isCertificateRefusal(error: unknown): boolean {
  return (
    REFUSED_CERTIFICATE_CODES.has(errorCode(error)) || describeError(error).startsWith('invalid peer certificate:')
  );
}

/**
 * Why connecting (to the gateway or to a target) failed, worded like the reference agent's
 * `Error` Display (`i/o error: …`, `timeout: deadline has elapsed`, `host … not reachable`), so
 * logs read the same whichever agent wrote them.
 */

export type ConnectFailure = 'io' | 'timeout' | 'unreachable' | 'tls';

export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  readonly failure: ConnectFailure;

  constructor(failure: ConnectFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.failure = failure;
  }

  static io(detail: string, cause?: unknown): ConnectError {
    return new ConnectError('io', `i/o error: ${detail}`, cause === undefined ? undefined : { cause });
  }

  static timeout(): ConnectError {
    return new ConnectError('timeout', 'timeout: deadline has elapsed');
  }

  static unreachable(host: string): ConnectError {
    return new ConnectError('unreachable', `host ${host} not reachable`);
  }
}

/**
 * Node 24 appends advice for Node users to certificate errors ("…; if the root CA is installed
 * locally, try running Node.js with --use-system-ca"). Our users cannot pass Node flags, and the
 * fix they need is the configuration's trust (diagnose says which), so it is cut.
 */
const NODE_RUNTIME_HINT = /; if the root CA is installed locally, try running Node\.js with --use-system-ca$/;

/**
 * What failed, looking through the causes an error carries: the code Node gave it (`ECONNREFUSED`,
 * `ENOTFOUND`, a TLS verification code such as `CERT_HAS_EXPIRED`), `TIMEOUT` for the engine's
 * connect-timeout, or null when no cause has a code (a gateway that hung up, a refused proxy).
 */
export function failureCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && current !== undefined; depth += 1) {
    if (current instanceof ConnectError && current.failure === 'timeout') return 'TIMEOUT';
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** A short text for any thrown value. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(NODE_RUNTIME_HINT, '');
}

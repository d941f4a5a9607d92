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

/** A short text for any thrown value. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(NODE_RUNTIME_HINT, '');
}

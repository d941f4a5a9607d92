/**
 * Configurations whose gateway is nowhere: `localhost` on a loopback port nothing listens on, so
 * the real engine started on them fails to connect at once and backs off, without leaving this
 * machine (no DNS lookup of a public name).
 */
import { SecretKey } from '../../../../src/tunnel/auth/secret-key.js';
export { closedLoopbackPort } from '../../../support/loopback.js';

/** A valid cluvio-agent.toml for an unreachable gateway. */
export function offlineConfig(
  port: number,
  key: string = SecretKey.generate().exportBase64url(),
  allowed = '10.0.0.0/8',
): string {
  return `secret-key = "${key}"\nallowed-addresses = ["${allowed}"]\n[server]\nhost = "localhost"\nport = ${port}\n`;
}

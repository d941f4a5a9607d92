/**
 * Configurations whose gateway is nowhere: `localhost` on a loopback port nothing listens on, so
 * the real engine started on them fails to connect at once and backs off, without leaving this
 * machine (no DNS lookup of a public name).
 */
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { SecretKey } from '../../../../src/tunnel/auth/secret-key.js';

/** A free loopback port with nothing listening on it: connecting there is refused. */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A valid cluvio-agent.toml for an unreachable gateway. */
export function offlineConfig(port: number, key: string = SecretKey.generate().exportBase64url(), allowed = '10.0.0.0/8'): string {
  return `secret-key = "${key}"\nallowed-addresses = ["${allowed}"]\n[server]\nhost = "localhost"\nport = ${port}\n`;
}

/**
 * Bounds for the HTTP servers this process opens on loopback (the dashboard, the metrics
 * endpoint). Loopback is shared by every user and program of the machine, and each connection
 * accepted is a file descriptor of the agent's process — the descriptors its data streams, Tests
 * and gateway connection need too. Without a bound, another user opening idle connections (and
 * opening them again as they close) took them all and stopped the tunnel (EMFILE); now such a
 * flood can only keep the listener itself busy.
 *
 * - at most LOOPBACK_MAX_CONNECTIONS connections at once; Node closes further ones at once. One
 *   dashboard tab holds one connection per event topic plus its calls; this leaves room for
 *   several tabs and a metrics scraper.
 * - a connection that has not sent its request head within 10 s is closed (Node's default is
 *   60 s, checked every 30 s), a request whose body has not arrived within 60 s too.
 */
import type { Server, ServerOptions } from 'node:http';

export const LOOPBACK_MAX_CONNECTIONS = 64;

/** Options for `http.createServer`. */
export const LOOPBACK_SERVER_OPTIONS: ServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 60_000,
  connectionsCheckingInterval: 1_000,
};

/** Applies the connection bound to `server` (before it listens). */
export function boundLoopbackConnections(server: Server): Server {
  server.maxConnections = LOOPBACK_MAX_CONNECTIONS;
  return server;
}

/**
 * A route: a local TCP listener `host:port → agent → target`. Every accepted connection gets its
 * own data stream through the agent's current connection (Connect → Ok → raw bytes, §9.8); a
 * connection the agent refuses is closed at once, and the reason logged.
 */
import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { type Address, formatAddress } from '../tunnel/codec/index.js';
import type { Logger } from '../tunnel/log/index.js';
import type { MuxStream } from '../tunnel/mux/index.js';
import { relay } from './relay.js';

export interface ListenAddress {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
}

export interface RouteOptions {
  /** The agent's id, or its registry name. */
  readonly agent: string;
  readonly target: Address;
  /** Ask the agent for half-close copying (needed by protocols that shut down one direction). */
  readonly halfClose?: boolean;
  readonly listen?: ListenAddress;
}

export interface RouteInfo {
  readonly id: number;
  readonly agent: string;
  readonly target: string;
  readonly halfClose: boolean;
  readonly host: string;
  readonly port: number;
  /** Client connections being relayed now. */
  readonly activeConnections: number;
  readonly acceptedConnections: number;
  /** Connections the agent refused or that could not be opened. */
  readonly failedConnections: number;
}

/** Opens a data stream through the gateway; rejects when the agent refuses. */
export type StreamOpener = (agent: string, target: Address, halfClose: boolean, origin: string) => Promise<MuxStream>;

export class Route {
  readonly id: number;
  readonly agent: string;
  readonly target: Address;
  readonly halfClose: boolean;
  readonly #server: Server;
  readonly #open: StreamOpener;
  readonly #log: Logger;
  readonly #sockets = new Set<Socket>();
  #accepted = 0;
  #failed = 0;
  #closing: Promise<void> | null = null;

  private constructor(id: number, options: RouteOptions, open: StreamOpener, log: Logger) {
    this.id = id;
    this.agent = options.agent;
    this.target = options.target;
    this.halfClose = options.halfClose ?? false;
    this.#open = open;
    this.#log = log.withFields({ route: id });
    // allowHalfOpen: a client's FIN must not close our side; the relay decides (half-close mode).
    this.#server = createServer({ allowHalfOpen: true }, (socket) => {
      this.#onClient(socket);
    });
  }

  /** Starts listening; rejects if the address is taken. */
  static async start(id: number, options: RouteOptions, open: StreamOpener, log: Logger): Promise<Route> {
    const route = new Route(id, options, open, log);
    const server = route.#server;
    server.listen(options.listen?.port ?? 0, options.listen?.host ?? '127.0.0.1');
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]: unknown[]) => {
        throw error instanceof Error ? error : new Error(String(error));
      }),
    ]);
    server.on('error', (error) => {
      route.#log.error('route listener error', { error: error.message });
    });
    route.#log.info('route listening', {
      listen: `${route.host}:${route.port}`,
      agent: route.agent,
      target: formatAddress(route.target),
      half_close: route.halfClose,
    });
    return route;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get host(): string {
    return (this.#server.address() as AddressInfo).address;
  }

  info(): RouteInfo {
    return {
      id: this.id,
      agent: this.agent,
      target: formatAddress(this.target),
      halfClose: this.halfClose,
      host: this.host,
      port: this.port,
      activeConnections: this.#sockets.size,
      acceptedConnections: this.#accepted,
      failedConnections: this.#failed,
    };
  }

  /** Stops listening and aborts the connections being relayed. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
      for (const socket of this.#sockets) socket.destroy();
      this.#log.info('route closed');
    });
    return this.#closing;
  }

  #onClient(socket: Socket): void {
    this.#accepted += 1;
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    // Until the relay owns it: a client reset while we wait for the agent must not crash us.
    const earlyError = (error: Error): void => {
      this.#log.debug('client connection failed before the stream opened', { error: error.message });
    };
    socket.on('error', earlyError);
    this.#open(this.agent, this.target, this.halfClose, `route ${this.id}`).then(
      async (stream) => {
        socket.off('error', earlyError);
        if (socket.destroyed) {
          stream.destroy();
          return;
        }
        const result = await relay(socket, stream, this.halfClose);
        if (result.error !== null)
          this.#log.debug('relay aborted', { error: result.error.message, up: result.bytesUp, down: result.bytesDown });
      },
      (error: unknown) => {
        this.#failed += 1;
        this.#log.warn('route connection refused', {
          target: formatAddress(this.target),
          error: error instanceof Error ? error.message : String(error),
        });
        socket.destroy();
      },
    );
  }
}

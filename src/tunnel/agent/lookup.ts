/**
 * Name resolution as the reference does it: the system resolver (getaddrinfo), every address in
 * the resolver's order. Injectable so that tests can exercise multi-address and failure paths.
 */
import { lookup } from 'node:dns/promises';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = async (host) => {
  const found = await lookup(host, { all: true, order: 'verbatim' });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** `1.2.3.4:5` or `[::1]:5`, as Rust prints a SocketAddr. */
export function formatSocketAddress(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

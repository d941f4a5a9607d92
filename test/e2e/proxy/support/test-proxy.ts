/** What the proxy tests need of an HTTP CONNECT proxy, whichever implementation runs it. */

export interface ProxyOptions {
  /** Require `Proxy-Authorization: Basic` with these credentials (407 without them). */
  readonly basicAuth?: { readonly user: string; readonly password: string };
  /** Ports CONNECT may reach; any other is refused with 403. Default: any. */
  readonly connectPorts?: readonly number[];
}

export interface TestProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The `host:port` of every CONNECT request it received (accepted or refused), in order. */
  connects(): string[];
  close(): Promise<void>;
}

/** One proxy implementation the proxy tests run against. */
export interface ProxyKind {
  /** As test titles name it. */
  readonly name: string;
  /** Why it cannot run on this machine (with how to install it); undefined when it can. */
  readonly unavailable: string | undefined;
  /** Its answer to a wrong password, as the agent quotes it (`407 Proxy Authentication Required`). */
  readonly wrongPasswordAnswer: string;
  start(options?: ProxyOptions): Promise<TestProxy>;
}

/** The part of `cluvio-agent --help` about what this agent adds to the reference: diagnose, metrics, proxy, recovery. */
export function extensionsHelp(): string {
  return `
Diagnostics (cluvio-agent diagnose [--bundle FILE] [--target HOST:PORT] [--skip-handshake]):
  Checks step by step why the agent does not connect: the configuration file, DNS, TCP, the
  proxy, TLS 1.3 and the certificate, the gateway's answer to the key, and the allowed
  databases; each failure comes with a fix. --bundle writes a support archive without the
  secret key or proxy credentials. See cluvio-agent diagnose --help.

Health and metrics (--metrics-address ADDRESS):
  Serves GET /healthz (the process is up), /readyz (200 while the gateway has accepted the
  agent, 503 otherwise) and /metrics (Prometheus text format) on a loopback address (same forms
  and rule as --dashboard), and prints \`metrics: http://…\` on stderr.

Proxy (--proxy URL, --no-proxy, HTTPS_PROXY / https_proxy / ALL_PROXY, NO_PROXY / no_proxy):
  The connection to the gateway can go through an HTTP proxy with CONNECT; TLS stays end to end
  with the gateway. User and password in the URL are sent as Basic authentication and are never
  logged. NO_PROXY lists names (and their subdomains) to reach directly; * disables the proxy.

Fast recovery:
  When this process notices that it did not run for longer than ping-frequency (the machine
  slept) or that the network changed, it pings the gateway at once and reconnects within
  seconds if the connection is gone, instead of waiting for the next ping.

None of these settings is read from cluvio-agent.toml: the same file works with the reference agent.
`;
}

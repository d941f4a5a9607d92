/**
 * The CLI's `--dashboard [ADDRESS]` and `--metrics-address <ADDRESS>` values: parsed by the host's
 * loopback address rules (src/host/loopback-address.ts), shared with the desktop app's settings.
 */
export {
  DEFAULT_DASHBOARD_ADDRESS,
  parseDashboardAddress,
  parseLoopbackAddress,
  parseMetricsAddress,
  type DashboardAddress,
  type ParsedDashboardAddress,
} from '../host/loopback-address.js';

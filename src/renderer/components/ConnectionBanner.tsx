import { type ReactElement, useEffect, useState } from 'react';
import type { ConnectionMonitor } from '../dashboard-transport.js';

/** Says so when the dashboard lost the agent process: what is shown is then no longer live. */
export function ConnectionBanner({
  connection,
}: {
  readonly connection: ConnectionMonitor | null;
}): ReactElement | null {
  const [connected, setConnected] = useState(true);
  useEffect(() => connection?.onChange(setConnected), [connection]);
  if (connected) return null;
  return (
    <p role="alert" className="banner-offline" data-testid="connection-lost">
      Lost the connection to the agent. What you see is no longer live; reconnecting…
    </p>
  );
}

/** Plain-text tables for the `cluvio-gateway` operator subcommands (`--json` prints the raw API answer). */
import type { AgentInfo, RouteInfo, GatewayStreamInfo } from '../gateway/index.js';

/** Left-aligned columns separated by two spaces. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatAgents(agents: readonly AgentInfo[]): string {
  if (agents.length === 0) return 'no agents registered\n';
  const rows = agents.flatMap((agent) => {
    const head = [agent.id, agent.name, agent.status, agent.online ? 'online' : 'offline'];
    if (agent.connections.length === 0) return [[...head, '-', '', '', '', '']];
    return agent.connections.map((connection, index) => [
      ...(index === 0 ? head : ['', '', '', '']),
      `#${connection.id} ${connection.phase}${connection.id === agent.currentConnectionId ? ' (current)' : ''}`,
      connection.remoteAddress,
      connection.acceptedAt ?? connection.since,
      String(connection.openStreams),
      `${formatBytes(connection.bytesIn)} in / ${formatBytes(connection.bytesOut)} out`,
    ]);
  });
  return formatTable(['AGENT', 'NAME', 'STATUS', 'STATE', 'CONNECTION', 'REMOTE', 'SINCE', 'STREAMS', 'BYTES'], rows);
}

export function formatStreams(streams: readonly GatewayStreamInfo[]): string {
  if (streams.length === 0) return 'no open streams\n';
  return formatTable(
    ['STREAM', 'AGENT', 'CONNECTION', 'TARGET', 'CLOSE', 'ORIGIN', 'PHASE', 'TO AGENT', 'FROM AGENT', 'OPENED'],
    streams.map((stream) => [
      String(stream.id),
      stream.agentId.slice(0, 12),
      `#${stream.connectionId}/${stream.muxStreamId}`,
      stream.target,
      stream.halfClose ? 'half' : 'full',
      stream.origin,
      stream.phase,
      formatBytes(stream.bytesToAgent),
      formatBytes(stream.bytesFromAgent),
      stream.openedAt,
    ]),
  );
}

export function formatRoutes(routes: readonly RouteInfo[]): string {
  if (routes.length === 0) return 'no routes\n';
  return formatTable(
    ['ROUTE', 'LISTEN', 'AGENT', 'TARGET', 'CLOSE', 'ACTIVE', 'ACCEPTED', 'FAILED'],
    routes.map((route) => [
      String(route.id),
      `${route.host.includes(':') ? `[${route.host}]` : route.host}:${route.port}`,
      route.agent.slice(0, 12),
      route.target,
      route.halfClose ? 'half' : 'full',
      String(route.activeConnections),
      String(route.acceptedConnections),
      String(route.failedConnections),
    ]),
  );
}

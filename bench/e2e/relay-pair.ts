/**
 * Joins two sockets the way the simplest Node relay does (`pipe` both ways, so each side's FIN
 * travels on and backpressure holds), destroying both when either fails or both are done. The
 * TLS pipe's two ends use it: it is the ceiling a Node tunnel can reach.
 */
import type { Duplex } from 'node:stream';

export function relayPair(a: Duplex, b: Duplex): void {
  const destroyBoth = (): void => {
    a.destroy();
    b.destroy();
  };
  a.on('error', destroyBoth);
  b.on('error', destroyBoth);
  a.on('close', () => {
    if (!b.writableFinished) b.destroy();
  });
  b.on('close', () => {
    if (!a.writableFinished) a.destroy();
  });
  a.pipe(b);
  b.pipe(a);
}

/**
 * Wraps a Node TCP socket as the libp2p `MessageStream` that @chainsafe/libp2p-yamux runs over
 * (libp2p's own TCP transport does the same; it is not a dependency here).
 */
import type { Socket } from 'node:net';
import { logger } from '@libp2p/logger';
import { AbstractMessageStream, type SendResult } from '@libp2p/utils';

/** The byte list type @libp2p/utils passes (its own uint8arraylist version, not the hoisted one). */
type ByteList = Parameters<AbstractMessageStream['sendData']>[0];

export class SocketMessageStream extends AbstractMessageStream {
  constructor(
    private readonly socket: Socket,
    direction: 'inbound' | 'outbound',
  ) {
    super({ log: logger(`interop:${direction}`), direction });
    socket.on('data', (chunk: Buffer) => {
      this.onData(chunk);
    });
    socket.on('end', () => {
      this.onRemoteCloseWrite();
    });
    socket.on('close', () => {
      this.onTransportClosed();
    });
    socket.on('drain', () => {
      this.safeDispatchEvent('drain');
    });
    socket.on('error', () => undefined); // 'close' follows and ends the stream
  }

  sendData(data: ByteList): SendResult {
    let canSendMore = true;
    for (const piece of data) canSendMore = this.socket.write(piece);
    return { sentBytes: data.byteLength, canSendMore };
  }

  sendReset(): void {
    this.socket.resetAndDestroy();
  }

  sendPause(): void {
    this.socket.pause();
  }

  sendResume(): void {
    this.socket.resume();
  }

  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = new Promise((resolve) => this.socket.once('close', resolve));
    this.socket.end();
    await closed;
  }
}

/**
 * The target server of the end-to-end benchmark (a child process, standing where the database
 * stands): a TCP server on 127.0.0.1 speaking target-protocol.ts. It sends from one preallocated
 * buffer and counts what it receives, so it costs little beside the paths it serves.
 *
 * Started with `fork()`; sends `{ port }` once listening, exits on any message.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { ANSWER_BYTE, COMMAND_BYTES, TargetMode, decodeCommand } from './target-protocol.js';

const SOURCE = randomBytes(1024 * 1024);
const ANSWER = Buffer.from([ANSWER_BYTE]);

function download(socket: net.Socket, remaining: number): void {
  while (remaining > 0) {
    const n = Math.min(remaining, SOURCE.length);
    remaining -= n;
    if (!socket.write(n === SOURCE.length ? SOURCE : SOURCE.subarray(0, n))) {
      socket.once('drain', () => {
        download(socket, remaining);
      });
      return;
    }
  }
  socket.end();
}

function serve(socket: net.Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  let header: Buffer = Buffer.alloc(0);
  const onHeader = (chunk: Buffer): void => {
    header = header.length === 0 ? chunk : Buffer.concat([header, chunk]);
    if (header.length < COMMAND_BYTES) return;
    socket.off('data', onHeader);
    const { mode, bytes } = decodeCommand(header);
    const rest = header.subarray(COMMAND_BYTES);
    switch (mode) {
      case TargetMode.Upload: {
        let left = bytes - rest.length;
        if (left <= 0) socket.write(ANSWER);
        else {
          socket.on('data', (data: Buffer) => {
            left -= data.length;
            if (left <= 0 && left + data.length > 0) socket.write(ANSWER);
          });
        }
        break;
      }
      case TargetMode.Download:
        socket.on('data', () => undefined);
        download(socket, bytes);
        break;
      case TargetMode.Echo:
        if (rest.length > 0) socket.write(rest);
        socket.on('data', (data: Buffer) => {
          socket.write(data);
        });
        break;
      case TargetMode.Idle:
        socket.on('data', () => undefined);
        socket.write(ANSWER);
        break;
      default:
        socket.destroy();
    }
  };
  socket.on('data', onHeader);
}

const server = net.createServer(serve);
server.maxConnections = 1_000_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  const { port } = server.address() as net.AddressInfo;
  process.send?.({ port });
});
process.on('message', () => {
  process.exit(0);
});
process.on('disconnect', () => {
  process.exit(0);
});

/**
 * A TCP proxy that delays every chunk by `oneWayMs` in each direction: a long round trip on
 * loopback, to see what receive-window auto-tuning buys. Used in-process by the mux benchmark
 * and as a child process of its own by the end-to-end benchmark (bench/e2e/delay-line-process.ts).
 *
 * How the delay line is built, per direction: every chunk read is stamped with its due time
 * (now + oneWayMs) and queued; one timer delivers the chunks that are due, in order, corked
 * into one write. It holds at most `maxQueuedBytes` (default 64 MiB): beyond that it stops
 * reading its source, so TCP's flow control reaches the sender (it never absorbs backpressure
 * without bound), and it stops delivering while the destination's buffer is full. 64 MiB per
 * 25 ms is 2.5 GiB/s, far above what anything here sends, so the line itself caps no
 * throughput: only end-to-end windows (yamux's) bound it. Chunks are forwarded as received
 * (no copy); both legs are loopback TCP with Nagle off.
 */
import net from 'node:net';

export interface DelayProxy {
  readonly port: number;
  close(): void;
}

export interface DelayProxyOptions {
  /** Bytes a direction holds before it stops reading its source (default 64 MiB). */
  readonly maxQueuedBytes?: number;
}

const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

interface Due {
  readonly chunk: Buffer | null; // null: the source ended
  readonly at: number;
}

/** One direction of the line. */
class DelayedDirection {
  private readonly queue: Due[] = [];
  private head = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private blocked = false;
  private paused = false;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly oneWayMs: number,
    private readonly maxQueuedBytes: number,
  ) {
    from.on('data', (chunk: Buffer) => {
      this.enqueue(chunk);
      this.queuedBytes += chunk.length;
      if (this.queuedBytes >= this.maxQueuedBytes && !this.paused) {
        this.paused = true;
        from.pause();
      }
    });
    from.on('end', () => {
      this.enqueue(null);
    });
    from.on('error', () => {
      setTimeout(() => to.destroy(), oneWayMs);
    });
    to.on('drain', () => {
      this.blocked = false;
      this.deliver();
    });
  }

  private enqueue(chunk: Buffer | null): void {
    this.queue.push({ chunk, at: performance.now() + this.oneWayMs });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.blocked) return;
    const next = this.queue[this.head];
    if (next === undefined) return;
    this.timer = setTimeout(this.onTimer, Math.max(0, next.at - performance.now()));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.deliver();
  };

  private deliver(): void {
    if (this.to.destroyed) return;
    const now = performance.now();
    this.to.cork();
    while (!this.blocked) {
      const next = this.queue[this.head];
      // Timers fire up to a millisecond early or late; deliver what is due within half a millisecond.
      if (next === undefined || next.at > now + 0.5) break;
      this.head += 1;
      if (next.chunk === null) {
        this.to.end();
        break;
      }
      this.queuedBytes -= next.chunk.length;
      if (!this.to.write(next.chunk)) this.blocked = true;
    }
    this.to.uncork();
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.paused && this.queuedBytes < this.maxQueuedBytes / 2) {
      this.paused = false;
      this.from.resume();
    }
    this.schedule();
  }
}

export async function startDelayProxy(
  targetPort: number,
  oneWayMs: number,
  options: DelayProxyOptions = {},
): Promise<DelayProxy> {
  const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    new DelayedDirection(client, upstream, oneWayMs, maxQueuedBytes);
    new DelayedDirection(upstream, client, oneWayMs, maxQueuedBytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

/**
 * A gateway for probing one agent with targets no real gateway sends: real TLS 1.3 (a fresh CA,
 * a `localhost` certificate), a real yamux session, the real handshake (Hello → sealed Challenge
 * → Response → Accepted, any agent key admitted), Client Pings answered — and then
 * `Server::Test` and data-stream `Connect` bodies written byte for byte from a `RawTarget`, so a
 * name may hold anything, invalid UTF-8 included.
 *
 *   const gateway = await startProbeGateway();
 *   // … start an agent with `host = "localhost"`, `port = gateway.port`, `trust = gateway.caPem`
 *   await gateway.accepted();
 *   await gateway.test(nameTarget('db\0.corp.example', 5432));     // 'CouldNotConnect'
 *   await gateway.connect(nameTarget('db.corp.example', 5432));    // 'Ok' | 'AddressNotAllowed' | …
 *
 * Answers: 'Ok', an `ErrorCode`, or 'no-reply' — the stream was reset or closed without a reply
 * frame, the control connection ended before the Test was answered, or nothing came within the
 * timeout. An agent that drops its control connection (a malformed Test ends it) reconnects; the
 * next probe waits for it to be accepted again.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { generateCertificateAuthority, issueServerCertificate } from '../../../src/gateway/certificates.js';
import { sealChallenge } from '../../../src/tunnel/auth/index.js';
import {
  type ClientMessage,
  type ErrorCode,
  FrameReader,
  type Message,
  type MessageId,
  type ServerMessage,
  decodeClientMessage,
  decodeStreamReplyMessage,
  encodeServerMessage,
  freshMessageId,
  readFrame,
  writeFrame,
} from '../../../src/tunnel/codec/index.js';
import { type MuxStream, Session } from '../../../src/tunnel/mux/index.js';
import { encodeConnectBody, encodeTestBody, type RawTarget } from './raw-target.js';

export type ProbeAnswer = 'Ok' | ErrorCode | 'no-reply';

export interface ProbeGateway {
  readonly port: number;
  readonly caPem: string;
  /** Resolves once an agent connection is accepted (at once if one is). */
  accepted(timeoutMs?: number): Promise<void>;
  /** Connections accepted so far (a reconnect after a dropped control connection adds one). */
  readonly acceptedCount: number;
  /** Sends `Server::Test` for `target` and resolves with the agent's answer. */
  test(target: RawTarget, timeoutMs?: number): Promise<ProbeAnswer>;
  /** Opens a data stream with `Connect` for `target`, reads the one reply, then resets the stream. */
  connect(
    target: RawTarget,
    options?: { readonly halfClose?: boolean; readonly timeoutMs?: number },
  ): Promise<ProbeAnswer>;
  close(): Promise<void>;
}

interface Connection {
  readonly session: Session;
  readonly control: MuxStream;
  readonly pending: Map<MessageId, (answer: ProbeAnswer) => void>;
  closed: boolean;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const CHALLENGE_LENGTH = 32;

export async function startProbeGateway(host = '127.0.0.1'): Promise<ProbeGateway> {
  const ca = await generateCertificateAuthority('Probe gateway CA');
  const leaf = await issueServerCertificate(ca, ['localhost']);
  let current: Connection | null = null;
  let acceptedCount = 0;
  const waiters = new Set<() => void>();
  const sockets = new Set<tls.TLSSocket>();

  const send = (control: MuxStream, data: ServerMessage, id: MessageId = freshMessageId()): Promise<void> =>
    writeFrame(control, encodeServerMessage({ id, data }));

  const serve = async (socket: tls.TLSSocket): Promise<void> => {
    const session = new Session(socket, { mode: 'server' });
    session.on('stream', (stream) => {
      if (stream.id !== 1) stream.reset();
      else void handshake(session, stream);
    });
    session.on('close', () => {
      if (current?.session === session) dropCurrent();
    });
    await once(socket, 'close');
  };

  const dropCurrent = (): void => {
    const connection = current;
    if (connection === null) return;
    current = null;
    connection.closed = true;
    for (const settle of connection.pending.values()) settle('no-reply');
    connection.pending.clear();
  };

  const handshake = async (session: Session, control: MuxStream): Promise<void> => {
    control.on('error', () => undefined);
    const reader = new FrameReader(control);
    const next = async (): Promise<Message<ClientMessage> | null> => {
      const body = await reader.read();
      return body === null ? null : decodeClientMessage(body);
    };
    try {
      const hello = await next();
      if (hello?.data?.type !== 'Hello') throw new Error('expected Hello');
      const plaintext = randomBytes(CHALLENGE_LENGTH);
      const challengeId = freshMessageId();
      await send(control, { type: 'Challenge', text: sealChallenge(hello.data.pubkey, plaintext) }, challengeId);
      const response = await next();
      if (
        response?.data?.type !== 'Response' ||
        response.data.re !== challengeId ||
        response.data.text.length !== plaintext.length ||
        !timingSafeEqual(response.data.text, plaintext)
      )
        throw new Error('expected the Response to the challenge');
      await send(control, { type: 'Accepted' });
      dropCurrent();
      const connection: Connection = { session, control, pending: new Map(), closed: false };
      current = connection;
      acceptedCount += 1;
      for (const wake of [...waiters]) wake();
      for (;;) {
        const message = await next();
        if (message === null) break;
        const data = message.data;
        if (data?.type === 'Ping') await send(control, { type: 'Pong', re: message.id });
        else if (data?.type === 'Test') {
          connection.pending.get(data.re)?.(data.code ?? 'Ok');
          connection.pending.delete(data.re);
        }
      }
    } catch {
      // A broken or finished control stream: the connection is over for the probe.
    }
    if (current?.session === session) dropCurrent();
    session.destroy();
  };

  const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem, minVersion: 'TLSv1.3' }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    void serve(socket);
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, host);
  await once(server, 'listening');

  const accepted = (timeoutMs = 30_000): Promise<void> => {
    if (current !== null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no agent was accepted within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(wake);
    });
  };

  return {
    port: (server.address() as AddressInfo).port,
    caPem: ca.certPem,
    accepted,
    get acceptedCount() {
      return acceptedCount;
    },
    async test(target, timeoutMs = DEFAULT_TIMEOUT_MS) {
      await accepted(timeoutMs);
      const connection = current;
      if (connection === null) return 'no-reply';
      const id = freshMessageId();
      const answer = new Promise<ProbeAnswer>((resolve) => {
        const timer = setTimeout(() => {
          connection.pending.delete(id);
          resolve('no-reply');
        }, timeoutMs);
        connection.pending.set(id, (value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
      try {
        await writeFrame(connection.control, encodeTestBody(id, target));
      } catch {
        connection.pending.get(id)?.('no-reply');
        connection.pending.delete(id);
      }
      return answer;
    },
    async connect(target, options = {}) {
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      await accepted(timeoutMs);
      const connection = current;
      if (connection === null) return 'no-reply';
      let stream: MuxStream;
      try {
        stream = connection.session.open();
      } catch {
        return 'no-reply';
      }
      stream.on('error', () => undefined);
      try {
        await writeFrame(stream, encodeConnectBody(freshMessageId(), target, options.halfClose ?? false));
        const body = await readFrame(stream, { signal: AbortSignal.timeout(timeoutMs) });
        if (body === null) return 'no-reply';
        const reply = decodeStreamReplyMessage(body).data;
        if (reply === null) return 'no-reply';
        return reply.ok ? 'Ok' : reply.code;
      } catch {
        return 'no-reply';
      } finally {
        stream.reset();
      }
    },
    async close() {
      dropCurrent();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

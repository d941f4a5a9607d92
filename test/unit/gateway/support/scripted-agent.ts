/**
 * A scripted agent for protocol tests of the gateway: a real TLS connection and a real yamux
 * client session, with the control stream driven message by message, so that a test can send
 * what no well-behaved agent sends (garbage, oversized frames, wrong answers, messages out of
 * order) and see exactly what the gateway answers.
 */
import { once } from 'node:events';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { openChallenge, type KeyPair } from '../../../../src/tunnel/auth/index.js';
import {
  type ClientMessage,
  FrameReader,
  type Message,
  type MessageId,
  type ServerMessage,
  type Version,
  decodeServerMessage,
  encodeClientMessage,
  freshMessageId,
  writeFrame,
} from '../../../../src/tunnel/codec/index.js';
import { type MuxStream, Session } from '../../../../src/tunnel/mux/index.js';
import type { GatewayFixture } from '../../../support/gateway-fixture.js';

export const VERSION_1_3_0 = { major: 1n, minor: 3n, patch: 0n } as const;

type Queued<T> = { readonly value: T } | { readonly error: Error };

/** A queue of values produced by events, consumed in order by `next()`. */
class Inbox<T> {
  readonly #items: Queued<T>[] = [];
  readonly #waiters: ((item: Queued<T>) => void)[] = [];

  push(item: Queued<T>): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  next(timeoutMs: number, what: string): Promise<T> {
    const item = this.#items.shift();
    if (item) return 'error' in item ? Promise.reject(item.error) : Promise.resolve(item.value);
    return new Promise((resolve, reject) => {
      const waiter = (queued: Queued<T>): void => {
        clearTimeout(timer);
        if ('error' in queued) reject(queued.error);
        else resolve(queued.value);
      };
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  get size(): number {
    return this.#items.length;
  }
}

export class ScriptedAgent {
  readonly socket: TLSSocket;
  readonly session: Session;
  readonly control: MuxStream;
  /** Resolves when the session is over, with its close error (undefined after a GoAway(0)). */
  readonly closed: Promise<Error | undefined>;
  readonly #messages = new Inbox<Message<ServerMessage>>();
  readonly #streams = new Inbox<MuxStream>();

  private constructor(socket: TLSSocket) {
    this.socket = socket;
    this.session = new Session(socket, { mode: 'client' });
    this.closed = new Promise((resolve) => this.session.once('close', resolve));
    this.session.on('stream', (stream) => {
      stream.on('error', () => undefined);
      this.#streams.push({ value: stream });
    });
    this.control = this.session.open();
    this.control.on('error', () => undefined);
    void this.#readControl();
  }

  /** TLS 1.3 to the fixture's gateway (name `localhost`, trusting its CA), then a yamux client session. */
  static async connect(fixture: GatewayFixture): Promise<ScriptedAgent> {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: fixture.port,
      servername: fixture.host,
      ca: fixture.ca.certPem,
      minVersion: 'TLSv1.3',
    });
    await once(socket, 'secureConnect');
    return new ScriptedAgent(socket);
  }

  /** Sends one framed Client message; resolves with its id. */
  async send(data: ClientMessage, id: MessageId = freshMessageId()): Promise<MessageId> {
    await writeFrame(this.control, encodeClientMessage({ id, data }));
    return id;
  }

  /** Sends a frame with an arbitrary body. */
  async sendFrame(body: Uint8Array): Promise<void> {
    await writeFrame(this.control, body);
  }

  /** Writes raw bytes on the control stream (no framing). */
  async sendBytes(bytes: Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.control.write(bytes, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** The next message from the gateway. */
  next(timeoutMs = 10_000): Promise<Message<ServerMessage>> {
    return this.#messages.next(timeoutMs, 'gateway message');
  }

  /** The next message, which must be of `type`. */
  async expect<T extends ServerMessage['type']>(
    type: T,
    timeoutMs = 10_000,
  ): Promise<{ readonly id: MessageId; readonly data: Extract<ServerMessage, { type: T }> }> {
    const message = await this.next(timeoutMs);
    if (message.data?.type !== type)
      throw new Error(
        `expected ${type}, got ${JSON.stringify(message.data, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}`,
      );
    return { id: message.id, data: message.data as Extract<ServerMessage, { type: T }> };
  }

  /** Messages received and not yet taken. */
  get pending(): number {
    return this.#messages.size;
  }

  /** Hello with `keyPair`'s public key, answers the Challenge; resolves with the Challenge id. */
  async authenticate(keyPair: KeyPair, version: Version = VERSION_1_3_0): Promise<MessageId> {
    await this.send({ type: 'Hello', pubkey: keyPair.publicKey, agentVersion: version });
    const challenge = await this.expect('Challenge');
    const opened = openChallenge(keyPair.secretKey, challenge.data.text);
    if (!opened.ok) throw new Error(`the gateway's challenge does not open: ${opened.failure}`);
    await this.send({ type: 'Response', re: challenge.id, text: opened.plaintext });
    return challenge.id;
  }

  /** authenticate() and wait for Accepted. */
  async handshake(keyPair: KeyPair): Promise<void> {
    await this.authenticate(keyPair);
    await this.expect('Accepted');
  }

  /** The next data stream the gateway opens. */
  nextDataStream(timeoutMs = 10_000): Promise<MuxStream> {
    return this.#streams.next(timeoutMs, 'data stream');
  }

  close(): Promise<void> {
    return this.session.close();
  }

  async #readControl(): Promise<void> {
    const reader = new FrameReader(this.control);
    try {
      for (;;) {
        const body = await reader.read();
        if (body === null) {
          this.#messages.push({ error: new Error('the gateway ended the control stream') });
          return;
        }
        this.#messages.push({ value: decodeServerMessage(body) });
      }
    } catch (error) {
      this.#messages.push({ error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
}

/** A frame prefix announcing `length` bytes, without the body. */
export function framePrefix(length: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(length, 0);
  return prefix;
}

/** `[id, …rest]` as raw CBOR: a message envelope with whatever data bytes a test wants. */
export function rawMessage(id: bigint, data: readonly number[] | null): Buffer {
  const head = Buffer.alloc(10);
  head[0] = data === null ? 0x81 : 0x82;
  head[1] = 0x1b;
  head.writeBigUInt64BE(id, 2);
  return Buffer.concat([head, Buffer.from(data ?? [])]);
}

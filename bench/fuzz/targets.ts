/**
 * The fuzz targets: everything that reads bytes or text an attacker (or a broken peer, or a
 * mangled download) controls. Each target states its oracle — what must hold for every input,
 * beyond "does not crash":
 *
 * - codec-frame-reader: the pull reader (`FrameReader`/`readFrame`, used on yamux streams) fed in
 *   arbitrary pieces agrees with a one-pass reading of the framing rules (PROTOCOL.md §3): the
 *   same frames and the same ending (clean end, `truncated`, `frame-too-large`).
 * - cbor-messages: each of the four message decoders returns a message or throws
 *   `ProtocolError`; a decoded message re-encodes to bytes that decode to the same message and
 *   encode to the same bytes again.
 * - yamux-frame-decoder: the mux frame parser fed in arbitrary pieces reports the same headers
 *   and body bytes as a one-pass reading, throws nothing but `MuxProtocolError`, and holds back
 *   at most one header plus one maximal body.
 * - yamux-session: a whole yamux session (as the agent, client mode, and as the gateway, server
 *   mode) fed hostile bytes ends cleanly: it stays up or closes with a `MuxError`, never throws
 *   out of its API or from a timer, and after `destroy()` no stream is left open.
 * - yamux-session-never-read: the same session, but its peer never reads (the session's writes
 *   block as a TCP socket's do) while the hostile frames are sent over and over (up to 3,000
 *   times: Pings, resets, window updates ask for answers or cost parsing): the session never parses
 *   a frame while its write queue is over its bound, the queue's peak stays within that bound plus
 *   what its own streams may add (a few frames each), and once the peer reads again the session
 *   reads again or has ended — no deadlock.
 * - config: `parseAgentConfig` returns a valid configuration (port 0–65535, non-empty allowlist,
 *   a 32-byte key, finite durations) or throws `ConfigError`, and no error message and no
 *   public view of the configuration contains the secret key's text.
 */
import { Duplex } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parse as parseToml } from '@iarna/toml';
import { FRAME_PREFIX_LENGTH, FrameReader, MAX_FRAME_LENGTH, ProtocolError } from '../../src/tunnel/codec/index.js';
import {
  decodeClientMessage,
  decodeConnectMessage,
  decodeServerMessage,
  decodeStreamReplyMessage,
  encodeClientMessage,
  encodeConnectMessage,
  encodeServerMessage,
  encodeStreamReplyMessage,
} from '../../src/tunnel/codec/index.js';
import type { Message } from '../../src/tunnel/codec/index.js';
import { ConfigError, parseAgentConfig, toPublicConfig } from '../../src/tunnel/config/index.js';
import { MuxError, MuxProtocolError, Session, type MuxStream } from '../../src/tunnel/mux/index.js';
import { FrameDecoder as MuxFrameDecoder } from '../../src/tunnel/mux/frame-decoder.js';
import { FrameType, HEADER_LENGTH } from '../../src/tunnel/mux/frame-header.js';
import {
  chunking,
  codecFrameStream,
  cborItem,
  cut,
  fromSeeds,
  mutated,
  mutatedText,
  tomlDocument,
  yamuxFrame,
} from './arbitraries.js';
import type { SeedCorpus } from './captures.js';

/** Thrown by an oracle: the input made the code under test misbehave. */
export class OracleViolation extends Error {
  override readonly name = 'OracleViolation';
}

function violation(message: string, cause?: unknown): OracleViolation {
  return new OracleViolation(message, cause === undefined ? undefined : { cause });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Called once per input, so the harness can sample memory. */
export type Probe = () => void;

export interface RunParameters {
  readonly numRuns: number;
  readonly seed: number;
  /** ms before a single (async) input counts as hung. */
  readonly timeout: number;
  /** Replay one counterexample. */
  readonly path?: string;
}

export interface CheckOutcome {
  readonly failed: boolean;
  readonly error: unknown;
  /** The shrunk failing input, printed. */
  readonly counterexample: string;
  readonly seed: number;
  readonly path: string | null;
}

export interface FuzzTarget {
  readonly name: string;
  readonly description: string;
  /** Share of the run's inputs. */
  readonly weight: number;
  /** Runs this target's property; `probe` is called once per input. */
  check(corpus: SeedCorpus, probe: Probe, parameters: RunParameters): Promise<CheckOutcome>;
}

async function checkProperty<Ts>(property: fc.IRawProperty<Ts>, parameters: RunParameters): Promise<CheckOutcome> {
  const details = await fc.check(property, { ...parameters, endOnFailure: false });
  return {
    failed: details.failed,
    error: details.errorInstance,
    counterexample: details.counterexample === null ? '' : fc.stringify(details.counterexample),
    seed: details.seed,
    path: details.counterexamplePath,
  };
}

// ---- minicbor-io framing ---------------------------------------------------------------------

type FramingOutcome = { readonly frames: Buffer[]; readonly end: 'boundary' | 'truncated' | 'frame-too-large' };

/** The framing rules of PROTOCOL.md §3, read in one pass over the whole input. */
function specFraming(bytes: Buffer, maxLength: number): FramingOutcome {
  const frames: Buffer[] = [];
  let offset = 0;
  for (;;) {
    if (offset === bytes.length) return { frames, end: 'boundary' };
    if (bytes.length - offset < FRAME_PREFIX_LENGTH) return { frames, end: 'truncated' };
    const length = bytes.readUInt32BE(offset);
    if (length > maxLength) return { frames, end: 'frame-too-large' };
    if (bytes.length - offset - FRAME_PREFIX_LENGTH < length) return { frames, end: 'truncated' };
    frames.push(bytes.subarray(offset + FRAME_PREFIX_LENGTH, offset + FRAME_PREFIX_LENGTH + length));
    offset += FRAME_PREFIX_LENGTH + length;
  }
}

const frameLimit = fc.oneof(
  { arbitrary: fc.constant(MAX_FRAME_LENGTH), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 64 }), weight: 1 },
);

function codecInput(corpus: SeedCorpus): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { arbitrary: fromSeeds(corpus.codecStreams), weight: 5 },
    { arbitrary: codecFrameStream, weight: 3 },
    { arbitrary: mutated([...corpus.codecStreams, ...corpus.cborBodies]), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)), weight: 1 },
  );
}

function expectProtocolError(error: unknown, kinds: readonly string[], where: string): ProtocolError {
  if (!(error instanceof ProtocolError))
    throw violation(`${where} threw ${describe(error)}, not a ProtocolError`, error);
  if (!kinds.includes(error.kind))
    throw violation(
      `${where} threw ProtocolError ${error.kind} (${error.message}), expected ${kinds.join(' or ')}`,
      error,
    );
  return error;
}

/** A byte stream that hands out `pieces` one per turn of the event loop, then ends. */
class PieceStream extends Duplex {
  readonly #pieces: Buffer[];

  constructor(pieces: Buffer[]) {
    super({ allowHalfOpen: true });
    this.#pieces = pieces;
  }

  override _read(): void {
    setImmediate(() => {
      const next = this.#pieces.shift();
      this.push(next ?? null);
    });
  }

  override _write(_chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    callback();
  }
}

const codecFrameReader: FuzzTarget = {
  name: 'codec-frame-reader',
  description: 'minicbor-io framing, pull reader on a stream (FrameReader / readFrame), pieces across event-loop turns',
  weight: 8,
  check(corpus, probe, parameters) {
    return checkProperty(
      fc.asyncProperty(
        codecInput(corpus),
        fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 4 }),
        frameLimit,
        async (bytes, sizes, maxLength) => {
          probe();
          const spec = specFraming(bytes, maxLength);
          const stream = new PieceStream(cut(bytes, sizes));
          const reader = new FrameReader(stream, { maxLength });
          const frames: Buffer[] = [];
          let end: FramingOutcome['end'];
          for (;;) {
            try {
              const frame = await reader.read();
              if (frame === null) {
                end = 'boundary';
                break;
              }
              frames.push(frame);
            } catch (error) {
              end = expectProtocolError(error, ['truncated', 'frame-too-large'], 'FrameReader.read')
                .kind as FramingOutcome['end'];
              break;
            }
          }
          stream.destroy();
          if (end !== spec.end) throw violation(`FrameReader ended with ${end}, the framing rules say ${spec.end}`);
          if (
            !isDeepStrictEqual(
              frames.map((f) => f.toString('hex')),
              spec.frames.map((f) => f.toString('hex')),
            )
          ) {
            throw violation(
              `FrameReader gave ${frames.length} frames, the framing rules ${spec.frames.length} (or different bytes)`,
            );
          }
        },
      ),
      parameters,
    );
  },
};

// ---- CBOR messages ----------------------------------------------------------------------------

interface MessageCodec {
  readonly name: string;
  decode(body: Uint8Array): Message<unknown>;
  encode(message: Message<unknown>): Uint8Array;
}

const MESSAGE_CODECS: readonly MessageCodec[] = [
  { name: 'Message<Server>', decode: decodeServerMessage, encode: encodeServerMessage },
  { name: 'Message<Client>', decode: decodeClientMessage, encode: encodeClientMessage },
  { name: 'Message<Connect>', decode: decodeConnectMessage, encode: encodeConnectMessage },
  { name: 'Message<Result<(),ErrorCode>>', decode: decodeStreamReplyMessage, encode: encodeStreamReplyMessage },
];

const cborMessages: FuzzTarget = {
  name: 'cbor-messages',
  description: 'the four CBOR message decoders (Server, Client, Connect, stream reply), with a re-encoding round trip',
  weight: 30,
  check(corpus, probe, parameters) {
    const input = fc.oneof(
      { arbitrary: fromSeeds(corpus.cborBodies), weight: 5 },
      { arbitrary: cborItem, weight: 4 },
      { arbitrary: fc.uint8Array({ maxLength: 128 }).map((b) => Buffer.from(b)), weight: 1 },
    );
    return checkProperty(
      fc.property(input, (bytes) => {
        probe();
        for (const codec of MESSAGE_CODECS) {
          let message: Message<unknown>;
          try {
            message = codec.decode(bytes);
          } catch (error) {
            if (!(error instanceof ProtocolError))
              throw violation(`decoding ${codec.name} threw ${describe(error)}, not a ProtocolError`, error);
            continue;
          }
          let encoded: Uint8Array;
          try {
            encoded = codec.encode(message);
          } catch (error) {
            throw violation(`${codec.name} decoded to a message that does not encode again: ${describe(error)}`, error);
          }
          let again: Message<unknown>;
          try {
            again = codec.decode(encoded);
          } catch (error) {
            throw violation(`${codec.name}: the re-encoded message does not decode: ${describe(error)}`, error);
          }
          if (!isDeepStrictEqual(again, message)) throw violation(`${codec.name}: decode(encode(m)) differs from m`);
          if (Buffer.compare(Buffer.from(codec.encode(again)), Buffer.from(encoded)) !== 0)
            throw violation(`${codec.name}: encoding is not stable`);
        }
      }),
      parameters,
    );
  },
};

// ---- yamux frames -----------------------------------------------------------------------------

type MuxEvent = string;

/** The yamux header rules of PROTOCOL.md §2.2, read in one pass; events as the decoder reports them. */
function specYamux(bytes: Buffer, maxDataBody: number): { events: MuxEvent[]; error: boolean } {
  const events: MuxEvent[] = [];
  let offset = 0;
  while (bytes.length - offset >= HEADER_LENGTH) {
    const version = bytes[offset] ?? -1;
    const type = bytes[offset + 1] ?? -1;
    if (version !== 0 || type > FrameType.GoAway) return { events, error: true };
    const flags = bytes.readUInt16BE(offset + 2);
    const streamId = bytes.readUInt32BE(offset + 4);
    const length = bytes.readUInt32BE(offset + 8);
    offset += HEADER_LENGTH;
    if (type !== FrameType.Data) {
      events.push(`frame ${type} ${flags} ${streamId} ${length}`);
      continue;
    }
    if (length > maxDataBody) return { events, error: true };
    events.push(`frame ${type} ${flags} ${streamId} ${length}`);
    const body = bytes.subarray(offset, offset + length);
    if (body.length > 0) events.push(`data ${body.toString('hex')}`);
    offset += body.length;
    if (body.length === length) events.push('end');
    else return { events, error: false };
  }
  return { events, error: false };
}

const yamuxFrameDecoder: FuzzTarget = {
  name: 'yamux-frame-decoder',
  description: 'yamux frame parser (mux FrameDecoder), input in arbitrary pieces',
  weight: 18,
  check(corpus, probe, parameters) {
    const input = fc.oneof(
      { arbitrary: fromSeeds(corpus.yamuxStreams), weight: 3 },
      {
        arbitrary: fc
          .array(fromSeeds(corpus.yamuxFrames), { minLength: 1, maxLength: 6 })
          .map((frames) => Buffer.concat(frames)),
        weight: 3,
      },
      {
        arbitrary: fc.array(yamuxFrame, { minLength: 1, maxLength: 6 }).map((frames) => Buffer.concat(frames)),
        weight: 3,
      },
      { arbitrary: fc.uint8Array({ maxLength: 128 }).map((b) => Buffer.from(b)), weight: 1 },
    );
    const limit = fc.oneof(fc.constantFrom(1024 * 1024, 256 * 1024), fc.integer({ min: 0, max: 64 }));
    return checkProperty(
      fc.property(input, chunking, limit, (bytes, sizes, maxDataBody) => {
        probe();
        const spec = specYamux(bytes, maxDataBody);
        const events: MuxEvent[] = [];
        let pendingData: Buffer[] = [];
        const flushData = (): void => {
          if (pendingData.length > 0) events.push(`data ${Buffer.concat(pendingData).toString('hex')}`);
          pendingData = [];
        };
        const decoder = new MuxFrameDecoder(
          {
            onFrame: (h) => {
              flushData();
              events.push(`frame ${h.type} ${h.flags} ${h.streamId} ${h.length}`);
            },
            onDataPiece: (piece) => {
              pendingData.push(Buffer.from(piece));
            },
            onDataEnd: () => {
              flushData();
              events.push('end');
            },
            readMore: () => true,
          },
          maxDataBody,
        );
        let error = false;
        for (const piece of cut(bytes, sizes)) {
          try {
            decoder.push(piece);
          } catch (thrown) {
            if (!(thrown instanceof MuxProtocolError))
              throw violation(`mux FrameDecoder threw ${describe(thrown)}, not a MuxProtocolError`, thrown);
            error = true;
            break;
          }
          if (decoder.pendingBytes > HEADER_LENGTH + maxDataBody)
            throw violation(`mux FrameDecoder holds back ${decoder.pendingBytes} bytes`);
        }
        flushData();
        if (error !== spec.error)
          throw violation(
            `mux FrameDecoder ${error ? 'refused' : 'accepted'} input the header rules ${spec.error ? 'refuse' : 'accept'}`,
          );
        if (!isDeepStrictEqual(events, spec.events))
          throw violation(
            `mux FrameDecoder reported ${events.length} events, the header rules ${spec.events.length} (or different ones)`,
          );
      }),
      parameters,
    );
  },
};

/** Two connected in-memory Duplexes; each write reaches the other side on a later turn. */
function duplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const make = (index: number): Duplex =>
    new Duplex({
      allowHalfOpen: true,
      read() {
        // Pushed by the other side.
      },
      write(chunk: Buffer, _encoding, callback) {
        const other = sides[1 - index];
        setImmediate(() => {
          if (other !== undefined && !other.destroyed) other.push(chunk);
          callback();
        });
      },
      final(callback) {
        const other = sides[1 - index];
        setImmediate(() => {
          if (other !== undefined && !other.destroyed) other.push(null);
          callback();
        });
      },
      destroy(error, callback) {
        const other = sides[1 - index];
        setImmediate(() => {
          if (other !== undefined && !other.destroyed) other.destroy();
        });
        callback(error);
      },
    });
  sides.push(make(0), make(1));
  return [sides[0] as Duplex, sides[1] as Duplex];
}

function turns(n: number): Promise<void> {
  return new Promise((resolve) => {
    let left = n;
    const step = (): void => {
      left -= 1;
      if (left <= 0) resolve();
      else setImmediate(step);
    };
    setImmediate(step);
  });
}

function isAcceptableStreamError(error: Error): boolean {
  return error instanceof MuxError || (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
}

const yamuxSession: FuzzTarget = {
  name: 'yamux-session',
  description: 'a whole yamux session (agent and gateway side) fed hostile bytes, echoing every stream',
  weight: 4,
  check(corpus, probe, parameters) {
    const input = fc.oneof(
      { arbitrary: fromSeeds(corpus.yamuxStreams), weight: 3 },
      {
        arbitrary: fc
          .array(fromSeeds(corpus.yamuxFrames), { minLength: 1, maxLength: 8 })
          .map((frames) => Buffer.concat(frames)),
        weight: 3,
      },
      {
        arbitrary: fc.array(yamuxFrame, { minLength: 1, maxLength: 8 }).map((frames) => Buffer.concat(frames)),
        weight: 3,
      },
    );
    return checkProperty(
      fc.asyncProperty(
        input,
        fc.array(fc.integer({ min: 1, max: 2048 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('client' as const, 'server' as const),
        async (bytes, sizes, mode) => {
          probe();
          const [ours, peer] = duplexPair();
          peer.on('error', () => undefined);
          peer.resume();
          const session = new Session(ours, { mode, closeTimeoutMs: 100, pingTimeoutMs: 100 });
          const streams: MuxStream[] = [];
          const streamErrors: Error[] = [];
          const ended: { closed: boolean; error: Error | undefined } = { closed: false, error: undefined };
          session.on('close', (error) => {
            ended.closed = true;
            ended.error = error;
          });
          const watch = (stream: MuxStream): void => {
            streams.push(stream);
            stream.on('error', (error) => streamErrors.push(error));
          };
          session.on('stream', (stream) => {
            watch(stream);
            stream.pipe(stream);
          });
          try {
            const own = session.open();
            watch(own);
            own.end('hello');
            own.resume();
          } catch (error) {
            throw violation(`Session.open threw ${describe(error)} on a fresh session`, error);
          }
          for (const piece of cut(bytes, sizes)) {
            peer.write(piece);
            await turns(1);
          }
          await turns(4);
          session.destroy();
          await turns(4);
          if (!ended.closed) throw violation('the session did not report its end after destroy()');
          const reported = ended.error;
          if (reported !== undefined && !(reported instanceof MuxError))
            throw violation(`the session closed with ${describe(reported)}, not a MuxError`, reported);
          const stray = streamErrors.find((error) => !isAcceptableStreamError(error));
          if (stray !== undefined) throw violation(`a stream errored with ${describe(stray)}, not a MuxError`, stray);
          const open = streams.filter((s) => !s.destroyed);
          if (open.length > 0) throw violation(`${open.length} stream(s) still open after the session was destroyed`);
        },
      ),
      parameters,
    );
  },
};

/**
 * Two connected in-memory Duplexes with a TCP socket's backpressure: a write completes only once
 * the other side's readable buffer (`highWaterMark`) has room, so a side that never reads blocks
 * the other's writes after one buffer's worth.
 */
function blockingPair(highWaterMark: number): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const blocked: ((() => void) | undefined)[] = [undefined, undefined];
  const make = (index: number): Duplex =>
    new Duplex({
      allowHalfOpen: true,
      readableHighWaterMark: highWaterMark,
      read() {
        // The other side may write again.
        const resume = blocked[1 - index];
        blocked[1 - index] = undefined;
        resume?.();
      },
      write(chunk: Buffer, _encoding, callback) {
        const other = sides[1 - index];
        setImmediate(() => {
          if (other === undefined || other.destroyed) {
            callback();
            return;
          }
          if (other.push(chunk)) callback();
          else blocked[index] = callback;
        });
      },
      destroy(error, callback) {
        const other = sides[1 - index];
        setImmediate(() => {
          if (other !== undefined && !other.destroyed) other.destroy();
        });
        const resume = blocked[index];
        blocked[index] = undefined;
        resume?.();
        callback(error);
      },
    });
  sides.push(make(0), make(1));
  return [sides[0] as Duplex, sides[1] as Duplex];
}

/** Small write batches and reply backlog, so that a few thousand frames reach the bounds. */
const NEVER_READ_MUX = { writeBatchBytes: 1024, maxOutgoingFrameBody: 256, replyBacklogBytes: 512 } as const;
/** The session's read-stop bound for NEVER_READ_MUX (session.ts: two data batches, then the reply backlog). */
const NEVER_READ_BOUND =
  2 * (NEVER_READ_MUX.writeBatchBytes + NEVER_READ_MUX.maxOutgoingFrameBody + 64 * HEADER_LENGTH) +
  NEVER_READ_MUX.replyBacklogBytes;
/** What one stream may add to the queue by itself (its first frame with SYN/ACK, a window update, FIN or RST). */
const PER_STREAM_FRAMES_BYTES = 4 * HEADER_LENGTH;

const yamuxSessionNeverRead: FuzzTarget = {
  name: 'yamux-session-never-read',
  description: 'a yamux session whose peer never reads, fed the same hostile frames over and over',
  weight: 3,
  check(corpus, probe, parameters) {
    const frames = fc.oneof(
      { arbitrary: fc.array(fromSeeds(corpus.yamuxFrames), { minLength: 1, maxLength: 4 }), weight: 2 },
      { arbitrary: fc.array(yamuxFrame, { minLength: 1, maxLength: 4 }), weight: 3 },
    );
    return checkProperty(
      fc.asyncProperty(
        frames,
        fc.integer({ min: 1, max: 3000 }),
        fc.constantFrom('client' as const, 'server' as const),
        async (chosen, repeat, mode) => {
          probe();
          const unit = Buffer.concat(chosen);
          const times = Math.max(1, Math.min(repeat, Math.floor((256 * 1024) / Math.max(1, unit.length))));
          const [ours, peer] = blockingPair(4 * 1024);
          peer.on('error', () => undefined);
          peer.pause(); // never reads
          const session = new Session(ours, { mode, ...NEVER_READ_MUX, closeTimeoutMs: 100, pingTimeoutMs: 100 });
          let inbound = 0;
          const ended = { closed: false, error: undefined as Error | undefined };
          session.on('close', (error) => {
            ended.closed = true;
            ended.error = error;
          });
          session.on('stream', (stream) => {
            inbound += 1;
            stream.on('error', () => undefined);
            stream.pipe(stream);
          });
          peer.write(Buffer.concat(Array.from({ length: times }, () => unit)));
          await turns(30);
          const stats = session.stats();
          if (stats.framesReadWhileBlocked > 0)
            throw violation(`${stats.framesReadWhileBlocked} frame(s) parsed while the write queue was over its bound`);
          const bound = NEVER_READ_BOUND + HEADER_LENGTH + (inbound + 1) * PER_STREAM_FRAMES_BYTES;
          if (stats.queuedBytesOutPeak > bound)
            throw violation(`the write queue held ${stats.queuedBytesOutPeak} bytes, above its bound of ${bound}`);
          // The peer reads again: the session drains and reads again (or has ended).
          peer.resume();
          await turns(60);
          if (!ended.closed && session.stats().readPaused && session.stats().queuedBytesOut === 0)
            throw violation('the session still does not read although its write queue is empty');
          session.destroy();
          await turns(4);
          if (ended.error !== undefined && !(ended.error instanceof MuxError))
            throw violation(`the session closed with ${describe(ended.error)}, not a MuxError`, ended.error);
        },
      ),
      parameters,
    );
  },
};

// ---- config -----------------------------------------------------------------------------------

/** The secret-key value of a TOML text, if it parses and has one that looks like a key. */
function secretOf(text: string): string | null {
  try {
    const value = (parseToml(text) as Record<string, unknown>)['secret-key'];
    return typeof value === 'string' && value.length >= 16 && text.split(value).length === 2 ? value : null;
  } catch {
    return null;
  }
}

const ENV_VALUES = [
  'localhost',
  '127.0.0.1',
  '',
  '443',
  '+4997',
  '70000',
  'x',
  '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
];

const config: FuzzTarget = {
  name: 'config',
  description:
    'cluvio-agent.toml loader (TOML, keys, secret key, durations, allowlist, host, port, trust, environment overrides)',
  weight: 22,
  check(corpus, probe, parameters) {
    const text = fc.oneof(
      { arbitrary: mutatedText(corpus.configTexts), weight: 4 },
      {
        arbitrary: fc
          .tuple(fc.constantFrom(...(corpus.configTexts.length > 0 ? corpus.configTexts : [''])), tomlDocument)
          .map(([seed, extra]) => `${seed}\n${extra}`),
        weight: 3,
      },
      { arbitrary: tomlDocument, weight: 2 },
      // Any code points, lone surrogates included (fast-check's own 'binary' unit would cache 80 MiB).
      {
        arbitrary: fc
          .array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0x10_ffff })), {
            maxLength: 200,
          })
          .map((points) => String.fromCodePoint(...points)),
        weight: 1,
      },
    );
    const env = fc.dictionary(
      fc.constantFrom(
        'CLUVIO_AGENT_SERVER_HOST',
        'CLUVIO_AGENT_SERVER_PORT',
        'cluvio_agent_server_trust',
        'CLUVIO_AGENT_SECRET_KEY',
        'CLUVIO_AGENT_SERVER',
      ),
      fc.constantFrom(...ENV_VALUES),
      { maxKeys: 2 },
    );
    return checkProperty(
      fc.property(
        text,
        fc.oneof({ arbitrary: fc.constant({}), weight: 4 }, { arbitrary: env, weight: 1 }),
        (toml, environment) => {
          probe();
          const secret = secretOf(toml);
          let parsed;
          try {
            parsed = parseAgentConfig(toml, { file: 'fuzz.toml', env: environment });
          } catch (error) {
            if (!(error instanceof ConfigError))
              throw violation(`parseAgentConfig threw ${describe(error)}, not a ConfigError`, error);
            if (secret !== null && error.message.includes(secret))
              throw violation('a ConfigError message quotes the secret key');
            return;
          }
          const { server } = parsed;
          if (!Number.isInteger(server.port) || server.port < 0 || server.port > 65_535)
            throw violation(`accepted port ${server.port}`);
          if (parsed.allowlist.entries.length === 0) throw violation('accepted an empty allowlist');
          if (parsed.publicKey.length !== 32 || parsed.agentId.length !== 43)
            throw violation('accepted a key that is not 32 bytes');
          if (
            !Number.isFinite(parsed.connectTimeoutMs) ||
            parsed.connectTimeoutMs < 0 ||
            !Number.isFinite(parsed.pingFrequencyMs) ||
            parsed.pingFrequencyMs < 0
          ) {
            throw violation(`accepted durations ${parsed.connectTimeoutMs} / ${parsed.pingFrequencyMs} ms`);
          }
          const secretText = parsed.secretKey.exportBase64url();
          for (const shown of [
            JSON.stringify(toPublicConfig(parsed)),
            JSON.stringify(parsed),
            String(parsed.secretKey),
          ]) {
            if (shown.includes(secretText))
              throw violation('the secret key shows in a printable view of the configuration');
          }
          // Matching never throws, whatever is asked.
          parsed.allowlist.allowsName(toml.slice(0, 64));
          parsed.allowlist.allowsIp(toml.slice(0, 40));
        },
      ),
      parameters,
    );
  },
};

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  codecFrameReader,
  cborMessages,
  yamuxFrameDecoder,
  yamuxSession,
  yamuxSessionNeverRead,
  config,
];

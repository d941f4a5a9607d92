/**
 * The fuzzer's seed corpus: the shared protocol vectors (vectors.json) and the recorded real
 * sessions (test/fuzz/captures/*.json, see record-captures.ts), cut into the units each fuzz
 * target reads: whole yamux byte streams, single yamux frames, codec frame streams (the control
 * stream's bytes), CBOR message bodies, and configuration files.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { FrameType, HEADER_LENGTH, decodeFrameHeader } from '../../src/tunnel/mux/frame-header.js';
import { capturesDir, vectorsPath } from './repo-root.js';

export interface CaptureConnection {
  readonly chunks: readonly { readonly dir: 'agent-to-gateway' | 'gateway-to-agent'; readonly hex: string }[];
}

export interface CaptureFile {
  readonly description: string;
  readonly agent: string;
  readonly recorded: string;
  readonly connections: readonly CaptureConnection[];
}

export interface SeedCorpus {
  /** Whole yamux byte streams, one per connection and direction (the first 64 KiB). */
  readonly yamuxStreams: readonly Buffer[];
  /** Single yamux frames (header and body), as seen on the wire. */
  readonly yamuxFrames: readonly Buffer[];
  /** Byte streams of minicbor-io frames: each control stream direction, each data stream's start. */
  readonly codecStreams: readonly Buffer[];
  /** CBOR bodies of single messages (vectors and captures). */
  readonly cborBodies: readonly Buffer[];
  /** `cluvio-agent.toml` texts. */
  readonly configTexts: readonly string[];
  /** Where the seeds came from, for the report. */
  readonly sources: readonly string[];
}

interface RawVector {
  readonly kind?: string;
  readonly cbor_hex?: string;
  readonly framed_hex?: string;
  readonly hex?: string;
  readonly toml_example?: string;
}

const STREAM_SEED_LIMIT = 64 * 1024;

/** Frames of a yamux byte stream (a trailing partial frame, or anything after a bad header, is left out). */
export function splitYamuxFrames(
  bytes: Buffer,
): { header: ReturnType<typeof decodeFrameHeader>; frame: Buffer; body: Buffer }[] {
  const frames = [];
  let offset = 0;
  while (bytes.length - offset >= HEADER_LENGTH) {
    let header;
    try {
      header = decodeFrameHeader(bytes, offset);
    } catch {
      break;
    }
    const bodyLength = header.type === FrameType.Data ? header.length : 0;
    const end = offset + HEADER_LENGTH + bodyLength;
    if (end > bytes.length) break;
    frames.push({ header, frame: bytes.subarray(offset, end), body: bytes.subarray(offset + HEADER_LENGTH, end) });
    offset = end;
  }
  return frames;
}

/** Bodies of the minicbor-io frames in `bytes` (stops at the first incomplete one). */
export function splitCodecFrames(bytes: Buffer): Buffer[] {
  const bodies: Buffer[] = [];
  let offset = 0;
  while (bytes.length - offset >= 4) {
    const length = bytes.readUInt32BE(offset);
    if (bytes.length - offset - 4 < length) break;
    bodies.push(bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return bodies;
}

function loadCaptures(): { file: string; capture: CaptureFile }[] {
  let names: string[];
  try {
    names = readdirSync(capturesDir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  return names.map((name) => ({
    file: path.join(capturesDir, name),
    capture: JSON.parse(readFileSync(path.join(capturesDir, name), 'utf8')) as CaptureFile,
  }));
}

let cached: SeedCorpus | undefined;

export function seedCorpus(): SeedCorpus {
  if (cached !== undefined) return cached;
  const yamuxStreams: Buffer[] = [];
  const yamuxFrames: Buffer[] = [];
  const codecStreams: Buffer[] = [];
  const cborBodies: Buffer[] = [];
  const configTexts: string[] = [];
  const sources: string[] = [];

  const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8')) as RawVector[];
  sources.push(`${vectorsPath} (${vectors.length} vectors)`);
  for (const vector of vectors) {
    if (vector.kind === 'message' && vector.cbor_hex !== undefined && vector.framed_hex !== undefined) {
      cborBodies.push(Buffer.from(vector.cbor_hex, 'hex'));
      codecStreams.push(Buffer.from(vector.framed_hex, 'hex'));
    } else if (vector.kind === 'yamux_frame' && vector.hex !== undefined) {
      yamuxFrames.push(Buffer.from(vector.hex, 'hex'));
    } else if (vector.kind === 'config' && vector.toml_example !== undefined) {
      configTexts.push(vector.toml_example);
    }
  }

  for (const { file, capture } of loadCaptures()) {
    sources.push(
      `${path.relative(path.dirname(capturesDir), file)} (${capture.agent}, ${capture.connections.length} connections)`,
    );
    for (const connection of capture.connections) {
      for (const dir of ['agent-to-gateway', 'gateway-to-agent'] as const) {
        const bytes = Buffer.concat(
          connection.chunks.filter((c) => c.dir === dir).map((c) => Buffer.from(c.hex, 'hex')),
        );
        if (bytes.length === 0) continue;
        yamuxStreams.push(bytes.subarray(0, STREAM_SEED_LIMIT));
        const perStream = new Map<number, Buffer[]>();
        for (const { header, frame, body } of splitYamuxFrames(bytes)) {
          if (frame.length <= 4096) yamuxFrames.push(frame);
          if (header.type === FrameType.Data && body.length > 0)
            perStream.set(header.streamId, [...(perStream.get(header.streamId) ?? []), body]);
        }
        for (const [streamId, bodies] of perStream) {
          // The control stream whole; a data stream only up to its first frame (then raw bytes follow).
          const streamBytes = Buffer.concat(bodies);
          const messages = splitCodecFrames(streamBytes);
          if (streamId === 1) codecStreams.push(streamBytes.subarray(0, STREAM_SEED_LIMIT));
          const first = messages[0];
          if (streamId !== 1 && first !== undefined) codecStreams.push(streamBytes.subarray(0, 4 + first.length));
          for (const message of streamId === 1 ? messages : messages.slice(0, 1)) cborBodies.push(message);
        }
      }
    }
  }
  cached = {
    yamuxStreams: dedupe(yamuxStreams),
    yamuxFrames: dedupe(yamuxFrames),
    codecStreams: dedupe(codecStreams),
    cborBodies: dedupe(cborBodies),
    configTexts,
    sources,
  };
  return cached;
}

function dedupe(buffers: Buffer[]): Buffer[] {
  const seen = new Set<string>();
  return buffers.filter((b) => {
    const key = b.toString('base64');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

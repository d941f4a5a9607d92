import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  MAX_FRAME_LENGTH,
  ProtocolError,
  decodeConnectMessage,
  encodeConnectMessage,
  encodeFrame,
  readFrame,
} from '../../../src/tunnel/codec/index.js';
import { nextStream, openStream, randomData, readAll, sessionPair, writeAll } from '../mux/support/session-pair.js';

const connectBody = encodeConnectMessage({
  id: 42n,
  data: { addr: { kind: 'name', name: 'db.internal', port: 5432 }, useHalfClose: true },
});

function prefix(length: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(length);
  return out;
}

/** Everything still readable from the stream, in order, through a pipe. */
async function drain(readable: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    readable,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(chunks);
}

describe('readFrame', () => {
  it('takes the Connect frame and leaves raw bytes from the same chunk in the stream, in order', async () => {
    const stream = new PassThrough();
    const raw = Buffer.from('\x00\x00\x00\x08startup-packet', 'latin1');
    stream.write(Buffer.concat([encodeFrame(connectBody), raw]));
    const body = await readFrame(stream);
    expect(decodeConnectMessage(body ?? new Uint8Array()).data?.addr).toEqual({
      kind: 'name',
      name: 'db.internal',
      port: 5432,
    });
    stream.end(Buffer.from('more bytes later'));
    expect((await drain(stream)).toString('latin1')).toBe(`${raw.toString('latin1')}more bytes later`);
  });

  it('reads consecutive frames from one chunk one at a time', async () => {
    const stream = new PassThrough();
    stream.end(
      Buffer.concat([encodeFrame(Uint8Array.of(1)), encodeFrame(Uint8Array.of(2, 2)), encodeFrame(new Uint8Array(0))]),
    );
    expect(await readFrame(stream)).toEqual(Buffer.from([1]));
    expect(await readFrame(stream)).toEqual(Buffer.from([2, 2]));
    expect(await readFrame(stream)).toEqual(Buffer.alloc(0));
    expect(await readFrame(stream)).toBeNull();
  });

  it('waits for a frame that arrives one byte at a time', async () => {
    const stream = new PassThrough();
    const pending = readFrame(stream);
    for (const byte of encodeFrame(connectBody)) {
      await nextTurn();
      stream.write(Uint8Array.of(byte));
    }
    expect(Buffer.from((await pending) ?? [])).toEqual(Buffer.from(connectBody));
  });

  it('resolves null at a clean end before any byte, also when the stream had already ended', async () => {
    const stream = new PassThrough();
    stream.end();
    expect(await readFrame(stream)).toBeNull();
    expect(await readFrame(stream)).toBeNull();
  });

  it('reports the end of the stream inside a prefix or a body as truncated', async () => {
    const inPrefix = new PassThrough();
    inPrefix.end(Uint8Array.of(0, 0, 1));
    await expect(readFrame(inPrefix)).rejects.toMatchObject({
      kind: 'truncated',
      message: expect.stringContaining('3 of 4 bytes into a frame length prefix') as unknown,
    });

    const inBody = new PassThrough();
    inBody.end(encodeFrame(connectBody).subarray(0, 10));
    await expect(readFrame(inBody)).rejects.toMatchObject({
      kind: 'truncated',
      message: expect.stringContaining(`6 of ${connectBody.length}`) as unknown,
    });
  });

  it('refuses an oversized prefix without waiting for its body', async () => {
    const stream = new PassThrough();
    stream.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    // The stream stays open: a reader that waited for 4 GiB of body would never settle.
    await expect(readFrame(stream)).rejects.toMatchObject({ kind: 'frame-too-large' });
    const atLimit = new PassThrough();
    atLimit.end(Buffer.concat([prefix(MAX_FRAME_LENGTH), Buffer.alloc(MAX_FRAME_LENGTH, 7)]));
    expect((await readFrame(atLimit))?.length).toBe(MAX_FRAME_LENGTH);
    const custom = new PassThrough();
    custom.end(encodeFrame(new Uint8Array(11)));
    await expect(readFrame(custom, { maxLength: 10 })).rejects.toBeInstanceOf(ProtocolError);
  });

  it('treats a stream destroyed without an end as truncated, and passes a stream error through', async () => {
    const destroyed = new PassThrough();
    const pending = readFrame(destroyed);
    destroyed.write(Uint8Array.of(0, 0));
    await nextTurn();
    destroyed.destroy();
    await expect(pending).rejects.toMatchObject({
      kind: 'truncated',
      message: expect.stringContaining('destroyed') as unknown,
    });

    const failing = new PassThrough();
    const failed = readFrame(failing);
    const reset = new Error('stream reset by peer');
    failing.destroy(reset);
    await expect(failed).rejects.toBe(reset);
  });

  it('returns a complete frame that arrived before the stream was reset (reply, then RST)', async () => {
    const stream = new PassThrough();
    stream.on('error', () => undefined);
    stream.write(encodeFrame(connectBody));
    await nextTurn();
    stream.destroy(new Error('stream reset by peer'));
    const body = await readFrame(stream);
    expect(body).not.toBeNull();
    expect(decodeConnectMessage(body ?? new Uint8Array()).id).toBe(42n);
    // The next read sees the reset.
    await expect(readFrame(stream)).rejects.toThrow('stream reset by peer');
  });

  it('stops waiting when aborted', async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    const pending = readFrame(stream, { signal: controller.signal });
    controller.abort(new Error('connection closing'));
    await expect(pending).rejects.toThrow('connection closing');
  });

  it('refuses a flowing stream, whose bytes it could not leave in place, and non-byte streams', async () => {
    const stream = new PassThrough();
    stream.on('data', () => undefined);
    await expect(readFrame(stream)).rejects.toBeInstanceOf(TypeError);
    await expect(readFrame(new PassThrough({ objectMode: true }))).rejects.toBeInstanceOf(TypeError);
    await expect(readFrame(new PassThrough().setEncoding('utf8'))).rejects.toBeInstanceOf(TypeError);
  });
});

describe('readFrame on a yamux stream', () => {
  it('reads a frame larger than the receive window (credit comes back as the body is read), and no byte beyond it', async () => {
    const { client, server } = sessionPair();
    const outbound = openStream(server);
    const inbound = nextStream(client);
    // 400 KiB + the raw bytes right behind it: above the 256 KiB window, below the 512 KiB frame limit.
    const body = randomData(400 * 1024);
    const written = writeAll(outbound, Buffer.concat([encodeFrame(body), Buffer.from('raw bytes after')]));
    const stream = await inbound;
    const frame = await readFrame(stream, { signal: AbortSignal.timeout(10_000) });
    expect(frame?.equals(body)).toBe(true);
    await written;
    outbound.end();
    expect((await readAll(stream)).toString()).toBe('raw bytes after');
    await Promise.all([client.close(), server.close()]);
  });
});

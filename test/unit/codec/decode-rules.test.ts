/**
 * The decode tolerance of the reference agent (PROTOCOL.md §4.2, §4.3, §5): what it accepts
 * beyond what it emits, and what it refuses. Inputs are written as CBOR hex so that each case
 * shows the exact bytes a peer would send.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeClientMessage,
  decodeConnectMessage,
  decodeServerMessage,
  decodeStreamReplyMessage,
  type ProtocolErrorKind,
} from '../../../src/tunnel/codec/index.js';
import { fromHex } from '../../support/vectors.js';

const ID = '1b0123456789abcdef';
const id = 0x0123456789abcdefn;
const RE = '1bfedcba9876543210';
const re = 0xfedcba9876543210n;
const V4 = '82008182008244' + '7f000001' + '191538'; // Address::Addr(127.0.0.1:5432)
const addrV4 = { kind: 'addr', family: 4, ip: '127.0.0.1', port: 5432 } as const;

/** `[ID, data]` from hex pieces. */
const msg = (...data: string[]): Uint8Array => fromHex(`82${ID}${data.join('')}`);

function expectError(decode: () => unknown, kind: ProtocolErrorKind): void {
  expect(decode).toThrow(expect.objectContaining({ name: 'ProtocolError', kind }));
}

describe('integers', () => {
  it('accepts non-shortest heads for ids, references, ports and variant indices', () => {
    expect(decodeServerMessage(fromHex('821b00000000000000058200' + '80'))).toEqual({ id: 5n, data: { type: 'Ping' } });
    expect(decodeServerMessage(msg('8201', '81', '1a00000007')).data).toEqual({ type: 'Pong', re: 7n });
    expect(decodeServerMessage(msg('82', '1800', '80')).data).toEqual({ type: 'Ping' });
    expect(decodeServerMessage(msg('8204', '81', '8201', '82', '626462', '1b0000000000001538')).data).toEqual({
      type: 'Test',
      addr: { kind: 'name', name: 'db', port: 5432 },
    });
  });

  it('refuses integers too large for their field', () => {
    expectError(() => decodeServerMessage(msg('8204', '81', '8201', '82', '626462', '1a00010000')), 'out-of-range');
    expectError(() => decodeServerMessage(msg('82', '1b8000000000000000', '80')), 'out-of-range');
    expectError(() => decodeConnectMessage(msg('a1', '1b8000000000000000', V4)), 'out-of-range');
    expectError(() => decodeConnectMessage(msg('a1', '3b8000000000000000', V4)), 'out-of-range');
  });

  it('reads variant indices and map keys as i64 (minicbor 2.x): negative or large ones are just unknown', () => {
    expect(decodeServerMessage(msg('82', '20', '80')).data).toBeNull();
    expect(decodeServerMessage(msg('82', '1b0000000100000000', '80')).data).toBeNull();
    expect(decodeServerMessage(msg('82', '3b7fffffffffffffff', '80')).data).toBeNull();
    expect(decodeStreamReplyMessage(msg('82', '20', '80')).data).toBeNull();
    expect(decodeServerMessage(msg('8204', '81', '8200', '81', '8220', '82447f000001191538')).data).toBeNull();
    expect(decodeConnectMessage(msg('a3', '20', '01', '1b0000000100000000', '02', '00', V4)).data).toEqual({
      addr: addrV4,
      useHalfClose: null,
    });
  });

  it('refuses negative integers, floats and tagged integers where an id goes', () => {
    expectError(() => decodeServerMessage(fromHex('82208200' + '80')), 'unexpected-type');
    expectError(() => decodeServerMessage(fromHex('82f93c008200' + '80')), 'unexpected-type');
    expectError(() => decodeServerMessage(fromHex('82c1058200' + '80')), 'unexpected-type');
  });
});

describe('structs (array and map bodies)', () => {
  it('skips unknown array positions and unknown map keys', () => {
    expect(decodeServerMessage(fromHex(`83${ID}820080` + '63616263')).data).toEqual({ type: 'Ping' });
    expect(decodeServerMessage(msg('8201', '83', RE, '6178', '820102')).data).toEqual({ type: 'Pong', re });
    expect(decodeConnectMessage(msg('a3', '09', 'a0', '00', V4, '01f5')).data).toEqual({
      addr: addrV4,
      useHalfClose: true,
    });
  });

  it('decodes a missing or null data as null, and refuses a missing id', () => {
    expect(decodeServerMessage(fromHex(`81${ID}`))).toEqual({ id, data: null });
    expect(decodeClientMessage(fromHex(`82${ID}f6`))).toEqual({ id, data: null });
    expectError(() => decodeServerMessage(fromHex('80')), 'missing-field');
    expectError(() => decodeServerMessage(fromHex('81f6')), 'unexpected-type');
  });

  it('refuses missing required fields', () => {
    expectError(() => decodeServerMessage(msg('8201', '80')), 'missing-field');
    expectError(() => decodeClientMessage(msg('8200', '81', '5820', '00'.repeat(32))), 'missing-field');
    expectError(() => decodeConnectMessage(msg('a0')), 'missing-field');
    expectError(() => decodeConnectMessage(msg('a1', '01f5')), 'missing-field');
    expectError(() => decodeClientMessage(msg('8204', 'a1', '0102')), 'missing-field');
    expectError(
      () => decodeServerMessage(msg('8204', '81', '8200', '81', '8200', '81', '447f000001')),
      'missing-field',
    );
  });

  it('treats only null as None: undefined is a type error', () => {
    expect(decodeConnectMessage(msg('a2', '00', V4, '01f6')).data).toEqual({ addr: addrV4, useHalfClose: null });
    expectError(() => decodeConnectMessage(msg('a2', '00', V4, '01f7')), 'unexpected-type');
  });

  it('lets the last of duplicate map keys win', () => {
    expect(decodeConnectMessage(msg('a3', '00', V4, '01f5', '01f6')).data).toEqual({
      addr: addrV4,
      useHalfClose: null,
    });
    expect(decodeConnectMessage(msg('a2', '00', V4, '00', '8201826164', '01')).data?.addr).toEqual({
      kind: 'name',
      name: 'd',
      port: 1,
    });
  });

  it('accepts indefinite-length struct bodies at every level', () => {
    expect(decodeServerMessage(fromHex(`9f${ID}820080ff`)).data).toEqual({ type: 'Ping' });
    expect(decodeServerMessage(msg('8201', '9f', RE, 'ff')).data).toEqual({ type: 'Pong', re });
    expect(
      decodeServerMessage(
        msg('8202', '81', '9f', '5820', '11'.repeat(32), '5820', '22'.repeat(32), '50', '33'.repeat(16), 'ff'),
      ).data,
    ).toMatchObject({ type: 'Challenge' });
    expect(decodeServerMessage(msg('8204', '81', '8201', '9f', '626462', '191538', 'ff')).data).toEqual({
      type: 'Test',
      addr: { kind: 'name', name: 'db', port: 5432 },
    });
    expect(
      decodeServerMessage(msg('8204', '81', '8200', '9f', '8200', '9f', '447f000001', '191538', 'ff', 'ff')).data,
    ).toEqual({ type: 'Test', addr: addrV4 });
    expect(decodeConnectMessage(msg('bf', '00', V4, '01f5', 'ff')).data).toEqual({ addr: addrV4, useHalfClose: true });
    expect(decodeClientMessage(msg('8204', 'bf', '00', RE, '0102', 'ff')).data).toEqual({
      type: 'Error',
      re,
      code: 'DecryptionFailed',
      msg: null,
    });
    expect(decodeClientMessage(msg('8200', '82', '5820', '00'.repeat(32), '9f010300ff')).data).toMatchObject({
      agentVersion: { major: 1n, minor: 3n, patch: 0n },
    });
  });
});

describe('enums', () => {
  it('requires a definite 2-element array for every enum value', () => {
    expectError(() => decodeServerMessage(msg('9f0080ff')), 'indefinite-enum');
    expectError(() => decodeClientMessage(msg('9f0180ff')), 'indefinite-enum');
    expectError(() => decodeServerMessage(msg('8203', '81', '9f0080ff')), 'indefinite-enum');
    expectError(() => decodeServerMessage(msg('8204', '81', '9f01', '82626462191538', 'ff')), 'indefinite-enum');
    expectError(
      () => decodeServerMessage(msg('8204', '81', '8200', '81', '9f00', '82447f000001191538', 'ff')),
      'indefinite-enum',
    );
    expectError(() => decodeStreamReplyMessage(msg('9f0080ff')), 'indefinite-enum');
    expectError(() => decodeServerMessage(msg('83008080')), 'invalid-length');
    expectError(() => decodeServerMessage(msg('8100')), 'invalid-length');
    expectError(() => decodeServerMessage(msg('0780')), 'unexpected-type');
  });

  it('skips whatever follows the index of a unit variant', () => {
    expect(decodeServerMessage(msg('8207', 'a1616101')).data).toEqual({ type: 'Accepted' });
    expect(decodeServerMessage(msg('8205', '07')).data).toEqual({ type: 'SwitchToNewConnection' });
    expect(decodeServerMessage(msg('8203', '81', '8201', '7f6161ff')).data).toEqual({
      type: 'Terminate',
      reason: 'Unauthorized',
    });
    expectError(() => decodeServerMessage(msg('8207', 'fc')), 'invalid-cbor');
  });

  it('requires Ok(()) to be an empty definite array', () => {
    expect(decodeStreamReplyMessage(msg('820080')).data).toEqual({ ok: true });
    expectError(() => decodeStreamReplyMessage(msg('82008101')), 'invalid-length');
    expectError(() => decodeStreamReplyMessage(msg('82009fff')), 'invalid-length');
  });

  it('turns unknown variants, also nested ones, into data = null', () => {
    expect(decodeServerMessage(msg('8209', '80')).data).toBeNull();
    expect(decodeClientMessage(msg('8207', '8101')).data).toBeNull();
    expect(decodeServerMessage(msg('8203', '81', '820980')).data).toBeNull();
    expect(decodeServerMessage(msg('8204', '81', '820780')).data).toBeNull();
    expect(decodeServerMessage(msg('8204', '81', '8200', '81', '8205', '82447f000001191538')).data).toBeNull();
    expect(decodeConnectMessage(msg('a2', '00', '820780', '01f5')).data).toBeNull();
    expect(decodeStreamReplyMessage(msg('8202', '80')).data).toBeNull();
  });

  it('skips exactly one item after an unknown ErrorCode index, as minicbor does: at the end of the frame that fails', () => {
    // ErrorCode is index_only, so the unknown index is already consumed when the Option field
    // skips "the variant value": the skip eats the next item, or fails at the end of input.
    expectError(() => decodeClientMessage(msg('8205', '82', RE, '07')), 'end-of-input');
    expect(decodeClientMessage(fromHex(`82${ID}8205 82${RE}07 00`.replaceAll(' ', ''))).data).toEqual({
      type: 'Test',
      re,
      code: null,
    });
    expectError(() => decodeStreamReplyMessage(msg('8201', '07')), 'end-of-input');
  });
});

describe('byte strings and text', () => {
  it('requires exact byte-string lengths for IP addresses and challenge parts', () => {
    expectError(
      () => decodeServerMessage(msg('8204', '81', '8200', '81', '8200', '82', '457f00000101', '191538')),
      'invalid-length',
    );
    expectError(
      () => decodeServerMessage(msg('8204', '81', '8200', '81', '8201', '82', '447f000001', '191538')),
      'invalid-length',
    );
    expectError(
      () =>
        decodeServerMessage(
          msg('8202', '81', '83', '581f', '11'.repeat(31), '5820', '22'.repeat(32), '50', '33'.repeat(16)),
        ),
      'invalid-length',
    );
  });

  it('keeps extra elements after ip and port out of the socket address', () => {
    expect(
      decodeServerMessage(msg('8204', '81', '8200', '81', '8200', '83', '447f000001', '191538', '6178')).data,
    ).toEqual({ type: 'Test', addr: addrV4 });
  });

  it('keeps an IPv4-mapped IPv6 address in its V6 form', () => {
    const mapped = '00000000000000000000ffff7f000001';
    expect(decodeServerMessage(msg('8204', '81', '8200', '81', '8201', '82', `50${mapped}`, '191538')).data).toEqual({
      type: 'Test',
      addr: { kind: 'addr', family: 6, ip: '::ffff:127.0.0.1', port: 5432 },
    });
  });

  it('accepts any pubkey length in Hello (checked later by authentication)', () => {
    expect(decodeClientMessage(msg('8200', '82', '43010203', '83010300')).data).toMatchObject({
      pubkey: Uint8Array.of(1, 2, 3),
    });
  });

  it('refuses indefinite-length strings and invalid UTF-8 where text is read', () => {
    expectError(() => decodeServerMessage(msg('8206', '81', '7f616161', '62ff')), 'unexpected-type');
    expectError(() => decodeServerMessage(msg('8206', '81', '62c328')), 'invalid-cbor');
    expectError(() => decodeClientMessage(msg('8200', '82', '5f4101ff', '83010300')), 'unexpected-type');
  });

  it('steps over indefinite strings, tags, floats and simple values in skipped positions', () => {
    for (const skipped of [
      '7f6161ff',
      '5f4101420203ff',
      'c105',
      'd8204100',
      'f93c00',
      'fb3ff0000000000000',
      'f0',
      'f820',
      'f7',
    ]) {
      expect(decodeServerMessage(fromHex(`83${ID}820780${skipped}`)).data).toEqual({ type: 'Accepted' });
    }
  });

  it('still refuses invalid UTF-8 and reserved bytes in skipped positions', () => {
    expectError(() => decodeServerMessage(fromHex(`83${ID}820780` + '62c328')), 'invalid-cbor');
    expectError(() => decodeServerMessage(fromHex(`83${ID}820780` + '1c')), 'invalid-cbor');
  });
});

describe('frame bodies', () => {
  it('decodes the first item and ignores whatever follows it in the frame', () => {
    for (const trailing of ['00', 'ff', 'ffffffff', '1c', '820080', '5b']) {
      expect(decodeServerMessage(fromHex(`82${ID}820780${trailing}`))).toEqual({ id, data: { type: 'Accepted' } });
    }
  });

  it('says what it expected and what it found', () => {
    expect(() => decodeServerMessage(fromHex('826178820080'))).toThrow(
      'expected an unsigned integer (Message<Server> id), found a text string (at byte 1)',
    );
    expect(() => decodeConnectMessage(msg('820080'))).toThrow(/expected a map \(Connect\), found an array/);
  });
});

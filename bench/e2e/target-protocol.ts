/**
 * What a benchmark client says to the target server (target-process.ts), identical on every path:
 * a 9-byte command (mode, then a 64-bit big-endian byte count) opens each connection.
 *
 * - `Upload n`: the client sends n bytes; once all arrived the target answers one byte.
 * - `Download n`: the target sends n bytes, then ends.
 * - `Echo`: every byte after the command comes straight back.
 * - `Idle`: the target answers one byte (the connection is open end to end) and stays silent.
 *
 * The answers never depend on the client's FIN, so the tunnel's full-close mode (the first
 * direction to end ends the transfer) and half-close mode measure the same thing.
 */
export const TargetMode = {
  Upload: 0x55,
  Download: 0x44,
  Echo: 0x45,
  Idle: 0x49,
} as const;

export type TargetMode = (typeof TargetMode)[keyof typeof TargetMode];

export const COMMAND_BYTES = 9;

/** The byte the target answers with (Upload complete, Idle open). */
export const ANSWER_BYTE = 0x6b;

export function encodeCommand(mode: TargetMode, bytes = 0): Buffer {
  const command = Buffer.alloc(COMMAND_BYTES);
  command[0] = mode;
  command.writeBigUInt64BE(BigInt(bytes), 1);
  return command;
}

export interface Command {
  readonly mode: number;
  readonly bytes: number;
}

export function decodeCommand(header: Buffer): Command {
  return { mode: header[0] ?? 0, bytes: Number(header.readBigUInt64BE(1)) };
}

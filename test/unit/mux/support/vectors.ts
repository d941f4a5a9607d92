/** The `yamux_frame` vectors of ../shared/protocol/vectors.json (PROTOCOL.md's companion file). */
import { readFileSync } from 'node:fs';

interface Vector {
  readonly kind: string;
  readonly name: string;
  readonly hex?: string;
}

const file = new URL('../../../../../shared/protocol/vectors.json', import.meta.url);
const vectors = JSON.parse(readFileSync(file, 'utf8')) as Vector[];

export const YAMUX_VECTOR_NAMES = vectors.filter((v) => v.kind === 'yamux_frame').map((v) => v.name);

export function yamuxVector(name: string): Buffer {
  const vector = vectors.find((v) => v.kind === 'yamux_frame' && v.name === name);
  if (vector?.hex === undefined) throw new Error(`no yamux_frame vector named ${name}`);
  return Buffer.from(vector.hex, 'hex');
}

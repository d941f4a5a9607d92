/**
 * `[server] trust`: PEM text with one or more `CERTIFICATE` blocks, read like rustls-pemfile 2.2
 * (other block types such as keys are skipped; a block without its END line or with broken
 * base64 is an error; no certificate at all is `no certificate found`). Unlike the reference,
 * which only notices an undecodable certificate when it builds the TLS config at startup
 * (`agent: tls error: …`), each certificate is checked here with node:crypto's X509Certificate.
 */
import { X509Certificate } from 'node:crypto';

export class TrustPemError extends Error {
  override readonly name = 'TrustPemError';
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface PemBlock {
  readonly label: string;
  readonly base64: string;
}

function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let label: string | null = null;
  let body = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/[\r ]+$/, '');
    if (line.startsWith(BEGIN)) {
      const trailer = /-+$/.exec(line)?.[0] ?? '';
      if (trailer.length !== 5)
        throw new TrustPemError(`failed to read certificate: illegal section start ${JSON.stringify(line)}`);
      label = line.slice(BEGIN.length, line.length - 5);
      body = '';
      continue;
    }
    if (label !== null && line === `${END}${label}-----`) {
      blocks.push({ label, base64: body });
      label = null;
      continue;
    }
    if (label !== null) body += line.replace(/\s+/g, '');
  }
  if (label !== null)
    throw new TrustPemError(`failed to read certificate: section end ${JSON.stringify(label)} missing`);
  return blocks;
}

/**
 * Returns each certificate re-encoded as a normalized PEM string (one per certificate), or throws
 * `TrustPemError` whose message starts with the reference's words.
 */
export function parseTrustPem(text: string): string[] {
  const certificates = pemBlocks(text).filter((block) => block.label === 'CERTIFICATE');
  if (certificates.length === 0) {
    throw new TrustPemError('no certificate found');
  }
  return certificates.map((block, index) => {
    const position = certificates.length > 1 ? ` ${index + 1} of ${certificates.length}` : '';
    if (!STRICT_BASE64.test(block.base64))
      throw new TrustPemError(`failed to read certificate${position}: its body is not valid base64`);
    try {
      return new X509Certificate(Buffer.from(block.base64, 'base64')).toString();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TrustPemError(`invalid certificate${position}: not a DER X.509 certificate (${reason})`);
    }
  });
}

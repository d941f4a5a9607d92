/**
 * DNS names as rustls-pki-types 1.13 `DnsName` validates them (the reference's `server.host`
 * and allowlist names): ASCII letters, digits, `-` and `_`; labels of 1–63 characters that do
 * not start or end with `-`; at most 253 bytes; the last label not all digits; one trailing dot
 * allowed (`example.com.`). IP literals are never DNS names.
 */
import { parseIpAddress } from './ip-address.js';

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

type LabelState = 'start' | 'next' | 'numeric' | 'after-numeric' | 'subsequent' | 'hyphen';

export function isDnsName(text: string): boolean {
  if (text.length > MAX_NAME_LENGTH) return false;
  let state: LabelState = 'start';
  let labelLength = 0;
  for (const char of text) {
    const isDigit = char >= '0' && char <= '9';
    const isLetter = (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_';
    if (char === '.') {
      if (state === 'subsequent') state = 'next';
      else if (state === 'numeric') state = 'after-numeric';
      else return false;
      labelLength = 0;
      continue;
    }
    const inLabel = state === 'subsequent' || state === 'numeric' || state === 'hyphen';
    if (inLabel && labelLength >= MAX_LABEL_LENGTH) return false;
    if (!inLabel) {
      if (isDigit) state = 'numeric';
      else if (isLetter) state = 'subsequent';
      else return false;
      labelLength = 1;
      continue;
    }
    if (char === '-') state = 'hyphen';
    else if (isDigit) state = state === 'numeric' ? 'numeric' : 'subsequent';
    else if (isLetter) state = 'subsequent';
    else return false;
    labelLength++;
  }
  return state === 'subsequent' || state === 'next';
}

/** Why a `server.host` value was refused. */
export type HostNameProblem = 'ip-literal' | 'invalid';

/** As the reference's `HostName`: a DNS name is accepted, an IP literal is refused, anything else is invalid. */
export function checkHostName(text: string): HostNameProblem | null {
  if (isDnsName(text)) return null;
  return parseIpAddress(text, 'strict') === null ? 'invalid' : 'ip-literal';
}

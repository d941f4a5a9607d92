/**
 * A requested target as logs and the UI show it: the reference's Display form (`1.2.3.4:5`,
 * `[::1]:5`, `name:port`), with a name made printable and bounded by `loggableText` — a gateway
 * may send any text as a name (line breaks, terminal escapes, half a megabyte), and this text goes
 * into log messages, the stream table and the UI's Streams view.
 */
import { formatAddress, type Address } from '../codec/index.js';
import { loggableText, NAME_TEXT_LIMIT } from '../log/index.js';

export function targetText(address: Address): string {
  if (address.kind === 'addr') return formatAddress(address);
  return `${loggableText(address.name, NAME_TEXT_LIMIT)}:${address.port}`;
}

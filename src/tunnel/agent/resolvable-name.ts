/**
 * Which target names reach the system resolver, and in which form: the promise of SECURITY.md §5
 * that the name resolved is the name the allowlist checked.
 *
 * The allowlist matches `Address::Name` as the gateway sent it (address-check.ts), and a
 * `*.corp.example` pattern only looks at the name's end; what comes before may be anything the
 * gateway likes. Node's resolver path then changes names on the way to getaddrinfo: its binding
 * maps every name through IDNA/UTS-46 (full-width letters and digits become ASCII, soft hyphens
 * and zero-width characters vanish, A–Z become a–z), getaddrinfo reads a C string that ends at
 * the first NUL (Node 20 passes `127.0.0.1\0.corp.example` on as `127.0.0.1`), and getaddrinfo
 * reads `127.1`, `0x7f000001`, `2130706433` or `::1` as IP addresses without asking DNS. Each of
 * these turns a checked name into another host — an IP address the allowlist's networks exclude.
 *
 * So a name is handed to the resolver only if it is a host name in the grammar the allowlist's
 * own names use (config/dns-name.ts, the reference's DNS-name rules: ASCII letters, digits, `-`
 * and `_`, labels of 1–63 that neither start nor end with `-`, at most 253 bytes, one optional
 * trailing dot, the last label not all digits) and is not an IPv4 address in one of the numeric
 * spellings getaddrinfo accepts (every label decimal, octal or `0x` hex, e.g. `0x7f.0x1`).
 * Anything else — NUL and every other control character, spaces, `%`, `/`, `:`, non-ASCII — is
 * refused before any lookup, and the gateway gets `CouldNotConnect`, the reference's answer for a
 * name its resolver cannot use.
 *
 * The name that passes is handed over with A–Z folded to a–z. Node's binding folds ASCII case in
 * every name it resolves (seen with strace: `Zq-Test.Example` is queried as `zq-test.example`),
 * and no Node API reaches getaddrinfo without that step; folding first leaves it nothing to
 * change, so the bytes handed over are the bytes getaddrinfo gets. Host names compare without
 * regard to ASCII case (RFC 4343; glibc's hosts file, DNS, macOS and Windows resolvers alike), and
 * every name the allowlist lets through with one case it would let through with the other only
 * where a pattern already ignores case — so folding changes no answer, only the spelling.
 *
 * Stricter than the reference (agent/src/stream.rs passes the name to getaddrinfo as it came):
 * an IP address spelled as a name, non-ASCII text and names beyond the grammar are refused here
 * where the reference would look them up. A name in those forms never reaches DNS anyway (the
 * resolver reads it as an IP address or finds nothing) except for non-ASCII names held raw in a
 * private DNS zone; a gateway that wants an IP address sends `Address::Addr`, which the
 * allowlist's networks then check.
 */
import { parseIpv6 } from '../codec/index.js';
import { isDnsName } from '../config/index.js';

export type NameProblem =
  /** Not a host name: a character, label or length outside the grammar. */
  | 'not-a-host-name'
  /** An IPv4 address in a numeric spelling that getaddrinfo would read as one. */
  | 'ip-address';

export type ResolvableName =
  { readonly ok: true; readonly lookupName: string } | { readonly ok: false; readonly problem: NameProblem };

/** One label of a numeric IPv4 spelling (inet_aton): decimal, octal with a leading 0, or hex with 0x. */
const NUMERIC_LABEL = /^(?:[0-9]+|0[xX][0-9a-fA-F]*)$/;

/** The name to hand to the resolver for a checked `Address::Name`, or why none may be. */
export function resolvableName(name: string): ResolvableName {
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
  if (labels.every((label) => NUMERIC_LABEL.test(label)) || parseIpv6(name) !== null)
    return { ok: false, problem: 'ip-address' };
  if (!isDnsName(name)) return { ok: false, problem: 'not-a-host-name' };
  return { ok: true, lookupName: asciiLowercase(name) };
}

/** Why a name was not looked up, for the log line and the stream table (never quotes the name). */
export function nameProblemText(problem: NameProblem): string {
  return problem === 'ip-address'
    ? 'an IP address written as a name is not looked up (the allowlist checks IP addresses sent as addresses)'
    : 'not a valid host name (letters, digits, "-" and "_" in dot-separated labels): not looked up';
}

function asciiLowercase(text: string): string {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

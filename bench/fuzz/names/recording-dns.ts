/**
 * A DNS server (UDP) that records every question it is asked, byte for byte, and answers from a
 * small table: what an agent's getaddrinfo actually sent to DNS for a name, the part of "what
 * reaches the resolver" that can be observed from outside the process. Names not in the table
 * get NXDOMAIN at once, so no lookup ever waits on the network.
 *
 *   const dns = await startRecordingDns('127.0.0.153', { 'db.dns.example': { a: ['127.0.0.3'] } });
 *   dns.questions()   // [{ labels: [<Buffer 64 62>, …], name: 'db.dns.example', type: 1 }, …]
 *
 * Port 53 (resolv.conf has no port syntax), so this needs root or CAP_NET_BIND_SERVICE.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { isIPv4 } from 'node:net';
import { parseIpv4, parseIpv6 } from '../../../src/tunnel/codec/index.js';

export interface DnsAnswers {
  readonly a?: readonly string[];
  readonly aaaa?: readonly string[];
}

export interface DnsQuestion {
  /** The labels exactly as sent (a label may hold any byte, a dot included). */
  readonly labels: readonly Buffer[];
  /** The labels as latin1 text joined with dots (for reports and simple comparisons). */
  readonly name: string;
  /** 1 = A, 28 = AAAA, … */
  readonly type: number;
}

export interface RecordingDns {
  readonly address: string;
  questions(): readonly DnsQuestion[];
  /** Forgets the questions recorded so far. */
  clear(): void;
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;
const NXDOMAIN = 3;
const FORMERR = 1;

/** `table` keys: lower-case names without a trailing dot. */
export async function startRecordingDns(
  address: string,
  table: Readonly<Record<string, DnsAnswers>> = {},
): Promise<RecordingDns> {
  const socket = dgram.createSocket(isIPv4(address) ? 'udp4' : 'udp6');
  let questions: DnsQuestion[] = [];
  socket.on('message', (query, peer) => {
    const question = parseQuestion(query);
    if (question === null) {
      if (query.length >= 2) socket.send(header(query, FORMERR, 0, 0), peer.port, peer.address);
      return;
    }
    questions.push(question.question);
    const entry = table[question.question.name.toLowerCase().replace(/\.$/, '')];
    const records =
      entry === undefined
        ? []
        : question.question.type === TYPE_A
          ? (entry.a ?? []).map((ip) => parseIpv4(ip))
          : question.question.type === TYPE_AAAA
            ? (entry.aaaa ?? []).map((ip) => parseIpv6(ip))
            : [];
    const answers = records
      .filter((r): r is Uint8Array => r !== null)
      .map((rdata) => answer(question.question.type, rdata));
    const reply = Buffer.concat([
      header(query, entry === undefined ? NXDOMAIN : 0, 1, answers.length),
      query.subarray(12, question.end),
      ...answers,
    ]);
    socket.send(reply, peer.port, peer.address);
  });
  socket.bind(53, address);
  await once(socket, 'listening');
  return {
    address,
    questions: () => questions,
    clear() {
      questions = [];
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function parseQuestion(query: Buffer): { readonly question: DnsQuestion; readonly end: number } | null {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return null;
  const labels: Buffer[] = [];
  let at = 12;
  for (;;) {
    const length = query[at];
    if (length === undefined || length > 63) return null;
    at += 1;
    if (length === 0) break;
    if (at + length > query.length) return null;
    labels.push(Buffer.from(query.subarray(at, at + length)));
    at += length;
  }
  if (at + 4 > query.length) return null;
  const type = query.readUInt16BE(at);
  return { question: { labels, name: labels.map((l) => l.toString('latin1')).join('.'), type }, end: at + 4 };
}

/** The reply header: the query's id and RD bit, QR and RA set, `rcode`. */
function header(query: Buffer, rcode: number, questions: number, answers: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(query.readUInt16BE(0), 0);
  const rd = (query[2] ?? 0) & 0x01;
  out[2] = 0x80 | rd;
  out[3] = 0x80 | rcode;
  out.writeUInt16BE(questions, 4);
  out.writeUInt16BE(answers, 6);
  return out;
}

/** One answer record pointing back at the question's name (offset 12). */
function answer(type: number, rdata: Uint8Array): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0);
  fixed.writeUInt16BE(type, 2);
  fixed.writeUInt16BE(1, 4); // class IN
  fixed.writeUInt32BE(60, 6);
  fixed.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([fixed, rdata]);
}

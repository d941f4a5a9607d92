/**
 * The names differential: the same targets sent by a ProbeGateway to the real reference agent
 * and to ours, each with the same allowlist, its own target listeners and (where the machine
 * allows) its own recording resolver; then the answers and what reached the OS compared.
 *
 * What must hold for every input (`judge`), the promise of SECURITY.md §5:
 *
 * 1. The allowlist decides alike: `AddressNotAllowed` from both agents exactly when our matcher
 *    refuses the target (a message no agent can decode — a name that is not UTF-8 — gets no
 *    reply from either).
 * 2. An allowed IP address, or an allowed name our agent resolves (resolvable-name.ts), gets the
 *    same answer from both.
 * 3. An allowed name our agent does not resolve gets `CouldNotConnect` from ours; the reference
 *    may answer `Ok` there only by having connected (an IP address spelled as a name, which its
 *    getaddrinfo reads as one): such inputs are counted as the reference's bypasses.
 * 4. Our agent never reaches an excluded listener (127.0.0.1, 127.0.0.2, ::1 on the target
 *    port) except through a name the hosts file or DNS table legitimately maps there.
 * 5. With recording resolvers: every DNS question ours asks is the checked name with A–Z folded
 *    (less a trailing dot) of an input it resolved, and the reference asked it too (in any case).
 *
 * `runSequential` attributes listener hits and DNS questions to one input exactly (the table);
 * `runBatch` sends a batch concurrently (the fuzzer) and checks 4 and 5 per batch.
 */
import { resolvableName } from '../../../src/tunnel/agent/resolvable-name.js';
import { Allowlist } from '../../../src/tunnel/config/index.js';
import { PRIVATE_HOSTS, privateResolverSupport } from './private-resolver.js';
import type { ProbeAnswer } from './probe-gateway.js';
import { type ProbeSubject, type SubjectKind, startProbeSubject } from './probe-subject.js';
import { describeRawTarget, nameText, type RawTarget } from './raw-target.js';
import type { DnsAnswers, DnsQuestion } from './recording-dns.js';
import { EXCLUDED_ADDRESSES } from './target-listeners.js';

export type Via = 'test' | 'stream' | 'stream-half-close';

/** A target whose port may be "the subject's listeners" (each agent has its own). */
export type ProbeTarget =
  | { readonly kind: 'name'; readonly name: Uint8Array; readonly port: number | 'listeners' }
  | { readonly kind: 'addr'; readonly ip: Uint8Array; readonly port: number | 'listeners' };

export interface ProbeInput {
  readonly target: ProbeTarget;
  readonly via: Via;
}

export interface Observation {
  readonly answer: ProbeAnswer;
  /** Connections counted on each excluded address while this input (or batch) ran. */
  readonly excludedHits: ReadonlyMap<string, number>;
  readonly questions: readonly DnsQuestion[];
}

export interface Judgement {
  /** Broken promises: any entry fails the run. */
  readonly problems: readonly string[];
  /** The reference connected where ours refused: an IP address spelled as a name got past its allowlist. */
  readonly referenceBypass: boolean;
  /** Ours answered CouldNotConnect where the reference answered Ok (rule 3). */
  readonly stricter: boolean;
  /** The reference's reply on a data stream was lost behind its own RST (see `judge`). */
  readonly referenceReplyLost: boolean;
}

export interface ProbeOptions {
  readonly allowlist: readonly string[];
  /** The DNS table of the recording resolvers. */
  readonly dns: Readonly<Record<string, DnsAnswers>>;
  /** Use recording resolvers when the machine allows (default true); else the system's resolver. */
  readonly privateResolver?: boolean;
  readonly logFilter?: string;
  readonly json?: boolean;
}

/** The networks every probe allowlist holds: the allowed listener, as IPv4 and IPv4-mapped IPv6. */
export const PROBE_ALLOWED_NETWORKS: readonly string[] = ['127.0.0.3/32', '::ffff:127.0.0.3/128'];

/** The DNS table both recording resolvers answer from. */
export const PROBE_DNS: Readonly<Record<string, DnsAnswers>> = {
  'db.dns.example': { a: ['127.0.0.3'] },
  // A name the DNS maps to an excluded address: allowed names go where DNS says (trusted, §5).
  'loop.dns.example': { a: ['127.0.0.1'] },
};

export class DifferentialProbe {
  readonly allowlist: Allowlist;
  readonly reference: ProbeSubject;
  readonly ours: ProbeSubject;
  readonly #dns: Readonly<Record<string, DnsAnswers>>;
  /** Why there are no recording resolvers, or null when there are. */
  readonly resolverUnavailable: string | null;

  private constructor(
    allowlist: Allowlist,
    reference: ProbeSubject,
    ours: ProbeSubject,
    dns: Readonly<Record<string, DnsAnswers>>,
    resolverUnavailable: string | null,
  ) {
    this.allowlist = allowlist;
    this.reference = reference;
    this.ours = ours;
    this.#dns = dns;
    this.resolverUnavailable = resolverUnavailable;
  }

  static async start(options: ProbeOptions): Promise<DifferentialProbe> {
    let unavailable: string | null = options.privateResolver === false ? 'not asked for' : null;
    if (unavailable === null) {
      const support = await privateResolverSupport();
      if (!support.ok) unavailable = support.reason;
    }
    const start = (kind: SubjectKind): Promise<ProbeSubject> =>
      startProbeSubject(kind, {
        allowlist: options.allowlist,
        dns: unavailable === null ? options.dns : null,
        ...(options.logFilter === undefined ? {} : { logFilter: options.logFilter }),
        ...(options.json === undefined ? {} : { json: options.json }),
      });
    const [reference, ours] = await Promise.allSettled([start('reference'), start('ours')]);
    if (reference.status === 'rejected' || ours.status === 'rejected') {
      if (reference.status === 'fulfilled') await reference.value.close();
      if (ours.status === 'fulfilled') await ours.value.close();
      throw reference.status === 'rejected' ? reference.reason : (ours as PromiseRejectedResult).reason;
    }
    return new DifferentialProbe(
      Allowlist.of(options.allowlist),
      reference.value,
      ours.value,
      options.dns,
      unavailable,
    );
  }

  /** One input at a time: hits and DNS questions belong to it alone. */
  async runSequential(input: ProbeInput): Promise<{ reference: Observation; ours: Observation; judgement: Judgement }> {
    const [reference, ours] = await Promise.all([
      this.#observe(this.reference, [input]),
      this.#observe(this.ours, [input]),
    ]);
    const referenceOne = { ...reference, answer: reference.answers[0] ?? 'no-reply' };
    const oursOne = { ...ours, answer: ours.answers[0] ?? 'no-reply' };
    const judgement = this.judge(input, referenceOne.answer, oursOne.answer);
    const effects = this.judgeEffects([input], [oursOne.answer], oursOne, referenceOne);
    return {
      reference: referenceOne,
      ours: oursOne,
      judgement: {
        ...judgement,
        problems: [...judgement.problems, ...effects],
        referenceBypass:
          judgement.referenceBypass ||
          (referenceHitExcluded(referenceOne) && !this.#legitimateFor(input, referenceOne)),
      },
    };
  }

  /**
   * A batch at once: answers judged per input, listener hits and DNS questions per batch. A hit
   * counted a moment late may belong to the `previous` batch: its legitimate targets count too.
   */
  async runBatch(
    inputs: readonly ProbeInput[],
    previous: readonly ProbeInput[] = [],
  ): Promise<{
    judgements: Judgement[];
    problems: string[];
    answers: { reference: ProbeAnswer[]; ours: ProbeAnswer[] };
    questions: { reference: number; ours: number };
  }> {
    const [reference, ours] = await Promise.all([
      this.#observe(this.reference, inputs),
      this.#observe(this.ours, inputs),
    ]);
    const judgements = inputs.map((input, index) =>
      this.judge(input, reference.answers[index] ?? 'no-reply', ours.answers[index] ?? 'no-reply'),
    );
    return {
      judgements,
      problems: this.judgeEffects(inputs, ours.answers, ours, reference, previous),
      answers: { reference: reference.answers, ours: ours.answers },
      questions: { reference: reference.questions.length, ours: ours.questions.length },
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.reference.close(), this.ours.close()]);
  }

  /**
   * Rules 1–3 for one input. On a data stream the reference's refusal may arrive as no reply:
   * it drops the stream right after queueing the reply, and yamux 0.10 can put the RST on the
   * wire first (PROTOCOL.md §2.6; seen here for about half of its immediate refusals). Such a
   * lost reply (`referenceReplyLost`) stands for "refused or failed", never for Ok: the reference
   * keeps a stream it connected.
   */
  judge(input: ProbeInput, reference: ProbeAnswer, ours: ProbeAnswer): Judgement {
    const problems: string[] = [];
    const what = `${describeInput(input)}: reference ${reference}, ours ${ours}`;
    const allowed = this.allows(input.target);
    const referenceReplyLost = input.via !== 'test' && allowed !== null && reference === 'no-reply';
    let referenceBypass = false;
    let stricter = false;
    if (allowed === null) {
      // Not UTF-8: neither agent can decode the message.
      if (ours !== 'no-reply') problems.push(`${what}: an undecodable name must get no reply`);
      if (reference !== 'no-reply') problems.push(`${what}: the reference replied to an undecodable name`);
    } else if (!allowed) {
      if (ours !== 'AddressNotAllowed') problems.push(`${what}: our matcher refuses it, our agent did not`);
      if (reference !== 'AddressNotAllowed' && !referenceReplyLost)
        problems.push(`${what}: our matcher refuses it, the reference did not`);
    } else if (input.target.kind === 'name' && !resolvableName(nameText(rawOf(input.target, 0)) ?? '').ok) {
      if (ours !== 'CouldNotConnect') problems.push(`${what}: a name we do not resolve must get CouldNotConnect`);
      if (reference === 'Ok') {
        referenceBypass = true;
        stricter = true;
      } else if (reference !== 'CouldNotConnect' && !referenceReplyLost)
        problems.push(`${what}: unexpected reference answer`);
    } else if (referenceReplyLost ? ours === 'Ok' || ours === 'no-reply' : reference !== ours) {
      problems.push(`${what}: the answers differ`);
    }
    return { problems, referenceBypass, stricter, referenceReplyLost };
  }

  /** Whether our matcher allows the target; null when its name is not UTF-8. */
  allows(target: ProbeTarget): boolean | null {
    if (target.kind === 'addr') return this.allowlist.allowsIp(target.ip);
    const text = nameText(rawOf(target, 0));
    return text === null ? null : this.allowlist.allowsName(text);
  }

  /** Rules 4 and 5 over a batch (or one input). */
  judgeEffects(
    inputs: readonly ProbeInput[],
    oursAnswers: readonly ProbeAnswer[],
    ours: Pick<Observation, 'excludedHits' | 'questions'>,
    reference: Pick<Observation, 'questions'>,
    previous: readonly ProbeInput[] = [],
  ): string[] {
    const problems: string[] = [];
    const batch = inputs.length === 1 ? describeInput(inputs[0] as ProbeInput) : `a batch of ${inputs.length}`;
    for (const [address, count] of ours.excludedHits) {
      if (count === 0) continue;
      const legitimate =
        inputs.some((input, index) => oursAnswers[index] === 'Ok' && this.#legitimateAddresses(input).has(address)) ||
        previous.some((input) => this.#legitimateAddresses(input).has(address));
      if (!legitimate)
        problems.push(
          `${batch}: our agent connected to the excluded listener ${address} ${count} time(s)${inputs.length === 1 ? '' : `; inputs: ${inputs.map(describeInput).join(' | ')}`}`,
        );
    }
    if (this.resolverUnavailable === null) {
      const expected = new Set<string>();
      for (const input of inputs) {
        const text = input.target.kind === 'name' ? nameText(rawOf(input.target, 0)) : null;
        const checked = text === null ? null : resolvableName(text);
        if (checked?.ok === true) expected.add(checked.lookupName.replace(/\.$/, ''));
      }
      const asked = new Set(reference.questions.map((q) => q.name.toLowerCase()));
      for (const question of ours.questions) {
        if (!expected.has(question.name))
          problems.push(
            `${batch}: our agent asked DNS for ${JSON.stringify(question.name)}, not a checked name folded to lower case`,
          );
        if (!asked.has(question.name))
          problems.push(
            `${batch}: our agent asked DNS for ${JSON.stringify(question.name)}, the reference did not ask for it`,
          );
      }
    }
    return problems;
  }

  async #observe(
    subject: ProbeSubject,
    inputs: readonly ProbeInput[],
  ): Promise<{ answers: ProbeAnswer[]; excludedHits: Map<string, number>; questions: DnsQuestion[] }> {
    const hitsBefore = new Map(subject.listeners.hits());
    subject.resolver?.dns.clear();
    const answers = await Promise.all(inputs.map((input) => this.#send(subject, input)));
    // A connection the agent made is accepted by now in all but odd schedules; let the loop turn.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const excludedHits = new Map<string, number>();
    for (const address of EXCLUDED_ADDRESSES)
      excludedHits.set(address, (subject.listeners.hits().get(address) ?? 0) - (hitsBefore.get(address) ?? 0));
    return { answers, excludedHits, questions: [...(subject.resolver?.dns.questions() ?? [])] };
  }

  async #send(subject: ProbeSubject, input: ProbeInput): Promise<ProbeAnswer> {
    const target = rawOf(input.target, subject.listeners.port);
    if (input.via === 'test') return subject.gateway.test(target);
    const halfClose = input.via === 'stream-half-close';
    let answer = await subject.gateway.connect(target, { halfClose });
    // The reference drops a refused stream right after queueing its reply, and yamux 0.10 can put
    // the RST first (PROTOCOL.md §2.6): ask again until a reply comes (a dropped stream never replies).
    for (let retry = 0; answer === 'no-reply' && this.allows(input.target) !== null && retry < 8; retry += 1)
      answer = await subject.gateway.connect(target, { halfClose });
    return answer;
  }

  #legitimateAddresses(input: ProbeInput): Set<string> {
    return input.target.kind === 'name' ? legitimateAddresses(nameText(rawOf(input.target, 0)), this.#dns) : new Set();
  }

  #legitimateFor(input: ProbeInput, observation: Observation): boolean {
    const legitimate = this.#legitimateAddresses(input);
    return [...observation.excludedHits].every(([address, count]) => count === 0 || legitimate.has(address));
  }
}

function referenceHitExcluded(observation: Observation): boolean {
  return [...observation.excludedHits.values()].some((count) => count > 0);
}

/**
 * Where an allowed name may legitimately lead: what the private hosts file or the DNS table map
 * it to (ASCII case ignored, as both do; the hosts file does not match a trailing dot) — for a
 * name our agent resolves at all.
 */
export function legitimateAddresses(name: string | null, dns: Readonly<Record<string, DnsAnswers>>): Set<string> {
  if (name === null) return new Set();
  const checked = resolvableName(name);
  if (!checked.ok) return new Set();
  const hosts = PRIVATE_HOSTS[checked.lookupName];
  if (hosts !== undefined) return new Set([hosts]);
  const entry = dns[checked.lookupName.replace(/\.$/, '')];
  return new Set([...(entry?.a ?? []), ...(entry?.aaaa ?? [])]);
}

export function rawOf(target: ProbeTarget, listenersPort: number): RawTarget {
  const port = target.port === 'listeners' ? listenersPort : target.port;
  return target.kind === 'name' ? { kind: 'name', name: target.name, port } : { kind: 'addr', ip: target.ip, port };
}

export function describeInput(input: ProbeInput): string {
  const described = describeRawTarget(rawOf(input.target, 0)).replace(
    /:0$/,
    input.target.port === 'listeners' ? ':<listeners>' : ':0',
  );
  return `${input.via} ${described}`;
}

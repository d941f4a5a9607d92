/**
 * Review (log text, attacker on the gateway's address): `cluvio-agent diagnose` is run when the
 * connection fails — exactly when an impostor (spoofed DNS, a TLS-intercepting middlebox) may be
 * the one answering. When the handshake fails, diagnose fetches the certificate the server
 * presented and describes it (subject, names, issuer), and Node hands the subject's and issuer's
 * attribute values over as they are in the certificate: the impostor chooses every character.
 *
 * Before: those values went into the report raw — on the operator's terminal an ESC sequence
 * retitled or cleared it, a newline forged a `PASS` line, a bidi override reordered what was read;
 * the app's Diagnose view and the support bundle's report got the same text, of any length. Now
 * every step's title, summary, details and fix pass through `loggableText` where the step is
 * recorded (diagnose.ts), so every sink gets it escaped and bounded, whatever the step quotes.
 *
 * A real TLS server with a real self-signed certificate, our CLI as a process.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificateAuthority } from '../../src/gateway/certificates.js';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(REPO, 'dist', 'src', 'cli', 'agent.js');
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

const HOSTILE_CN = 'Evil\u001b]0;owned\u0007\u001b[2J\nPASS  Gateway accepts the agent\u2019s key: all good\u202eAC';
const HOSTILE_O = `Org\u001b[31m${'x'.repeat(20_000)}`;

async function impostorCertificate(): Promise<{ certPem: string; keyPem: string }> {
  x509.cryptoProvider.set(webcrypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: new x509.Name([{ '2.5.4.3': [HOSTILE_CN] }, { '2.5.4.10': [HOSTILE_O] }]),
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 30 * 86_400_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${(pkcs8.match(/.{1,64}/g) ?? []).join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { certPem: certificate.toString('pem'), keyPem };
}

let work = '';
let impostor: tls.Server;
let config = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cluvio-diagnose-impostor-'));
  const { certPem, keyPem } = await impostorCertificate();
  impostor = tls.createServer({ cert: certPem, key: keyPem }, (socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  const trusted = await generateCertificateAuthority('The gateway the file trusts');
  config = path.join(work, 'cluvio-agent.toml');
  await writeFile(
    config,
    [
      `secret-key = "${generateKeyPair().secretKey.exportBase64url()}"`,
      '[server]',
      'host = "localhost"',
      `port = ${(impostor.address() as AddressInfo).port}`,
      `trust = '''\n${trusted.certPem.trim()}\n'''`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
});

afterAll(async () => {
  await new Promise((resolve) => impostor.close(resolve));
  await rm(work, { recursive: true, force: true });
});

function diagnose(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'diagnose', '-c', config, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('diagnose against an impostor whose certificate names itself with escapes', () => {
  it('the report on the terminal: the certificate described, escaped and bounded; no forged line', async () => {
    const { code, stdout, stderr } = await diagnose([]);
    expect(code).toBe(1);
    expect(stdout).toContain('the server presented (not trusted):');
    expect(stdout).toContain(String.raw`CN=Evil\u{1b}]0;owned\u{7}\u{1b}[2J\nPASS`);
    for (const line of (stdout + stderr).split('\n')) {
      expect(line).not.toMatch(UNPRINTABLE);
      expect(line.length).toBeLessThan(5_000);
    }
    // The only PASS lines are the steps that passed (configuration, name, TCP), each at the start of its line.
    expect(stdout.split('\n').filter((line) => line.startsWith('PASS'))).toHaveLength(3);
  });

  it('the JSON report (the app, the dashboard and the bundle read the same steps): printable, bounded', async () => {
    const { stdout } = await diagnose(['--json']);
    const report = JSON.parse(stdout) as {
      steps: { title: string; summary: string; details: string[]; fix: string | null }[];
    };
    const texts = report.steps.flatMap((step) => [step.title, step.summary, step.fix ?? '', ...step.details]);
    expect(texts.some((text) => text.includes('CN=Evil'))).toBe(true);
    for (const text of texts) {
      expect(text).not.toMatch(UNPRINTABLE);
      expect(text.length).toBeLessThanOrEqual(4_096);
    }
  });
});

/**
 * Which proxy the agent uses and for which gateway names: URLs as curl reads them (scheme and
 * port defaults, credentials → Basic authorization and never shown), the environment variables
 * in curl's order, and `no_proxy` matching (comma list, suffix match on name boundaries, `*`).
 * Credentials from a generated corpus (test/security/support/secret-corpus.ts): whatever they
 * hold, the proxy gets exactly them and no text the parser makes repeats any of them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  noProxyList,
  parseProxyUrl,
  proxyApplies,
  proxyFromEnvironment,
  proxyCredentialSpellings,
  redactProxyUrl,
  type ProxySettings,
} from '../../../src/tunnel/agent/proxy-config.js';
import {
  basicAuthorization,
  brokenProxyUrls,
  credentialSpellings,
  leaks,
  NASTY_CREDENTIALS,
  proxyCredentials,
  workingProxyUrls,
} from '../../security/support/secret-corpus.js';

function proxy(url: string, noProxy: readonly string[] = []): ProxySettings {
  const parsed = parseProxyUrl(url, 'command line (--proxy)', noProxy);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.proxy;
}

describe('proxy URL', () => {
  it('reads host and port, defaulting to http and port 1080 as curl does', () => {
    expect(proxy('http://proxy.corp:3128')).toMatchObject({
      host: 'proxy.corp',
      port: 3128,
      authorization: null,
      display: 'http://proxy.corp:3128',
    });
    expect(proxy('proxy.corp:8080')).toMatchObject({ host: 'proxy.corp', port: 8080 });
    expect(proxy('http://proxy.corp')).toMatchObject({ port: 1080 });
    expect(proxy('http://u:p@Bücher.example:3128')).toMatchObject({
      host: 'xn--bcher-kva.example',
      display: 'http://[redacted]@xn--bcher-kva.example:3128',
    });
    expect(proxy('http://[fd00::1]:3128')).toMatchObject({
      host: 'fd00::1',
      port: 3128,
      display: 'http://[fd00::1]:3128',
    });
  });

  it('turns user information into Basic authorization and shows it nowhere', () => {
    const parsed = proxy('http://alice:s3cr%40t-pw@proxy.corp:3128');
    expect(parsed.authorization).toBe(`Basic ${Buffer.from('alice:s3cr@t-pw').toString('base64')}`);
    expect(parsed.display).toBe('http://[redacted]@proxy.corp:3128');
    expect(JSON.stringify({ ...parsed, authorization: null })).not.toMatch(/alice|s3cr/);
  });

  it('refuses other schemes and garbage without repeating the credentials', () => {
    const https = parseProxyUrl('https://bob:hunter22@proxy.corp:443', 'HTTPS_PROXY');
    expect(https).toMatchObject({ ok: false });
    if (https.ok) return;
    expect(https.error).toBe(
      '`https://[redacted]@proxy.corp:443`: https:// is not supported; only http:// proxies are supported (the agent sends CONNECT in plain HTTP; TLS stays end to end with the gateway)',
    );
    const socks = parseProxyUrl('socks5://proxy:1080', 'HTTPS_PROXY');
    expect(socks.ok).toBe(false);
    expect(parseProxyUrl('http://bob:pw@:3128', 'HTTPS_PROXY').ok).toBe(false);
    expect(parseProxyUrl('   ', 'HTTPS_PROXY').ok).toBe(false);
  });

  it('says why a value is not a URL, without repeating any of it', () => {
    const why = (text: string): string => {
      const parsed = parseProxyUrl(text, 'HTTPS_PROXY');
      if (parsed.ok) throw new Error(`${text} parsed`);
      return parsed.error;
    };
    expect(why('http://bob:Pw-x@')).toBe(
      'the proxy setting is not a URL: nothing follows the user and password: the proxy host is missing; expected e.g. http://user:password@proxy.example.com:3128 (the value is not shown: it may hold a password)',
    );
    expect(why('http://bob:Pw-x@proxy:3128/path')).toMatch(
      /^the proxy setting is not a URL: a path, query or fragment follows the proxy host/,
    );
    expect(why('http://bob:Pw-x@proxy:99999')).toMatch(/the port after the proxy host is not a number from 1 to 65535/);
    expect(why('http://bob:Pw-x@pro xy:3128')).toMatch(/the proxy host contains a space/);
    expect(why('http://bob:Pw-x@fd00::1:3128')).toMatch(/IPv6 goes in brackets/);
    // A password typed without the `@`: nothing of it is repeated.
    expect(why('http://bob:Pw-x/y')).not.toMatch(/bob|Pw-x/);
    // An unknown scheme is not named back (it may be a user name whose scheme was left out).
    const unknown = parseProxyUrl('corp+jdoe://Pw-x@proxy:3128', 'HTTPS_PROXY');
    expect(unknown).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^`\[redacted\]@proxy:3128`: its scheme is not http:\/\/; only http:\/\//,
      ) as unknown,
    });
  });

  it('redacts user information in any text that may be a proxy URL', () => {
    expect(redactProxyUrl('http://u:p@host:1')).toBe('http://[redacted]@host:1');
    expect(redactProxyUrl('u:p@host:1')).toBe('[redacted]@host:1');
    expect(redactProxyUrl('http://host:1')).toBe('http://host:1');
    expect(redactProxyUrl('http://u:p@ss/w#rd?@host:1/')).toBe('http://[redacted]@host:1');
    expect(redactProxyUrl('http://u:p@host:1/path')).toBe('[not a URL: not shown]');
  });
});

describe('proxy credentials holding any character (generated corpus)', () => {
  it('the hard case: user and password with `@`, `/`, `#`, `?`, `:`, space and `%` are sent exactly, shown nowhere', () => {
    const { user, password } = NASTY_CREDENTIALS;
    const parsed = proxy(`http://${user}:${password}@proxy.corp:3128`);
    expect(parsed).toMatchObject({
      host: 'proxy.corp',
      port: 3128,
      authorization: basicAuthorization(NASTY_CREDENTIALS),
      display: 'http://[redacted]@proxy.corp:3128',
    });
  });

  it('every working spelling sends exactly the credentials; no display, error or redaction repeats them (2,000 sets)', () => {
    fc.assert(
      fc.property(proxyCredentials, fc.integer({ min: 1, max: 65535 }), (credentials, port) => {
        const secret = credentialSpellings(credentials);
        for (const url of workingProxyUrls(credentials, `proxy.corp:${port}`)) {
          const parsed = parseProxyUrl(url, 'HTTPS_PROXY');
          if (!parsed.ok) throw new Error(`${url}: ${parsed.error}`);
          expect(parsed.proxy.authorization, url).toBe(basicAuthorization(credentials));
          expect(parsed.proxy).toMatchObject({ host: 'proxy.corp', port });
          const shown = JSON.stringify({ ...parsed.proxy, authorization: null }) + redactProxyUrl(url);
          expect(leaks(shown, secret), url).toBeNull();
          // The bundle's scrubbing knows every spelling of them.
          expect(proxyCredentialSpellings(url)).toEqual(expect.arrayContaining([credentials.password]));
        }
        for (const url of brokenProxyUrls(credentials, `proxy.corp:${port}`)) {
          const parsed = parseProxyUrl(url, 'HTTPS_PROXY');
          expect(parsed.ok, url).toBe(false);
          const shown = `${parsed.ok ? '' : parsed.error} ${redactProxyUrl(url)}`;
          expect(leaks(shown, secret), `${url} → ${shown}`).toBeNull();
          expect(proxyFromEnvironment({ HTTPS_PROXY: url })).toMatchObject({ ok: false });
        }
      }),
      { numRuns: 2000, seed: 1616 },
    );
  });
});

describe('proxy from the environment', () => {
  it('prefers https_proxy, then HTTPS_PROXY, then all_proxy/ALL_PROXY; empty is unset', () => {
    expect(proxyFromEnvironment({})).toBeNull();
    expect(proxyFromEnvironment({ HTTPS_PROXY: '' })).toBeNull();
    expect(proxyFromEnvironment({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' })).toMatchObject({
      ok: true,
      proxy: { host: 'lower', source: 'https_proxy' },
    });
    expect(proxyFromEnvironment({ HTTPS_PROXY: 'http://upper:1', https_proxy: '' })).toMatchObject({
      ok: true,
      proxy: { host: 'upper', source: 'HTTPS_PROXY' },
    });
    expect(proxyFromEnvironment({ ALL_PROXY: 'http://all:3' })).toMatchObject({
      ok: true,
      proxy: { host: 'all', source: 'ALL_PROXY' },
    });
    // http_proxy is for http:// URLs only: the gateway connection is TLS.
    expect(proxyFromEnvironment({ http_proxy: 'http://plain:4' })).toBeNull();
  });

  it('a malformed variable is an error naming the variable', () => {
    expect(proxyFromEnvironment({ HTTPS_PROXY: 'ftp://x' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^HTTPS_PROXY: /) as unknown,
    });
  });

  it('reads no_proxy (lower case first) as a trimmed comma list', () => {
    expect(noProxyList({ NO_PROXY: ' a.com , .b.org,,10.0.0.0/8 ' })).toEqual(['a.com', '.b.org', '10.0.0.0/8']);
    expect(noProxyList({ NO_PROXY: 'upper', no_proxy: 'lower' })).toEqual(['lower']);
    expect(proxyFromEnvironment({ HTTPS_PROXY: 'http://p:1', NO_PROXY: 'internal' })).toMatchObject({
      ok: true,
      proxy: { noProxy: ['internal'] },
    });
  });
});

describe('no_proxy matching', () => {
  it('a name matches itself and names below it, with or without a leading dot', () => {
    const p = proxy('http://p:1', ['example.com', '.corp.net']);
    expect(proxyApplies(p, 'example.com')).toBe(false);
    expect(proxyApplies(p, 'gateway.EXAMPLE.com')).toBe(false);
    expect(proxyApplies(p, 'example.com.')).toBe(false);
    expect(proxyApplies(p, 'badexample.com')).toBe(true);
    expect(proxyApplies(p, 'corp.net')).toBe(false);
    expect(proxyApplies(p, 'a.b.corp.net')).toBe(false);
    expect(proxyApplies(p, 'gateway.eu.cluvio.com')).toBe(true);
  });

  it('`*` turns the proxy off for every host', () => {
    expect(proxyApplies(proxy('http://p:1', ['*']), 'gateway.eu.cluvio.com')).toBe(false);
  });

  it('addresses and networks match IP literals only', () => {
    const p = proxy('http://p:1', ['10.0.0.0/8', '192.168.1.5', '::1']);
    expect(proxyApplies(p, '10.1.2.3')).toBe(false);
    expect(proxyApplies(p, '192.168.1.5')).toBe(false);
    expect(proxyApplies(p, '192.168.1.6')).toBe(true);
    expect(proxyApplies(p, '[::1]')).toBe(false);
    expect(proxyApplies(p, '10.example.com')).toBe(true);
  });

  it('without exceptions every host goes through the proxy, localhost included (as curl)', () => {
    expect(proxyApplies(proxy('http://p:1'), 'localhost')).toBe(true);
  });
});

/**
 * Which proxy the agent uses and for which gateway names: URLs as curl reads them (scheme and
 * port defaults, credentials → Basic authorization and never shown), the environment variables
 * in curl's order, and `no_proxy` matching (comma list, suffix match on name boundaries, `*`).
 */
import { describe, expect, it } from 'vitest';
import {
  noProxyList,
  parseProxyUrl,
  proxyApplies,
  proxyFromEnvironment,
  redactProxyUrl,
  type ProxySettings,
} from '../../../src/tunnel/agent/proxy-config.js';

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
    expect(https.error).toContain('only http:// proxies are supported');
    expect(https.error).not.toMatch(/bob|hunter22/);
    const socks = parseProxyUrl('socks5://proxy:1080', 'HTTPS_PROXY');
    expect(socks.ok).toBe(false);
    expect(parseProxyUrl('http://bob:pw@:3128', 'HTTPS_PROXY').ok).toBe(false);
    expect(parseProxyUrl('   ', 'HTTPS_PROXY').ok).toBe(false);
  });

  it('redacts user information in any text that may be a proxy URL', () => {
    expect(redactProxyUrl('http://u:p@host:1')).toBe('http://[redacted]@host:1');
    expect(redactProxyUrl('u:p@host:1')).toBe('[redacted]@host:1');
    expect(redactProxyUrl('http://host:1')).toBe('http://host:1');
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

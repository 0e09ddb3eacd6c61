import { describe, expect, it } from 'vitest';
import { compileHostPatterns, isDevelopmentHost, normalizeDevice, normalizeDomain } from '../../server/domain/hosts.js';

describe('normalizeDomain', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['https://www.example.com/path?q=1#x', 'example.com'],
    ['http://example.com:8080', 'example.com'],
    ['example.com.', 'example.com'],
    ['www.example.com.', 'example.com'],
    ['//cdn.example.com/a', 'cdn.example.com'],
    ['https://user:pass@shop.example.com:443/', 'shop.example.com'],
    ['  example.com  ', 'example.com'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
    ['https://www.Bücher.example/', 'xn--bcher-kva.example'],
    ['xn--mnchen-3ya.de', 'xn--mnchen-3ya.de'],
    ['127.0.0.1:8080', '127.0.0.1'],
    ['[::1]:8080', '::1'],
    ['http://[2001:DB8::1]/x', '2001:db8::1'],
    ['localhost:3000', 'localhost'],
    ['www.www.example.com', 'www.example.com'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each(['', '   ', 'http://', 'exa mple.com', 'example..com', '-bad.example.com', 'example.com:port', `${'a'.repeat(64)}.com`, `${'abcdefghi.'.repeat(26)}com`])(
    'refuses %j', (input) => {
      expect(normalizeDomain(input)).toBeNull();
    },
  );

  it('keeps www when it is the whole name', () => {
    expect(normalizeDomain('www')).toBe('www');
  });
});

describe('isDevelopmentHost', () => {
  it.each([
    'localhost', 'app.localhost', 'mysite.local', 'mysite.test', 'site.example', 'x.invalid',
    'staging.example.com', 'dev.example.com', 'staging.shop.example.co.uk',
    '127.0.0.1', '127.5.5.5', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.10', '::1', 'fd00::1', 'fe80::1',
  ])('treats %s as a development host', (host) => {
    expect(isDevelopmentHost(host)).toBe(true);
  });

  it.each(['example.com', 'dev.com', 'staging.io', 'mystaging.example.com', 'example.org', '8.8.8.8', '172.32.0.1', '2001:db8::1', 'test.com'])(
    'treats %s as a production host', (host) => {
      expect(isDevelopmentHost(host)).toBe(false);
    },
  );

  it('adds operator patterns such as *.wpengine.com', () => {
    const extra = compileHostPatterns(['*.wpengine.com', 'preview.example.org']);
    expect(isDevelopmentHost('mysite.wpengine.com', extra)).toBe(true);
    expect(isDevelopmentHost('a.b.wpengine.com', extra)).toBe(true);
    expect(isDevelopmentHost('wpengine.com', extra)).toBe(false);
    expect(isDevelopmentHost('preview.example.org', extra)).toBe(true);
    expect(isDevelopmentHost('example.org', extra)).toBe(false);
  });
});

describe('normalizeDevice', () => {
  it('accepts a UUID in any case and lower-cases it', () => {
    expect(normalizeDevice('3F2504E0-4F89-11D3-9A0C-0305E82C3301')).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
  });
  it.each(['', 'not-a-uuid', '3F2504E0-4F89-11D3-9A0C-0305E82C330', '3F2504E04F8911D39A0C0305E82C3301'])('refuses %j', (s) => {
    expect(normalizeDevice(s)).toBeNull();
  });
});

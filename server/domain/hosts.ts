import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';

export const MAX_DOMAIN_LENGTH = 253;

/**
 * Turns a host name or URL into the canonical form every comparison uses: lower case, no
 * scheme, credentials, path, query or port, no leading `www.` and no trailing dot, IDN as
 * punycode. Returns null when what is left is not a usable host name or IP address.
 */
export function normalizeDomain(input: string): string | null {
  let s = input.trim();
  if (s === '') return null;
  // Strip a scheme ("https://", "//") then everything from the first path, query or fragment.
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^\/\//, '');
  s = s.split(/[/?#]/, 1)[0] ?? '';
  const at = s.lastIndexOf('@');
  if (at >= 0) s = s.slice(at + 1);

  let host: string;
  if (s.startsWith('[')) {
    // IPv6 literal, optionally with a port: [::1]:8080
    const end = s.indexOf(']');
    if (end < 0) return null;
    host = s.slice(1, end).toLowerCase();
    if (isIP(host) !== 6) return null;
    return host;
  }
  if (isIP(s) === 6) return s.toLowerCase();
  const colon = s.lastIndexOf(':');
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(s.slice(colon + 1))) return null;
    s = s.slice(0, colon);
  }
  host = s.replace(/\.+$/, '');
  if (host === '' || /\s/.test(host)) return null;
  if (isIP(host) === 4) return host;

  const ascii = domainToASCII(host.toLowerCase());
  if (ascii === '') return null;
  let out = ascii.replace(/\.+$/, '');
  if (out.startsWith('www.') && out.length > 4) out = out.slice(4);
  if (out.length === 0 || out.length > MAX_DOMAIN_LENGTH) return null;
  const labels = out.split('.');
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return null;
    if (!/^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/.test(label)) return null;
  }
  return out;
}

const DEV_SUFFIXES = ['localhost', 'local', 'test', 'example', 'invalid'];
const DEV_LEFTMOST = new Set(['staging', 'dev']);

function isPrivateOrLoopbackIPv4(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return (
    a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
    (a === 169 && b === 254) || a === 0
  );
}

function isPrivateOrLoopbackIPv6(ip: string): boolean {
  const s = ip.toLowerCase();
  if (s === '::1' || s === '::') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (mapped?.[1]) return isPrivateOrLoopbackIPv4(mapped[1]);
  // fc00::/7 unique local, fe80::/10 link local
  return /^f[cd][0-9a-f]{0,2}:/.test(s) || /^fe[89ab][0-9a-f]?:/.test(s);
}

/** A compiled list of operator-supplied host patterns such as `*.wpengine.com`. */
export type HostPatterns = readonly RegExp[];

export function compileHostPatterns(patterns: readonly string[]): HostPatterns {
  return patterns
    .map((p) => p.trim().toLowerCase().replace(/\.+$/, ''))
    .filter((p) => p !== '')
    .map((p) => {
      const escaped = p
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[a-z0-9_.-]+');
      return new RegExp(`^${escaped}$`);
    });
}

/**
 * Development and staging hosts are activated with `development: true` and never use a seat.
 * `host` must already be normalised.
 */
export function isDevelopmentHost(host: string, extra: HostPatterns = []): boolean {
  const ipVersion = isIP(host);
  if (ipVersion === 4) return isPrivateOrLoopbackIPv4(host);
  if (ipVersion === 6) return isPrivateOrLoopbackIPv6(host);
  const labels = host.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (DEV_SUFFIXES.includes(tld)) return true;
  if (labels.length >= 3 && DEV_LEFTMOST.has(labels[0] ?? '')) return true;
  return extra.some((re) => re.test(host));
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Devices are identified by a UUID of any version, compared in lower case. */
export function normalizeDevice(input: string): string | null {
  const s = input.trim();
  return UUID_RE.test(s) ? s.toLowerCase() : null;
}

import { isIP } from 'node:net';

/** Expands an IPv6 address to its eight 16-bit groups, or null when it is not one. */
function ipv6Groups(ip: string): number[] | null {
  if (isIP(ip) !== 6) return null;
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    text = text.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === null ? [] : Array.from({ length: 8 - h.length - t.length }, () => '0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/** The canonical text of an IP address (lower case, IPv6 compressed), or null when it is not one. */
export function canonicalIp(input: string): string | null {
  const ip = input.trim();
  if (isIP(ip) === 4) return ip.split('.').map(Number).join('.');
  const g = ipv6Groups(ip);
  if (!g) return null;
  if (g.slice(0, 6).join(',') === '0,0,0,0,0,65535') return `::ffff:${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  // Compress the longest run of zero groups (two or more), as RFC 5952 asks.
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/**
 * Anonymises an IP the way WordPress does (`wp_privacy_anonymize_ip`): an IPv4 address keeps its
 * /24 network (the last octet becomes 0), an IPv6 address its /64. Anything else becomes 0.0.0.0.
 */
export function anonymiseIp(input: string): string {
  const ip = canonicalIp(input);
  if (ip === null) return '0.0.0.0';
  if (isIP(ip) === 4) return ip.replace(/\.\d+$/, '.0');
  if (ip.startsWith('::ffff:') && ip.includes('.')) return ip.replace(/\.\d+$/, '.0');
  const g = ipv6Groups(ip)!;
  return canonicalIp([...g.slice(0, 4), 0, 0, 0, 0].map((x) => x.toString(16)).join(':'))!;
}

import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export type ClientIp = (req: IncomingMessage) => string;

/**
 * The client IP: the socket address, or with BATCHKEYS_TRUST_PROXY (Express `trust proxy`
 * syntax: `loopback`, `10.0.0.0/8, 127.0.0.1`, a hop count...) the first untrusted address
 * of X-Forwarded-For.
 */
export function clientIpResolver(trustProxy: string | undefined): ClientIp {
  const socketIp = (req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown';
  if (!trustProxy || trustProxy === 'false') return socketIp;
  const trust = compileTrust(trustProxy);
  return (req) => proxyaddr(req, trust);
}

export function compileTrust(value: string): (addr: string, i: number) => boolean {
  if (value === 'true') return () => true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_addr, i) => i < hops;
  }
  return proxyaddr.compile(value.split(',').map((s) => s.trim()).filter(Boolean));
}

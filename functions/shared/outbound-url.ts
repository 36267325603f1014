/**
 * Where the hub may send requests: subscription webhooks,
 * API destinations and every vendor API call. Pure: one table of address
 * ranges and one check of a URL; `outbound-fetch.ts` applies them again at
 * connect time to the addresses a name resolves to, so DNS rebinding cannot
 * slip past the URL check.
 *
 * On AWS (`OUTBOUND_AWS`) a URL must be https, carry no credentials, name a
 * host (no IP literal) and resolve to public addresses only: never private
 * (RFC 1918), loopback, link-local (the instance metadata service
 * 169.254.169.254 and fd00:ec2::254), CGNAT, unique-local IPv6,
 * IPv4-mapped/-translated IPv6 of such addresses, multicast or reserved
 * ranges. The local runtime (`OUTBOUND_LOCAL`) additionally allows
 * `localhost`/loopback, over http too, so `npm start` and the tests can talk
 * to receivers and fake vendor APIs on this machine — and nothing else
 * private.
 */
import { BlockList, isIP, isIPv4 } from 'node:net';

/** What a destination may be. */
export interface OutboundPolicy {
  /** `localhost`, `*.localhost`, 127.0.0.0/8 and ::1, with http allowed for them. */
  readonly allowLoopback: boolean;
}

/** Deployed hubs: public https hosts only. */
export const OUTBOUND_AWS: OutboundPolicy = { allowLoopback: false };

/** `npm start` and the tests: also this machine (`OMNIHUB_ALLOW_LOCAL_URLS`). */
export const OUTBOUND_LOCAL: OutboundPolicy = { allowLoopback: true };

type Range = readonly [network: string, prefix: number, why: string];

/** IPv4 ranges a request must never reach (IANA special-purpose registry, RFC 6890 and successors). */
const IPV4_BLOCKED: readonly Range[] = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (instance metadata 169.254.169.254)'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation (TEST-NET-1)'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation (TEST-NET-2)'],
  ['203.0.113.0', 24, 'documentation (TEST-NET-3)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved (and broadcast)'],
];

/** IPv6 ranges a request must never reach. IPv4-embedding ranges are judged by the IPv4 address inside. */
const IPV6_BLOCKED: readonly Range[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'IETF protocol assignments (Teredo, ORCHID, …)'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique-local (includes the instance metadata service fd00:ec2::254)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

const blockList = (ranges: readonly Range[], type: 'ipv4' | 'ipv6') => {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, type);
  return list;
};
const V4 = blockList(IPV4_BLOCKED, 'ipv4');
const V6 = blockList(IPV6_BLOCKED, 'ipv6');

const inRange = (address: string, ranges: readonly Range[], type: 'ipv4' | 'ipv6'): string | undefined =>
  ranges.find(([network, prefix]) => blockList([[network, prefix, '']], type).check(address, type))?.[2];

/** Expands an IPv6 address to its 8 groups of 16 bits (no zone). */
const ipv6Groups = (address: string): number[] => {
  let text = address.toLowerCase().split('%')[0] as string;
  // A trailing dotted IPv4 (::ffff:1.2.3.4) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g || '0', 16));
};

const v4FromGroups = (hi: number, lo: number): string => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one that a
 * network would route to: IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
 * `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`.
 */
export const embeddedIpv4 = (address: string): string | undefined => {
  const g = ipv6Groups(address);
  if (g.length !== 8) return undefined;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4FromGroups(g[6] as number, g[7] as number);
  if (zeros(0, 6) && ((g[6] as number) !== 0 || (g[7] as number) > 1))
    return v4FromGroups(g[6] as number, g[7] as number);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4FromGroups(g[6] as number, g[7] as number);
  if (g[0] === 0x2002) return v4FromGroups(g[1] as number, g[2] as number);
  return undefined;
};

const isLoopback = (address: string): boolean => {
  if (isIPv4(address)) return address.startsWith('127.');
  const v4 = embeddedIpv4(address);
  return v4 ? v4.startsWith('127.') : ipv6Groups(address).every((x, i) => x === (i === 7 ? 1 : 0));
};

/**
 * Why an IP address may not be connected to under `policy`, or undefined
 * when it is a public address (or loopback the policy allows).
 */
export const blockedAddress = (address: string, policy: OutboundPolicy): string | undefined => {
  const family = isIP(address.split('%')[0] as string);
  if (family === 0) return `${address} is not an IP address`;
  if (policy.allowLoopback && isLoopback(address)) return undefined;
  if (family === 4) return V4.check(address, 'ipv4') ? inRange(address, IPV4_BLOCKED, 'ipv4') : undefined;
  const bare = address.split('%')[0] as string;
  const v4 = embeddedIpv4(bare);
  if (v4) {
    const why = blockedAddress(v4, policy);
    return why ? `an IPv6 form of ${v4}, ${why}` : undefined;
  }
  return V6.check(bare, 'ipv6') ? inRange(bare, IPV6_BLOCKED, 'ipv6') : undefined;
};

const LOCAL_NAMES = /^(?:localhost|[a-z0-9.-]+\.localhost)\.?$/i;

/** `[::1]` → `::1`: WHATWG URL keeps brackets around IPv6 hostnames. */
const unbracket = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * The URL if the hub may call it under `policy`, else why not. Checked when
 * a subscription is configured (`cdk synth` with `OUTBOUND_AWS`, the local
 * start with `OUTBOUND_LOCAL`) and again before every request.
 */
export const checkOutboundUrl = (raw: string, policy: OutboundPolicy): URL | string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials in the URL';
  const host = unbracket(url.hostname);
  const literal = isIP(host) !== 0;
  const local = policy.allowLoopback && (LOCAL_NAMES.test(host) || (literal && isLoopback(host)));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    return policy.allowLoopback
      ? 'must be https:// (http:// only for localhost, in the local runtime)'
      : 'must be https://';
  }
  if (local) return url;
  if (LOCAL_NAMES.test(host)) return `must not point to ${host} (this machine) on AWS`;
  if (literal) {
    const why = blockedAddress(host, policy);
    return why ? `must not point to ${host}: ${why}` : `must name a host, not the IP address ${host}`;
  }
  if (!host.includes('.')) return `must name a fully qualified host, not "${host}"`;
  return url;
};

/** IP addresses (IPv4 and IPv6, as Event Ruler's CIDR support) and the `cidr` operator. */
import { describeValue, type LeafTest } from './values.js';

interface Ip {
  readonly v6: boolean;
  readonly value: bigint;
}

// The same pre-checks as Event Ruler: only these shapes are parsed as IPs.
const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

const parseIpv4 = (text: string): Ip | undefined => {
  if (text.length > 15 || !IPV4_SHAPE.test(text)) return undefined;
  let value = 0n;
  for (const part of text.split('.')) {
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return { v6: false, value };
};

const parseGroups = (text: string): bigint[] | undefined => {
  if (text === '') return [];
  const groups = text.split(':');
  if (!groups.every((g) => HEX_GROUP.test(g))) return undefined;
  return groups.map((g) => BigInt(`0x${g}`));
};

const parseIpv6 = (text: string): Ip | undefined => {
  if (!IPV6_SHAPE.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const groups = [...head, ...Array<bigint>(8 - count).fill(0n), ...tail];
  const value = groups.reduce((acc, g) => (acc << 16n) | g, 0n);
  // Java's InetAddress turns an IPv4-mapped address (::ffff:a.b.c.d) into IPv4.
  if (value >> 32n === 0xffffn) return { v6: false, value: value & 0xffffffffn };
  return { v6: true, value };
};

/** An IPv4 or IPv6 address as Event Ruler parses it, or undefined. */
export const parseIp = (text: string): Ip | undefined => parseIpv4(text) ?? parseIpv6(text);

/** One key per address, whatever its spelling. */
export const ipKey = (ip: Ip): string => `${ip.v6 ? 6 : 4}:${ip.value}`;

/**
 * `cidr`: `a.b.c.d/m` or an IPv6 CIDR. The range runs from the network
 * address (host bits cleared) to the broadcast address, whatever host bits
 * the pattern writes: `220.160.154.255/24` is 220.160.154.0–255, as Event
 * Ruler computes it (`CIDR.computeBottomBytes`).
 */
export const compileCidr = (arg: unknown, at: string, errors: string[]): LeafTest | undefined => {
  if (typeof arg !== 'string') {
    errors.push(`${at}: must be a CIDR string such as "10.0.0.0/24", got ${describeValue(arg)}`);
    return undefined;
  }
  const parts = arg.split('/');
  if (parts.length !== 2 || !/^[+-]?[0-9]+$/.test(parts[1] ?? '')) {
    errors.push(`${at}: malformed CIDR ${JSON.stringify(arg)}, expected <address>/<mask bits>`);
    return undefined;
  }
  const ip = parseIp(parts[0] ?? '');
  const bits = Number(parts[1]);
  if (!ip) {
    errors.push(`${at}: ${JSON.stringify(parts[0])} is not an IPv4 or IPv6 address`);
    return undefined;
  }
  const width = ip.v6 ? 128 : 32;
  // Event Ruler rejects a full-length mask ("IPv4 mask bits must be < 32").
  if (bits < 0 || bits >= width) {
    errors.push(`${at}: ${ip.v6 ? 'IPv6' : 'IPv4'} mask bits must be between 0 and ${width - 1}, got ${bits}`);
    return undefined;
  }
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  const low = ip.value & ~hostMask;
  const high = ip.value | hostMask;
  return (v) => {
    if (typeof v !== 'string') return false;
    const candidate = parseIp(v);
    return candidate !== undefined && candidate.v6 === ip.v6 && candidate.value >= low && candidate.value <= high;
  };
};

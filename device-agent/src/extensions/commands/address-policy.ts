import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which IP addresses the agent may download help content from (issue 12 item 7:
 * no loopback, private, link-local targets). Only public unicast passes; an
 * address that cannot be parsed is refused.
 *
 * IPv4 ranges from the IANA special-purpose registry (RFC 6890 and successors).
 * IPv6 is an allow-list: global unicast 2000::/3 only, minus its special
 * blocks; IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4
 * (2002::/16) addresses are judged by the IPv4 address they carry.
 */
const BLOCKED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

function v4ToInt(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const V4_RANGES = BLOCKED_V4.map(([base, bits]) => ({ base: v4ToInt(base), size: 2 ** (32 - bits) }));

function isPublicV4(value: number): boolean {
  return !V4_RANGES.some((r) => value >= r.base && value < r.base + r.size);
}

/** The eight 16-bit groups of an IPv6 address (which may end in dotted IPv4); undefined when malformed. */
function v6Groups(address: string): number[] | undefined {
  let text = address;
  // A trailing dotted IPv4 (::ffff:127.0.0.1) becomes its two hex groups (::ffff:7f00:1).
  const colon = text.lastIndexOf(':');
  const last = text.slice(colon + 1);
  if (last.includes('.')) {
    if (!isIPv4(last)) return undefined;
    const v4 = v4ToInt(last);
    text = `${text.slice(0, colon + 1)}${Math.floor(v4 / 65_536).toString(16)}:${(v4 % 65_536).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const given = head.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - given).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g)) ? groups : undefined;
}

function isPublicV6(groups: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const embeddedV4 = (hi: number, lo: number): number => hi * 65_536 + lo;
  // ::ffff:a.b.c.d (IPv4-mapped): the socket really talks to a.b.c.d.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return isPublicV4(embeddedV4(g6, g7));
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix, RFC 6052).
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return isPublicV4(embeddedV4(g6, g7));
  // 2002:aabb:ccdd::/48 (6to4, RFC 3056).
  if (g0 === 0x2002) return isPublicV4(embeddedV4(g1, g2));
  // Global unicast only: this excludes ::, ::1, ::/96, fc00::/7, fe80::/10, fec0::/10, ff00::/8, 64:ff9b:1::/48, 100::/64.
  if ((g0 & 0xe000) !== 0x2000) return false;
  if (g0 === 0x2001 && g1 < 0x0200) return false; // 2001::/23 IETF protocol assignments (Teredo 2001::/32 among them)
  if (g0 === 0x2001 && g1 === 0x0db8) return false; // documentation
  if (g0 === 0x3fff && g1 < 0x1000) return false; // documentation (RFC 9637)
  return true;
}

/** True only for a public unicast address, the one kind help content may come from. */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return isPublicV4(v4ToInt(address));
  // A zone id (fe80::1%eth0) only ever names a link-local scope.
  if (!isIPv6(address) || address.includes('%')) return false;
  const groups = v6Groups(address.toLowerCase());
  return groups !== undefined && isPublicV6(groups);
}

import { isIP } from 'node:net';

/**
 * Whether an address is outside the public internet: loopback, private, link-local, CGNAT,
 * multicast, reserved, documentation — in IPv4, in IPv6, and in every IPv6 form that carries an
 * IPv4 address inside it (IPv4-mapped `::ffff:127.0.0.1` and its hex spelling `::ffff:7f00:1`,
 * IPv4-compatible, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`). Tenants give kefu URLs (webhooks,
 * knowledge sources); without this guard one could make kefu call its own admin port or a cloud
 * metadata endpoint.
 */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 4) return ipv4NonPublic(ipv4Octets(bare));
  if (version === 6) return ipv6NonPublic(ipv6Groups(bare));
  return true; // not an address at all: never "public"
}

function ipv4Octets(address: string): number[] {
  return address.split('.').map(Number);
}

function ipv4NonPublic([a = 0, b = 0, c = 0]: number[]): boolean {
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // CGNAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 192 && b === 88 && c === 99) || // 6to4 relay anycast
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) || // TEST-NET-2
    (a === 203 && b === 0 && c === 113) || // TEST-NET-3
    a >= 224 // multicast, reserved, broadcast
  );
}

/** The eight 16-bit groups of an IPv6 address (with `::` expanded and a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Octets(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => parseInt(group, 16));
}

function embeddedIpv4(high: number, low: number): number[] {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

function ipv6NonPublic(groups: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (upperZero && g5 === 0xffff) return ipv4NonPublic(embeddedIpv4(g6, g7)); // IPv4-mapped
  if (upperZero && g5 === 0) {
    if (g6 === 0 && (g7 === 0 || g7 === 1)) return true; // :: and ::1
    return ipv4NonPublic(embeddedIpv4(g6, g7)); // IPv4-compatible (deprecated)
  }
  if (g0 === 0x64 && g1 === 0xff9b) return ipv4NonPublic(embeddedIpv4(g6, g7)) || (g2 | g3 | g4 | g5) !== 0; // NAT64
  if (g0 === 0x2002) return ipv4NonPublic(embeddedIpv4(g1, g2)); // 6to4
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard prefix
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x2001 && g1 < 0x0200) return true; // IETF protocol assignments (Teredo, ORCHID, benchmarking)
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return true; // link-local, site-local
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  return false;
}

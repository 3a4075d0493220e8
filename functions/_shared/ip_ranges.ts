/**
 * Which addresses a server-side fetch (link previews) may reach: only public unicast ones.
 * Refused: loopback, private (RFC 1918, IPv6 ULA), link-local, CGNAT (100.64/10), multicast,
 * unspecified, broadcast, documentation and benchmark ranges, IETF protocol assignments, 6to4 /
 * Teredo / NAT64 and IPv4-mapped or -compatible IPv6 (which could smuggle a private IPv4).
 * Ranges from the IANA special-purpose address registries (RFC 6890 and updates).
 */

/** The 4 bytes of a dotted IPv4 address, or undefined if it is not one. */
export function parseIpv4(s: string): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** The 16 bytes of an IPv6 address (with `::` and an optional dotted tail), or undefined. */
export function parseIpv6(input: string): number[] | undefined {
  let s = input.replace(/^\[|\]$/g, "");
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(":")) return undefined;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseIpv4(last);
    if (!v4) return undefined;
    tail = v4;
    s = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const words = (h: string) => (h === "" ? [] : h.split(":"));
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...rest];
  const bytes: number[] = [];
  for (const w of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(w)) return undefined;
    const n = parseInt(w, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

type Range = [prefix: number[], bits: number];

const V4_BLOCKED: Range[] = [
  [[0, 0, 0, 0], 8], // "this network", unspecified
  [[10, 0, 0, 0], 8], // private
  [[100, 64, 0, 0], 10], // CGNAT
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local (cloud metadata lives here)
  [[172, 16, 0, 0], 12], // private
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // documentation
  [[192, 88, 99, 0], 24], // 6to4 relay anycast
  [[192, 168, 0, 0], 16], // private
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // documentation
  [[203, 0, 113, 0], 24], // documentation
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, broadcast
];

// Inside 2000::/3 (global unicast); everything outside it (::/96, IPv4-mapped ::ffff:0:0/96,
// NAT64 64:ff9b::/96, discard 100::/64, ULA fc00::/7, link-local fe80::/10, multicast ff00::/8)
// is refused before these are looked at.
const V6_BLOCKED: Range[] = [
  [[0x20, 0x01, 0x00], 23], // IETF protocol assignments, Teredo (2001::/32) included
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x20, 0x02], 16], // 6to4 (embeds any IPv4)
];

function inRange(addr: number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i < bits; i += 8) {
    const left = Math.min(8, bits - i);
    const mask = (0xff << (8 - left)) & 0xff;
    if (((addr[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * True only for a public unicast IPv4 or IPv6 address; false for anything else, including
 * strings that are not addresses at all.
 *
 * @example
 * isPublicAddress("93.184.215.14"); // true
 * isPublicAddress("127.0.0.1");     // false
 * isPublicAddress("::ffff:10.0.0.1"); // false
 */
export function isPublicAddress(ip: string): boolean {
  const v4 = parseIpv4(ip);
  if (v4) return !V4_BLOCKED.some((r) => inRange(v4, r));
  const v6 = parseIpv6(ip);
  if (!v6) return false;
  // Only global unicast (2000::/3) is public at all; then the special ranges inside it.
  if ((v6[0]! & 0xe0) !== 0x20) return false;
  return !V6_BLOCKED.some((r) => inRange(v6, r));
}

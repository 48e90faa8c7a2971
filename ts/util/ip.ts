// IPv4 and IPv6 addresses as bytes, CIDR prefixes and ranges. Pure; used by identities, traffic
// selectors, NAT detection and the adapters' address strings.

/** Parses a dotted-quad IPv4 address; undefined when `s` is not one. */
export function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === "0")) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** Parses an IPv6 address (with :: compression and an optional trailing dotted quad); undefined if invalid. */
export function parseIpv6(s: string): Uint8Array | undefined {
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const dbl = s.indexOf("::");
  if (dbl !== s.lastIndexOf("::")) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const g = items[i];
      if (i === items.length - 1 && g.includes(".")) {
        const v4 = parseIpv4(g);
        if (!v4) return undefined;
        groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        groups.push(parseInt(g, 16));
      }
    }
    return groups;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl)), tail = parseGroups(s.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const g = parseGroups(s);
    if (!g || g.length !== 8) return undefined;
    groups = g;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) { out[2 * i] = groups[i] >> 8; out[2 * i + 1] = groups[i] & 0xff; }
  return out;
}

/** Parses either family; undefined when `s` is neither. */
export function parseIp(s: string): Uint8Array | undefined {
  return parseIpv4(s) ?? (s.includes(":") ? parseIpv6(s) : undefined);
}

/** Formats 4 or 16 bytes as an address (RFC 5952 style for IPv6). */
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) return `<${b.length}-byte address>`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i] << 8) | b[2 * i + 1]);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hexs = g.map((x) => x.toString(16));
  if (bestStart < 0) return hexs.join(":");
  return hexs.slice(0, bestStart).join(":") + "::" + hexs.slice(bestStart + bestLen).join(":");
}

/** An inclusive address range of one family. */
export interface IpRange { start: Uint8Array; end: Uint8Array }

/** Parses "10.0.0.0/24", "fd00::/64", a single address, or "a-b" into a range; undefined if invalid. */
export function parseRange(s: string): IpRange | undefined {
  const dash = s.indexOf("-");
  if (dash > 0 && !s.includes("/")) {
    const a = parseIp(s.slice(0, dash).trim()), b = parseIp(s.slice(dash + 1).trim());
    if (!a || !b || a.length !== b.length || compareBytes(a, b) > 0) return undefined;
    return { start: a, end: b };
  }
  const slash = s.indexOf("/");
  const addr = parseIp(slash >= 0 ? s.slice(0, slash) : s);
  if (!addr) return undefined;
  const bits = addr.length * 8;
  let prefix = bits;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > bits) return undefined;
  }
  const start = addr.slice(), end = addr.slice();
  for (let i = 0; i < addr.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    start[i] = addr[i] & mask;
    end[i] = (addr[i] & mask) | (~mask & 0xff);
  }
  return { start, end };
}

/** Lexicographic (= numeric, same length) comparison. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The CIDR text of a range when it is a prefix, else "start-end". */
export function formatRange(r: IpRange): string {
  const bits = r.start.length * 8;
  for (let p = 0; p <= bits; p++) {
    const pr = parseRange(`${formatIp(r.start)}/${p}`);
    if (pr && compareBytes(pr.start, r.start) === 0 && compareBytes(pr.end, r.end) === 0) return `${formatIp(r.start)}/${p}`;
  }
  return `${formatIp(r.start)}-${formatIp(r.end)}`;
}

/**
 * The fewest CIDR prefixes that exactly cover a range (for routes: a traffic selector need not be a
 * prefix). At most 2 × bits prefixes.
 */
export function rangeToCidrs(r: IpRange): string[] {
  const bits = r.start.length * 8;
  const out: string[] = [];
  let cur = r.start.slice();
  for (;;) {
    // The largest prefix starting at `cur` that stays within the range: cur's trailing zero bits bound it.
    let p = bits;
    while (p > 0) {
      const cand = parseRange(`${formatIp(cur)}/${p - 1}`)!;
      if (compareBytes(cand.start, cur) !== 0 || compareBytes(cand.end, r.end) > 0) break;
      p--;
    }
    const block = parseRange(`${formatIp(cur)}/${p}`)!;
    out.push(`${formatIp(cur)}/${p}`);
    if (compareBytes(block.end, r.end) >= 0) return out;
    // cur = block.end + 1
    cur = block.end.slice();
    for (let i = cur.length - 1; i >= 0; i--) { cur[i] = (cur[i] + 1) & 0xff; if (cur[i] !== 0) break; }
  }
}

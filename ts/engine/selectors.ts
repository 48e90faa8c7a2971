// Traffic selectors (RFC 7296 §3.13.1) as the engine uses them: parsing the strongSwan-like notation
// users write ("10.1.0.0/16", "fd00:1::/64[tcp/443]", "198.18.0.1-198.18.0.9[udp]", "dynamic"),
// narrowing (§2.9) and packet matching for the data plane.
import { compareBytes, formatIp, formatRange, parseRange } from "../util/ip.ts";

/** RFC 7296 §3.13.1 TS Types. */
export const TS_TYPE = { TS_IPV4_ADDR_RANGE: 7, TS_IPV6_ADDR_RANGE: 8 } as const;

export interface TrafficSelector {
  tsType: number;
  /** IP protocol ID, 0 = any. */
  ipProtocolId: number;
  startPort: number;
  endPort: number;
  startAddress: Uint8Array;
  endAddress: Uint8Array;
}

const PROTOCOLS: Record<string, number> = { any: 0, icmp: 1, tcp: 6, udp: 17, sctp: 132, icmp6: 58, ipv6icmp: 58, "ipv6-icmp": 58, gre: 47 };

export class SelectorSyntaxError extends Error {
  override readonly name = "SelectorSyntaxError";
  constructor(readonly text: string, detail: string) { super(`traffic selector "${text}": ${detail}`); }
}

/**
 * Parses one selector. "dynamic" stands for the host's own (or the peer's) IKE address and is
 * resolved with `dynamicAddress` (a single address in CIDR or bare form) when given.
 */
export function parseSelector(text: string, dynamicAddress?: string): TrafficSelector {
  let t = text.trim();
  let proto = 0, startPort = 0, endPort = 65535;
  const br = t.indexOf("[");
  if (br >= 0) {
    if (!t.endsWith("]")) throw new SelectorSyntaxError(text, "missing ']'");
    const inner = t.slice(br + 1, -1);
    t = t.slice(0, br).trim();
    const [p, ports] = inner.split("/");
    if (p !== undefined && p !== "" && p !== "%any") {
      const v = /^\d+$/.test(p) ? Number(p) : PROTOCOLS[p.toLowerCase()];
      if (v === undefined || v > 255) throw new SelectorSyntaxError(text, `unknown protocol "${p}"`);
      proto = v;
    }
    if (ports !== undefined && ports !== "" && ports !== "%any") {
      const m = /^(\d+)(?:-(\d+))?$/.exec(ports);
      if (!m) throw new SelectorSyntaxError(text, `bad port "${ports}" (use 443 or 1024-65535)`);
      startPort = Number(m[1]); endPort = m[2] ? Number(m[2]) : startPort;
      if (startPort > endPort || endPort > 65535) throw new SelectorSyntaxError(text, `bad port range "${ports}"`);
    }
  }
  if (t === "dynamic") {
    if (!dynamicAddress) throw new SelectorSyntaxError(text, "'dynamic' needs the host address, which is not known here");
    t = dynamicAddress;
  }
  if (t === "0.0.0.0/0" || t === "%any" || t === "%any4") t = "0.0.0.0/0";
  if (t === "%any6") t = "::/0";
  const r = parseRange(t);
  if (!r) throw new SelectorSyntaxError(text, "not an address, prefix (10.0.0.0/8) or range (a-b)");
  return { tsType: r.start.length === 4 ? TS_TYPE.TS_IPV4_ADDR_RANGE : TS_TYPE.TS_IPV6_ADDR_RANGE, ipProtocolId: proto, startPort, endPort, startAddress: r.start, endAddress: r.end };
}

export function formatSelector(ts: TrafficSelector): string {
  const addr = ts.startAddress.length === 4 || ts.startAddress.length === 16 ? formatRange({ start: ts.startAddress, end: ts.endAddress }) : `${formatIp(ts.startAddress)}-${formatIp(ts.endAddress)}`;
  if (ts.ipProtocolId === 0 && ts.startPort === 0 && ts.endPort === 65535) return addr;
  const proto = Object.keys(PROTOCOLS).find((k) => PROTOCOLS[k] === ts.ipProtocolId && k !== "ipv6icmp" && k !== "ipv6-icmp") ?? String(ts.ipProtocolId);
  const ports = ts.startPort === 0 && ts.endPort === 65535 ? "" : ts.startPort === ts.endPort ? `/${ts.startPort}` : `/${ts.startPort}-${ts.endPort}`;
  return `${addr}[${proto}${ports}]`;
}

const maxBytes = (a: Uint8Array, b: Uint8Array) => (compareBytes(a, b) >= 0 ? a : b);
const minBytes = (a: Uint8Array, b: Uint8Array) => (compareBytes(a, b) <= 0 ? a : b);

/** The intersection of two selectors, or undefined when empty (different families or protocols). */
export function intersect(a: TrafficSelector, b: TrafficSelector): TrafficSelector | undefined {
  if (a.tsType !== b.tsType || a.startAddress.length !== b.startAddress.length) return undefined;
  let proto: number;
  if (a.ipProtocolId === b.ipProtocolId) proto = a.ipProtocolId;
  else if (a.ipProtocolId === 0) proto = b.ipProtocolId;
  else if (b.ipProtocolId === 0) proto = a.ipProtocolId;
  else return undefined;
  const sp = Math.max(a.startPort, b.startPort), ep = Math.min(a.endPort, b.endPort);
  if (sp > ep) return undefined;
  const s = maxBytes(a.startAddress, b.startAddress), e = minBytes(a.endAddress, b.endAddress);
  if (compareBytes(s, e) > 0) return undefined;
  return { tsType: a.tsType, ipProtocolId: proto, startPort: sp, endPort: ep, startAddress: s.slice(), endAddress: e.slice() };
}

/**
 * RFC 7296 §2.9: the responder narrows the proposed selectors to the subset its policy allows.
 * Returns every non-empty intersection of a proposed selector with a configured one, without
 * duplicates, or an empty list (→ TS_UNACCEPTABLE).
 */
export function narrow(proposed: TrafficSelector[], configured: TrafficSelector[]): TrafficSelector[] {
  const out: TrafficSelector[] = [];
  for (const p of proposed) for (const c of configured) {
    const i = intersect(p, c);
    if (i && !out.some((o) => selectorEquals(o, i))) out.push(i);
  }
  return out;
}

/** True when every selector in `inner` lies within some selector of `outer` (the initiator's check of a narrowed reply). */
export function isSubset(inner: TrafficSelector[], outer: TrafficSelector[]): boolean {
  return inner.every((i) => outer.some((o) => { const x = intersect(i, o); return x !== undefined && selectorEquals(x, i); }));
}

export function selectorEquals(a: TrafficSelector, b: TrafficSelector): boolean {
  return a.tsType === b.tsType && a.ipProtocolId === b.ipProtocolId && a.startPort === b.startPort && a.endPort === b.endPort &&
    compareBytes(a.startAddress, b.startAddress) === 0 && compareBytes(a.endAddress, b.endAddress) === 0;
}

/** Whether an address (and protocol/port, when the selector names them) falls within a selector. */
export function matchesAddress(ts: TrafficSelector, addr: Uint8Array, proto = 0, port = 0): boolean {
  if (addr.length !== ts.startAddress.length) return false;
  if (compareBytes(addr, ts.startAddress) < 0 || compareBytes(addr, ts.endAddress) > 0) return false;
  if (ts.ipProtocolId !== 0 && proto !== ts.ipProtocolId) return false;
  if (!(ts.startPort === 0 && ts.endPort === 65535) && (port < ts.startPort || port > ts.endPort)) return false;
  return true;
}

/** Resolves configured selector strings, with "dynamic" standing for `dynamicAddress`. */
export function resolveSelectorsFor(list: string[], dynamicAddress: string): TrafficSelector[] {
  return list.map((t) => parseSelector(t, dynamicAddress));
}

// The few facts about an inner IP packet the data plane needs to pick (outbound) or check (inbound,
// RFC 4301 §5.2) a Child SA by its traffic selectors: family, addresses, upper-layer protocol and ports.
// Reads the IPv4 header (RFC 791) or the IPv6 header and its extension header chain (RFC 8200 §4);
// never copies, never trusts a length field without a bounds check.

/** IP protocol numbers used here (IANA "Assigned Internet Protocol Numbers"). */
export const IPPROTO = {
  HOPOPTS: 0,
  ICMP: 1,
  IPV4: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  NONXT: 59,
  DSTOPTS: 60,
  SCTP: 132,
  MH: 135,
} as const;

/**
 * Selector-relevant fields of one IP packet. Addresses are offsets into `packet` (4 or 16 bytes long),
 * not views: a subarray per packet is an allocation, and on JavaScriptCore it moves a small array's
 * bytes out of the GC heap, which cost more than the whole AES-GCM seal.
 */
export interface PacketInfo {
  version: 4 | 6;
  packet: Uint8Array;
  srcAt: number;
  dstAt: number;
  /** 4 (IPv4) or 16 (IPv6). */
  addrLen: number;
  /** Upper-layer protocol (after IPv6 extension headers). */
  protocol: number;
  /**
   * Source/destination port for TCP, UDP and SCTP; for ICMP and ICMPv6 both are type << 8 | code
   * (RFC 7296 §3.13.1 packs type and code into the port fields). Undefined when the packet carries no
   * port information (non-first fragment, other protocols): only selectors spanning all ports match it
   * (RFC 4301 §4.4.1.1, OPAQUE).
   */
  srcPort?: number;
  dstPort?: number;
  /** The total length the IP header claims (IPv4 Total Length, IPv6 40 + Payload Length). */
  length: number;
}

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];

/** The source or destination address of an inspected packet, as a copy (for messages and tests). */
export function packetAddress(p: PacketInfo, which: "src" | "dst"): Uint8Array {
  const at = which === "src" ? p.srcAt : p.dstAt;
  return p.packet.slice(at, at + p.addrLen);
}

function ports(info: PacketInfo, b: Uint8Array, off: number, end: number): void {
  const p = info.protocol;
  if (p === IPPROTO.TCP || p === IPPROTO.UDP || p === IPPROTO.SCTP) {
    if (off + 4 <= end) { info.srcPort = u16(b, off); info.dstPort = u16(b, off + 2); }
  } else if (p === IPPROTO.ICMP || p === IPPROTO.ICMPV6) {
    if (off + 2 <= end) { info.srcPort = info.dstPort = u16(b, off); }
  }
}

/**
 * Parses the headers of an IPv4 or IPv6 packet; undefined when it is not a well-formed one (truncated,
 * wrong version, header length out of range, Total Length larger than the bytes at hand).
 */
export function inspectPacket(b: Uint8Array): PacketInfo | undefined {
  if (b.length < 1) return undefined;
  const version = b[0] >> 4;
  if (version === 4) {
    if (b.length < 20) return undefined;
    const ihl = (b[0] & 0x0f) * 4;
    const total = u16(b, 2);
    if (ihl < 20 || total < ihl || total > b.length) return undefined;
    const info: PacketInfo = { version: 4, packet: b, srcAt: 12, dstAt: 16, addrLen: 4, protocol: b[9], length: total, srcPort: undefined, dstPort: undefined };
    // RFC 791: a fragment with a non-zero offset carries no upper-layer header.
    const fragOffset = u16(b, 6) & 0x1fff;
    if (fragOffset === 0) ports(info, b, ihl, total);
    return info;
  }
  if (version === 6) {
    if (b.length < 40) return undefined;
    const total = 40 + u16(b, 4);
    if (total > b.length) return undefined;
    const info: PacketInfo = { version: 6, packet: b, srcAt: 8, dstAt: 24, addrLen: 16, protocol: b[6], length: total, srcPort: undefined, dstPort: undefined };
    // RFC 8200 §4: walk Hop-by-Hop, Routing, Fragment and Destination Options to the upper layer.
    let next = b[6], off = 40, first = true;
    for (let guard = 0; guard < 16; guard++) {
      if (next === IPPROTO.HOPOPTS || next === IPPROTO.ROUTING || next === IPPROTO.DSTOPTS) {
        if (off + 2 > total) return undefined;
        const len = (b[off + 1] + 1) * 8;
        next = b[off]; off += len;
      } else if (next === IPPROTO.FRAGMENT) {
        if (off + 8 > total) return undefined;
        if ((u16(b, off + 2) & 0xfff8) !== 0) first = false;
        next = b[off]; off += 8;
      } else break;
      if (off > total) return undefined;
    }
    info.protocol = next;
    if (first) ports(info, b, off, total);
    return info;
  }
  return undefined;
}

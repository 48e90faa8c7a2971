// Writes UDP datagrams into a classic libpcap file (LINKTYPE_RAW: bare IPv4 packets), so tshark can read
// what skeyseed built. IPv4 header and UDP checksums are computed (RFC 791, RFC 768). Test tooling.

export interface Datagram {
  /** Dotted IPv4 addresses. */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

const LINKTYPE_RAW = 101;

function addr(s: string): number[] {
  const parts = s.split(".").map(Number);
  if (parts.length !== 4 || parts.some((n) => !(n >= 0 && n <= 255))) throw new Error(`pcap-write: bad IPv4 address ${s}`);
  return parts;
}

/** RFC 1071 one's complement sum, folded. */
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One IPv4/UDP packet carrying `d.payload`. */
export function ipv4Udp(d: Datagram, ipId: number): Uint8Array {
  const udpLen = 8 + d.payload.length, total = 20 + udpLen;
  if (total > 0xffff) throw new Error("pcap-write: datagram too large");
  const pkt = new Uint8Array(total);
  const v = new DataView(pkt.buffer);
  pkt[0] = 0x45; v.setUint16(2, total); v.setUint16(4, ipId & 0xffff); v.setUint16(6, 0x4000); // DF
  pkt[8] = 64; pkt[9] = 17;
  pkt.set(addr(d.src), 12); pkt.set(addr(d.dst), 16);
  v.setUint16(10, checksum(pkt.subarray(0, 20)));
  v.setUint16(20, d.sport); v.setUint16(22, d.dport); v.setUint16(24, udpLen);
  pkt.set(d.payload, 28);
  // UDP checksum over the pseudo-header (src, dst, 0, 17, UDP length) and the datagram.
  const pseudo = new Uint8Array(12 + udpLen);
  pseudo.set(pkt.subarray(12, 20), 0); pseudo[9] = 17; new DataView(pseudo.buffer).setUint16(10, udpLen);
  pseudo.set(pkt.subarray(20), 12);
  v.setUint16(26, checksum(pseudo) || 0xffff);
  return pkt;
}

/** A pcap file (microsecond timestamps, one packet per datagram, 10 ms apart from `startSeconds`). */
export function writePcap(datagrams: Datagram[], startSeconds = 1_700_000_000): Uint8Array {
  const packets = datagrams.map((d, i) => ipv4Udp(d, i + 1));
  const out = new Uint8Array(24 + packets.reduce((n, p) => n + 16 + p.length, 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true); v.setUint16(4, 2, true); v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true); v.setUint32(20, LINKTYPE_RAW, true);
  let o = 24;
  packets.forEach((p, i) => {
    const usec = i * 10_000;
    v.setUint32(o, startSeconds + Math.floor(usec / 1e6), true); v.setUint32(o + 4, usec % 1e6, true);
    v.setUint32(o + 8, p.length, true); v.setUint32(o + 12, p.length, true);
    out.set(p, o + 16);
    o += 16 + p.length;
  });
  return out;
}

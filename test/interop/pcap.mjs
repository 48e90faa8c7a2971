// Reads the UDP datagrams of a classic libpcap file (tcpdump -w): Ethernet, Linux cooked (v1/v2) or
// raw IP links, IPv4 and IPv6 without extension headers, no IP fragments. Pure: Buffer in, list out.

/** Returns [{ frame (1-based, as in Wireshark), time (s), srcAddr, dstAddr, sport, dport, src, dst, payload }]. */
export function readPcap(buf) {
  const magic = buf.readUInt32LE(0);
  let le, nano;
  if (magic === 0xa1b2c3d4) { le = true; nano = false; }
  else if (magic === 0xa1b23c4d) { le = true; nano = true; }
  else if (magic === 0xd4c3b2a1) { le = false; nano = false; }
  else if (magic === 0x4d3cb2a1) { le = false; nano = true; }
  else throw new Error(`pcap: unknown magic ${magic.toString(16)} (pcapng is not supported)`);
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linktype = u32(20);
  const out = [];
  let off = 24, frame = 0;
  while (off + 16 <= buf.length) {
    const sec = u32(off), frac = u32(off + 4), incl = u32(off + 8), orig = u32(off + 12);
    const data = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    frame++;
    if (incl !== orig) throw new Error(`pcap: frame ${frame} truncated (${incl} of ${orig} bytes); capture with -s 0`);
    const ip = linkPayload(linktype, data);
    if (!ip) continue;
    const udp = udpOf(ip);
    if (!udp) continue;
    out.push({ frame, time: sec + frac / (nano ? 1e9 : 1e6), ...udp });
  }
  return out;
}

function linkPayload(linktype, d) {
  let type, body;
  if (linktype === 1) { // Ethernet, skipping 802.1Q tags
    let o = 12;
    type = d.readUInt16BE(o);
    while (type === 0x8100 || type === 0x88a8) { o += 4; type = d.readUInt16BE(o); }
    body = d.subarray(o + 2);
  } else if (linktype === 113) { type = d.readUInt16BE(14); body = d.subarray(16); }      // Linux SLL
  else if (linktype === 276) { type = d.readUInt16BE(0); body = d.subarray(20); }         // Linux SLL2
  else if (linktype === 101 || linktype === 12) { body = d; type = (d[0] >> 4) === 6 ? 0x86dd : 0x0800; } // raw IP
  else throw new Error(`pcap: unsupported link type ${linktype}`);
  return type === 0x0800 || type === 0x86dd ? body : null;
}

function udpOf(ip) {
  let proto, srcAddr, dstAddr, l4;
  if (ip[0] >> 4 === 4) {
    const ihl = (ip[0] & 15) * 4, total = ip.readUInt16BE(2);
    if (ip.readUInt16BE(6) & 0x3fff) throw new Error("pcap: IPv4 fragment (not supported)");
    proto = ip[9];
    srcAddr = [...ip.subarray(12, 16)].join(".");
    dstAddr = [...ip.subarray(16, 20)].join(".");
    l4 = ip.subarray(ihl, total);
  } else if (ip[0] >> 4 === 6) {
    proto = ip[6];
    srcAddr = v6(ip.subarray(8, 24));
    dstAddr = v6(ip.subarray(24, 40));
    l4 = ip.subarray(40, 40 + ip.readUInt16BE(4));
  } else return null;
  if (proto !== 17) return null;
  const sport = l4.readUInt16BE(0), dport = l4.readUInt16BE(2), len = l4.readUInt16BE(4);
  const fmt = (a, p) => (a.includes(":") ? `[${a}]:${p}` : `${a}:${p}`);
  return { srcAddr, dstAddr, sport, dport, src: fmt(srcAddr, sport), dst: fmt(dstAddr, dport), payload: l4.subarray(8, len) };
}

function v6(b) {
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // RFC 5952: compress the longest run of zero groups.
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

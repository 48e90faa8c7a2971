// RFC 3948 demultiplexing on port 4500 and NAT-keepalives; the inner-packet inspection that selector
// matching relies on (IPv4 options and fragments, IPv6 extension headers, truncation).
import assert from "node:assert/strict";
import { test } from "../lib/harness.ts";
import { classifyNatT, espUdpPayload, inspectPacket, packetAddress, KeepaliveTimer, NAT_KEEPALIVE, OutboundSa, resolveEspTransforms } from "../../ts/esp/index.ts";
import { icmpEcho, ipv4, ipv6, keyPair, providers, SUITES, tcp, text, udp } from "./lib.ts";

test("esp udp: a 4500 payload is a keepalive, IKE (non-ESP marker) or ESP (RFC 3948 §2.2)", () => {
  assert.equal(classifyNatT(NAT_KEEPALIVE), "keepalive");
  assert.deepEqual([...NAT_KEEPALIVE], [0xff]);
  assert.equal(classifyNatT(Uint8Array.of(0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 0)), "ike");
  assert.equal(classifyNatT(Uint8Array.of(0xfe)), "invalid");
  assert.equal(classifyNatT(Uint8Array.of(0, 0, 1)), "invalid");
  assert.equal(classifyNatT(Uint8Array.of(0, 0, 0, 1, 0, 0, 0)), "invalid");
  const { p } = providers()[0];
  const suite = SUITES.find((s) => s.name === "aes128gcm16")!;
  const k = keyPair(p, suite);
  const t = resolveEspTransforms(p, suite.encr, suite.bits, 0);
  const out = new OutboundSa({ spi: 0x00000001, esn: false, keys: { encr: t.encr, encrKey: k.a.encrKeyOut }, random: () => {} });
  const e = out.encapsulate(ipv4("10.1.0.1", "10.2.0.1", 17, udp(1, 2, text("x"))));
  assert.ok(e.ok);
  // SPI 1 starts with three zero octets and is still ESP: only four zeros mean IKE.
  assert.equal(classifyNatT(espUdpPayload(e.packet)), "esp");
  assert.equal(espUdpPayload(e.packet), e.packet, "no marker for ESP (RFC 3948 §2.1)");
  assert.throws(() => espUdpPayload(new Uint8Array(12)), /SPI 0/);
});

test("esp udp: the NAT-keepalive timer fires after the interval of silence, and sending anything resets it", () => {
  const k = new KeepaliveTimer(1_000, 20_000);
  assert.equal(k.nextDeadline(), 21_000);
  assert.equal(k.poll(20_999), undefined);
  k.sent(15_000);
  assert.equal(k.poll(34_999), undefined);
  assert.deepEqual(k.poll(35_000), NAT_KEEPALIVE);
  assert.equal(k.poll(35_001), undefined);
  assert.equal(k.nextDeadline(), 55_000);
});

test("esp packet: inspectPacket reads addresses, protocol and ports, walking IPv6 extension headers", () => {
  const a = inspectPacket(ipv4("10.1.0.1", "10.2.0.2", 6, tcp(1234, 443)))!;
  assert.equal(a.version, 4);
  assert.deepEqual([...packetAddress(a, "src")], [10, 1, 0, 1]);
  assert.deepEqual([...packetAddress(a, "dst")], [10, 2, 0, 2]);
  assert.equal(a.protocol, 6);
  assert.equal(a.srcPort, 1234); assert.equal(a.dstPort, 443);
  const icmp = inspectPacket(ipv4("10.1.0.1", "10.2.0.2", 1, Uint8Array.of(3, 4, 0, 0, 0, 0, 0, 0)))!;
  assert.equal(icmp.srcPort, 0x0304, "ICMP type 3 code 4 as type << 8 | code (RFC 7296 §3.13.1)");
  const frag = inspectPacket(ipv4("10.1.0.1", "10.2.0.2", 17, new Uint8Array(16), { fragOffset: 185 }))!;
  assert.equal(frag.srcPort, undefined, "a non-first fragment carries no ports");
  // IPv4 with options (IHL 6).
  const opt = ipv4("10.1.0.1", "10.2.0.2", 17, Uint8Array.of(1, 1, 1, 1, ...udp(7, 9, text("o"))));
  opt[0] = 0x46;
  assert.equal(inspectPacket(opt)!.srcPort, 7);
  // IPv6: Hop-by-Hop (8 bytes) then Fragment (first fragment, offset 0) then UDP.
  const ext = Uint8Array.of(44, 0, 1, 4, 0, 0, 0, 0, /* fragment */ 17, 0, 0, 0, 0, 0, 0, 1);
  const v6 = inspectPacket(ipv6("fd00:a::1", "fd00:b::2", 17, udp(5353, 53, text("q")), { first: 0, bytes: ext }))!;
  assert.equal(v6.version, 6);
  assert.equal(v6.protocol, 17);
  assert.equal(v6.srcPort, 5353); assert.equal(v6.dstPort, 53);
  // A later fragment: no ports.
  const ext2 = Uint8Array.of(17, 0, 0, 0x08, 0, 0, 0, 1);
  const v6f = inspectPacket(ipv6("fd00:a::1", "fd00:b::2", 17, new Uint8Array(16), { first: 44, bytes: ext2 }))!;
  assert.equal(v6f.protocol, 17);
  assert.equal(v6f.srcPort, undefined);
  assert.equal(inspectPacket(ipv6("fd00:a::1", "fd00:b::2", 58, icmpEcho(128)))!.srcPort, 128 << 8);
  // Malformed: truncated headers, lengths beyond the data, unknown version.
  assert.equal(inspectPacket(new Uint8Array(0)), undefined);
  assert.equal(inspectPacket(ipv4("10.1.0.1", "10.2.0.2", 6, tcp(1, 2)).subarray(0, 30)), undefined);
  assert.equal(inspectPacket(ipv6("fd00:a::1", "fd00:b::2", 17, udp(1, 2, text("x"))).subarray(0, 45)), undefined);
  assert.equal(inspectPacket(Uint8Array.of(0x55, ...new Array(40).fill(0))), undefined);
  const badIhl = ipv4("10.1.0.1", "10.2.0.2", 6, tcp(1, 2)); badIhl[0] = 0x44;
  assert.equal(inspectPacket(badIhl), undefined);
  const hopBeyond = inspectPacket(ipv6("fd00:a::1", "fd00:b::2", 17, new Uint8Array(0), { first: 0, bytes: Uint8Array.of(17, 5, 0, 0, 0, 0, 0, 0) }));
  assert.equal(hopBeyond, undefined, "a Hop-by-Hop header longer than the packet");
});

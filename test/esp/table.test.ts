// The data plane's table: forwarding by traffic selector (RFC 4301 §5.1), the inbound policy check
// (§5.2), rekeys that keep the old inbound SA until the peer has moved or the grace period ends, and
// byte/packet lifetimes that ask for a rekey and then expire the SA.
import assert from "node:assert/strict";
import { test, toHex } from "../lib/harness.ts";
import { parseSelector } from "../../ts/engine/selectors.ts";
import { EspTable, createChildSa, selectorsFromText, type EspChildSa } from "../../ts/esp/index.ts";
import { childPair, icmpEcho, ipv4, ipv6, keyPair, providers, SUITES, tcp, text, udp } from "./lib.ts";

const GCM = SUITES.find((s) => s.name === "aes128gcm16")!;
const CBC = SUITES.find((s) => s.name === "aes256-sha256")!;

/** A's table and B's table holding the two ends of the same Child SAs. */
function tables(opts: { graceMs?: number; drainMs?: number } = {}) {
  return { A: new EspTable(opts), B: new EspTable(opts) };
}

test("esp table: packets go to the Child SA whose selectors cover them, by address, protocol and port; others are dropped and counted", () => {
  for (const { label, p } of providers()) {
    const { A, B } = tables();
    // Child 1: only TCP to port 443 of 10.2.0.0/16. Child 2: everything else between the nets (listed later).
    const web = childPair(p, GCM, { id: 1, spiA: 0xa1, spiB: 0xb1, local: ["10.1.0.0/16"], remote: ["10.2.0.0/16[tcp/443]"] });
    const all = childPair(p, CBC, { id: 2, spiA: 0xa2, spiB: 0xb2, seed: 2 });
    A.install(web.a, 0); A.install(all.a, 0);
    B.install(web.b, 0); B.install(all.b, 0);
    const send = (pkt: Uint8Array) => {
      const o = A.outbound(pkt, 0);
      if (!o.ok) return o.reason;
      const i = B.inbound(o.packet, 0);
      assert.ok(i.ok, `${label}: B drops what A sent on child ${o.childId}: ${i.ok ? "" : i.reason}`);
      assert.equal(toHex(i.inner), toHex(pkt));
      assert.equal(i.childId, o.childId);
      return o.childId;
    };
    assert.equal(send(ipv4("10.1.2.3", "10.2.0.80", 6, tcp(50000, 443))), 1);
    assert.equal(send(ipv4("10.1.2.3", "10.2.0.80", 6, tcp(50000, 80))), 2);
    assert.equal(send(ipv4("10.1.2.3", "10.2.0.80", 17, udp(50000, 443, text("quic")))), 2);
    assert.equal(send(ipv4("10.1.2.3", "10.2.255.255", 1, icmpEcho(8))), 2);
    assert.equal(send(ipv6("fd00:a::1", "fd00:b::2", 58, icmpEcho(128))), 2);
    assert.equal(send(ipv6("fd00:a::1", "fd00:b:0:0:ffff:ffff:ffff:ffff", 17, udp(1, 2, text("edge")))), 2);
    // Not covered by any Child SA: wrong source, wrong destination, other family ranges.
    assert.equal(send(ipv4("10.9.0.1", "10.2.0.80", 6, tcp(1, 443))), "no-policy");
    assert.equal(send(ipv4("10.1.0.1", "10.3.0.80", 6, tcp(1, 443))), "no-policy");
    assert.equal(send(ipv6("fd00:a::1", "fd00:c::1", 17, udp(1, 2, text("x")))), "no-policy");
    assert.equal(send(ipv6("fd00:a::1", "fd00:b:0:1::1", 17, udp(1, 2, text("x")))), "no-policy");
    assert.equal(send(new Uint8Array([0x45, 0, 0, 10])), "malformed-inner");
    assert.equal(A.drops["no-policy"], 4);
    assert.equal(A.drops["malformed-inner"], 1);
    assert.equal(A.get(1)!.outbound.counters.packets, 1);
    assert.equal(A.get(2)!.outbound.counters.packets, 5);
    // A non-first fragment has no ports: it cannot match the port-restricted Child SA (RFC 4301 OPAQUE).
    assert.equal(send(ipv4("10.1.2.3", "10.2.0.80", 6, new Uint8Array(16), { fragOffset: 100 })), 2);
    A.remove(2, 0);
    assert.equal(send(ipv4("10.1.2.3", "10.2.0.80", 6, new Uint8Array(16), { fragOffset: 100 })), "no-policy");
    assert.equal(send(ipv4("10.1.2.3", "10.2.0.80", 6, tcp(1, 443))), 1);
  }
});

test("esp table: inbound, a decapsulated packet outside the SA's selectors is dropped (RFC 4301 §5.2); unknown SPIs are counted", () => {
  for (const { label, p } of providers()) {
    const { A, B } = tables();
    const c = childPair(p, GCM, { id: 7, local: ["10.1.0.0/16"], remote: ["10.2.0.0/24[udp/53]"] });
    A.install(c.a, 0); B.install(c.b, 0);
    // B encapsulates directly on its SA, bypassing its own outbound policy: the kind of packet a
    // misbehaving peer could send. A must refuse to deliver what its selectors do not allow.
    const viaSa = (inner: Uint8Array) => { const e = c.b.outbound.encapsulate(inner); assert.ok(e.ok); return A.inbound(e.packet, 0); };
    const good = viaSa(ipv4("10.2.0.9", "10.1.7.7", 17, udp(53, 3333, text("dns answer"))));
    assert.ok(good.ok, label);
    for (const [inner, why] of [
      [ipv4("10.2.1.9", "10.1.7.7", 17, udp(53, 3333, text("x"))), "source outside 10.2.0.0/24"],
      [ipv4("10.2.0.9", "10.9.7.7", 17, udp(53, 3333, text("x"))), "destination outside 10.1.0.0/16"],
      [ipv4("10.2.0.9", "10.1.7.7", 6, tcp(53, 3333)), "TCP where only UDP is allowed"],
      [ipv4("10.2.0.9", "10.1.7.7", 17, udp(54, 3333, text("x"))), "source port 54"],
      [ipv6("fd00:b::1", "fd00:a::1", 17, udp(53, 1, text("x"))), "IPv6 on an IPv4-only SA"],
    ] as [Uint8Array, string][]) {
      const r = viaSa(inner);
      assert.ok(!r.ok && r.reason === "policy", `${label}: ${why}`);
    }
    assert.equal(c.a.inbound.counters.drops.policy, 5);
    // An IP header claiming more bytes (200) than arrived is malformed, never delivered.
    const bad = viaSa(Uint8Array.of(0x45, 0, 0, 200, ...new Array(40).fill(0)));
    assert.ok(!bad.ok && bad.reason === "malformed-inner");
    // An ESP packet for an SPI nobody installed, and a packet shorter than the ESP header.
    const e = c.b.outbound.encapsulate(ipv4("10.2.0.9", "10.1.7.7", 17, udp(53, 3333, text("x"))));
    assert.ok(e.ok);
    const wrongSpi = e.packet.slice(); wrongSpi[3] ^= 0x40;
    const u = A.inbound(wrongSpi, 0);
    assert.ok(!u.ok && u.reason === "unknown-spi");
    const t = A.inbound(new Uint8Array(5), 0);
    assert.ok(!t.ok && t.reason === "truncated");
    assert.equal(A.drops["unknown-spi"], 1);
    assert.equal(A.drops.truncated, 1);
    // An IP packet longer than its header says (TUN padding) goes out trimmed to Total Length.
    const inner = ipv4("10.1.0.1", "10.2.0.1", 17, udp(3333, 53, text("q")));
    const padded = Uint8Array.from([...inner, 0, 0, 0, 0]);
    const o = A.outbound(padded, 0);
    assert.ok(o.ok);
    const back = B.inbound(o.packet, 0);
    assert.ok(back.ok);
    assert.equal(toHex(back.inner), toHex(inner));
  }
});

test("esp table: after a rekey outbound moves at once; the old inbound SA takes in-flight packets until the peer has moved (+drain)", () => {
  for (const { label, p } of providers()) {
    const { A, B } = tables({ graceMs: 30_000, drainMs: 500 });
    const old = childPair(p, CBC, { id: 1, spiA: 0x1001, spiB: 0x2001, seed: 1 });
    A.install(old.a, 0); B.install(old.b, 0);
    const pktAB = ipv4("10.1.0.1", "10.2.0.1", 17, udp(1, 2, text("a->b")));
    const pktBA = ipv4("10.2.0.1", "10.1.0.1", 17, udp(2, 1, text("b->a")));
    // In flight from B on the old SA when the rekey completes.
    const inflight = [0, 1, 2].map(() => { const o = B.outbound(pktBA, 100); assert.ok(o.ok); return o.packet; });
    // A installs the new Child SA (rekeyOf 1) first; B a moment later.
    const nu = childPair(p, GCM, { id: 2, spiA: 0x1002, spiB: 0x2002, seed: 9 });
    A.install(nu.a, 1000, 1);
    assert.equal(A.nextDeadline(), 31_000);
    const o1 = A.outbound(pktAB, 1001);
    assert.ok(o1.ok && o1.spi === 0x2002 && o1.childId === 2, `${label}: A sends on the new SA at once`);
    // A's new outbound SA is unknown to B until B installs it: that packet is lost, as on any IPsec stack.
    assert.ok(!B.inbound(o1.packet, 1002).ok);
    B.install(nu.b, 1003, 1);
    // Old-SA packets in flight still get in at A.
    const r0 = A.inbound(inflight[0], 1004);
    assert.ok(r0.ok && r0.childId === 1, `${label}: in-flight old-SA packet delivered`);
    // B's first packet on the new SA: the peer has moved; the old SA lingers drainMs for reordering.
    const n1 = B.outbound(pktBA, 1005);
    assert.ok(n1.ok && n1.spi === 0x1002);
    assert.ok(A.inbound(n1.packet, 1006).ok);
    assert.equal(A.nextDeadline(), 1506);
    const r1 = A.inbound(inflight[1], 1400);
    assert.ok(r1.ok && r1.childId === 1, `${label}: reordered old-SA packet within the drain time`);
    A.tick(1506);
    assert.deepEqual(A.takeEvents(), [{ type: "retired", childId: 1, spiIn: 0x1001, why: "peer-moved" }]);
    assert.equal(A.get(1), undefined);
    assert.equal(A.nextDeadline(), undefined);
    const r2 = A.inbound(inflight[2], 1507);
    assert.ok(!r2.ok && r2.reason === "unknown-spi", `${label}: old SA gone after the drain`);
    // The engine's child-down for the old SA, arriving late, changes nothing.
    A.remove(1, 2000);
    assert.equal(A.size, 1);
    assert.ok(A.outbound(pktAB, 2001).ok);
  }
});

test("esp table: without traffic on the new SA the old inbound SA goes when the grace period ends; child-down keeps a retiring SA", () => {
  const { p } = providers()[0];
  const A = new EspTable({ graceMs: 5_000, drainMs: 500 });
  const B = new EspTable();
  const old = childPair(p, GCM, { id: 1, spiA: 0x11, spiB: 0x21 });
  A.install(old.a, 0); B.install(old.b, 0);
  const pktBA = ipv4("10.2.0.1", "10.1.0.1", 17, udp(2, 1, text("late")));
  const late = [0, 1].map(() => { const o = B.outbound(pktBA, 0); assert.ok(o.ok); return o.packet; });
  const nu = childPair(p, GCM, { id: 2, spiA: 0x12, spiB: 0x22, seed: 4 });
  A.install(nu.a, 100, 1);
  // The engine deletes the old Child SA right after the rekey (as strongSwan does): its inbound half stays.
  A.remove(1, 200);
  assert.ok(A.get(1), "a retiring SA outlives child-down until its time is up");
  assert.ok(A.inbound(late[0], 4_000).ok);
  assert.equal(A.nextDeadline(), 5_100);
  const r = A.inbound(late[1], 5_100);
  assert.ok(!r.ok && r.reason === "unknown-spi");
  assert.deepEqual(A.takeEvents(), [{ type: "retired", childId: 1, spiIn: 0x11, why: "grace-elapsed" }]);
  // A Child SA that nothing replaced is removed at once by child-down.
  A.remove(2, 6_000);
  assert.equal(A.size, 0);
  assert.deepEqual(A.takeEvents(), [{ type: "retired", childId: 2, spiIn: 0x12, why: "removed" }]);
  // Installing twice, or reusing an inbound SPI, is a caller error.
  const again = childPair(p, GCM, { id: 3, spiA: 0x31, spiB: 0x41 });
  A.install(again.a, 7_000);
  assert.throws(() => A.install(again.a, 7_000), /already installed/);
  assert.throws(() => A.install(childPair(p, GCM, { id: 4, spiA: 0x31 }).a, 7_000), /SPI 00000031 is already in use/);
});

test("esp table: soft byte/packet lifetimes ask for a rekey once, hard ones expire the SA in that direction", () => {
  for (const { label, p } of providers()) {
    const A = new EspTable(), B = new EspTable();
    const c = childPair(p, GCM, { id: 5, opts: { lifetime: { softPackets: 3, hardPackets: 5 } } });
    A.install(c.a, 0); B.install(c.b, 0);
    const pkt = ipv4("10.1.0.1", "10.2.0.1", 17, udp(1, 2, text("count me")));
    const sent: Uint8Array[] = [];
    for (let i = 1; i <= 6; i++) {
      const o = A.outbound(pkt, i);
      if (i <= 5) { assert.ok(o.ok, `${label}: packet ${i} goes out`); sent.push(o.packet); }
      else assert.ok(!o.ok && o.reason === "expired", `${label}: packet 6 refused`);
    }
    assert.deepEqual(A.takeEvents(), [
      { type: "rekey-needed", childId: 5, direction: "out" },
      { type: "expired", childId: 5, direction: "out" },
    ]);
    assert.equal(c.a.outbound.counters.drops.expired, 1);
    for (const s of sent) assert.ok(B.inbound(s, 10).ok);
    assert.deepEqual(B.takeEvents(), [
      { type: "rekey-needed", childId: 5, direction: "in" },
      { type: "expired", childId: 5, direction: "in" },
    ]);
    // After the inbound hard limit the SA takes nothing more.
    const extra = c.a.outbound.sealWith(6, new Uint8Array(8), pkt, 4);
    const r = B.inbound(extra, 11);
    assert.ok(!r.ok && r.reason === "expired");
    // Bytes: inner packet bytes count (RFC 4301 §4.4.2.1 byte lifetime).
    const byteSa = childPair(p, CBC, { id: 6, spiA: 0x61, spiB: 0x62, opts: { lifetime: { softBytes: 100, hardBytes: 1000 } } });
    const T = new EspTable();
    T.install(byteSa.a, 0);
    const big = ipv4("10.1.0.1", "10.2.0.1", 17, udp(1, 2, new Uint8Array(72))); // 100 bytes
    assert.equal(big.length, 100);
    assert.ok(T.outbound(big, 0).ok);
    assert.deepEqual(T.takeEvents(), [{ type: "rekey-needed", childId: 6, direction: "out" }]);
    for (let i = 0; i < 8; i++) assert.ok(T.outbound(big, 0).ok);
    assert.deepEqual(T.takeEvents(), []);
    assert.ok(T.outbound(big, 0).ok, "the packet reaching the hard limit still goes");
    assert.deepEqual(T.takeEvents(), [{ type: "expired", childId: 6, direction: "out" }]);
    assert.ok(!T.outbound(big, 0).ok);
    assert.equal(byteSa.a.outbound.counters.bytes, 1000);
  }
});

test("esp table: selectors from the engine's text (ChildSaInfo.ts) and createChildSa with the engine's key layout", () => {
  const { p } = providers()[0];
  const sel = selectorsFromText({ local: ["10.1.0.0/16", "fd00:a::/64[udp/500-600]"], remote: ["198.51.100.7/32[tcp]"] });
  assert.equal(sel.local.length, 2);
  assert.deepEqual(sel.remote[0], parseSelector("198.51.100.7[tcp]"));
  const k = keyPair(p, GCM);
  const child: EspChildSa = createChildSa(p, k.a, { id: 1, selectors: sel });
  assert.equal(child.inbound.spi, k.a.spiIn);
  assert.equal(child.outbound.spi, k.a.spiOut);
  assert.equal(child.outbound.esn, false);
  // PacketInfo points into a packet: here a buffer holding just the two addresses.
  const pi = (src: number[], dst: number[], protocol: number, srcPort?: number, dstPort?: number) =>
    ({ version: 4 as const, packet: Uint8Array.of(...src, ...dst), srcAt: 0, dstAt: 4, addrLen: 4, protocol, srcPort, dstPort, length: 40 });
  assert.ok(child.coversOutbound(pi([10, 1, 9, 9], [198, 51, 100, 7], 6, 1, 2)));
  assert.ok(!child.coversOutbound(pi([10, 1, 9, 9], [198, 51, 100, 7], 17, 1, 2)));
  assert.ok(child.coversInbound(pi([198, 51, 100, 7], [10, 1, 0, 0], 6)));
  assert.ok(!child.coversInbound(pi([198, 51, 100, 8], [10, 1, 0, 0], 6)));
  // A GCM key without its salt (16 instead of 20 bytes) is refused when the SA is built.
  assert.throws(() => createChildSa(p, { ...k.a, encrKeyIn: k.a.encrKeyIn.subarray(0, 16) }, { id: 2, selectors: sel }), /salt/);
});

test("esp table: a gateway's 2,000 Child SAs: each packet goes out on the first policy that covers it, the flow cache agrees with a fresh walk, and follows installs and removals", () => {
  const { p } = providers()[0];
  const t = new EspTable();
  const N = 2000;
  // Child i covers 10.100.<i/256>.<i%256>/32 behind us and 10.200.0.0/16 on our side; child 0 also a
  // whole /8 that overlaps every other (it comes first, so it wins where both cover a packet).
  const spis = (i: number) => ({ spiA: 0x1000 + 2 * i, spiB: 0x1001 + 2 * i });
  for (let i = 0; i < N; i++) {
    const host = `10.100.${i >> 8}.${i & 255}/32`;
    const remote = i === 0 ? ["10.100.0.0/16[udp/53]", host] : [host];
    t.install(childPair(p, GCM, { id: i + 1, ...spis(i), local: ["10.200.0.0/16"], remote }).a, 0);
  }
  const pkt = (i: number, proto = 6, port = 443) => ipv4("10.200.0.1", `10.100.${i >> 8}.${i & 255}`, proto, proto === 6 ? tcp(40000, port) : udp(40000, port, text("q")));
  for (const i of [0, 1, 77, 1500, N - 1]) {
    for (let rep = 0; rep < 3; rep++) {
      const r = t.outbound(pkt(i), 0);
      assert.ok(r.ok && r.childId === i + 1, `tcp to host ${i} (rep ${rep}): ${JSON.stringify(r.ok ? r.childId : r.reason)}`);
    }
  }
  // DNS to any of them matches child 1's first selector: the earlier policy wins, cached or not.
  for (let rep = 0; rep < 2; rep++) {
    const r = t.outbound(pkt(1500, 17, 53), 0);
    assert.ok(r.ok && r.childId === 1, `dns: ${r.ok ? r.childId : r.reason}`);
  }
  // Removing child 1 empties the cache: DNS to host 1500 now goes to host 1500's own child.
  t.remove(1, 0);
  const after = t.outbound(pkt(1500, 17, 53), 0);
  assert.ok(after.ok && after.childId === 1501, `after removal: ${after.ok ? after.childId : after.reason}`);
  const gone = t.outbound(pkt(0), 0);
  assert.ok(!gone.ok && gone.reason === "no-policy", "host 0's only child is gone");
  // A new Child SA installed for host 0 is found at once (no stale "no policy" from the cache).
  t.install(childPair(p, GCM, { id: 9999, spiA: 0x9000, spiB: 0x9001, local: ["10.200.0.0/16"], remote: ["10.100.0.0/32"] }).a, 0);
  const back = t.outbound(pkt(0), 0);
  assert.ok(back.ok && back.childId === 9999);
});

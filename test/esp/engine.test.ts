// The data plane fed by the real engine: two endpoints negotiate in the in-memory simulation
// (test/engine/sim.ts); each child-up event's keys and selectors become an ESP Child SA in that side's
// table, child-down removes it. Traffic must flow both ways with GCM and CBC+HMAC, and keep flowing
// through a Child SA rekey, with packets the peer sent on the old SA just before it still delivered.
import assert from "node:assert/strict";
import { test, toHex } from "../lib/harness.ts";
import { Sim, pairConfigs, type Node } from "../engine/sim.ts";
import type { CryptoProvider } from "../../ts/crypto/types.ts";
import { EspTable, createChildSa, selectorsFromText } from "../../ts/esp/index.ts";
import { ipv4, text, udp } from "./lib.ts";

/** Keeps one side's table in step with its engine's events. */
class Plane {
  readonly table = new EspTable({ graceMs: 10_000, drainMs: 200 });
  private seen = 0;
  constructor(readonly node: Node, private readonly p: CryptoProvider) {}
  sync(now: number): void {
    const ev = this.node.events;
    for (; this.seen < ev.length; this.seen++) {
      const e = ev[this.seen];
      if (e.type === "child-up") {
        this.table.install(createChildSa(this.p, e.keys, { id: e.child.id, selectors: selectorsFromText(e.child.ts) }), now, e.rekeyOf);
      } else if (e.type === "child-down") {
        this.table.remove(e.id, now);
      }
    }
  }
}

for (const [ike, esp] of [["aes128gcm16-prfsha256-x25519", "aes256gcm16"], ["aes256-sha256-modp2048", "aes256-sha512"], ["aes128-sha256-x25519", "aes128-sha1"]]) {
  test(`esp with the engine: ${esp} keys from child-up carry traffic both ways and survive a Child SA rekey`, () => {
    const sim = new Sim(21);
    const cfg = pairConfigs({ ike, esp });
    const a = sim.add("198.18.0.1", cfg.a), b = sim.add("198.18.0.2", cfg.b);
    sim.cmd(a, (ep, now) => ep.initiate("tunnel", now));
    sim.run(sim.now + 60_000, () => a.events.some((e) => e.type === "child-up") && b.events.some((e) => e.type === "child-up"));
    const A = new Plane(a, sim.provider), B = new Plane(b, sim.provider);
    A.sync(sim.now); B.sync(sim.now);
    assert.equal(A.table.size, 1);
    const ab = ipv4("10.1.0.7", "10.2.0.9", 17, udp(5000, 9, text(`${esp} edge -> gw`)));
    const ba = ipv4("10.2.0.9", "10.1.0.7", 17, udp(9, 5000, text(`${esp} gw -> edge`)));
    const pass = (from: Plane, to: Plane, pkt: Uint8Array, now: number) => {
      const o = from.table.outbound(pkt, now);
      assert.ok(o.ok, `outbound: ${o.ok ? "" : o.reason}`);
      const i = to.table.inbound(o.packet, now);
      assert.ok(i.ok, `inbound: ${i.ok ? "" : i.reason}`);
      assert.equal(toHex(i.inner), toHex(pkt));
      return o;
    };
    const first = pass(A, B, ab, sim.now);
    pass(B, A, ba, sim.now);
    // A packet outside the negotiated selectors goes nowhere.
    const stray = A.table.outbound(ipv4("10.1.0.7", "10.3.0.1", 17, udp(1, 2, text("x"))), sim.now);
    assert.ok(!stray.ok && stray.reason === "no-policy");

    // B has packets in flight on the old SA when the rekey happens.
    const inflight = [0, 1].map(() => { const o = B.table.outbound(ba, sim.now); assert.ok(o.ok); return o.packet; });
    const old = a.ep.childSas()[0].id;
    sim.cmd(a, (ep, now) => ep.rekeyChild(old, now));
    sim.run(sim.now + 30_000);
    A.sync(sim.now); B.sync(sim.now);
    assert.equal(a.ep.childCount, 1);
    const after = pass(A, B, ab, sim.now);
    assert.notEqual(after.spi, first.spi, "outbound uses the new SA at once");
    // The engine already deleted the old Child SA, yet the in-flight packet on it is delivered.
    const late = A.table.inbound(inflight[0], sim.now);
    assert.ok(late.ok, `old-SA packet after the rekey: ${late.ok ? "" : late.reason}`);
    const back = pass(B, A, ba, sim.now);
    assert.notEqual(back.childId, late.childId);
    // After the peer moved, the old inbound SA goes once the drain time has passed.
    A.table.tick(sim.now + 200);
    const gone = A.table.inbound(inflight[1], sim.now + 201);
    assert.ok(!gone.ok && gone.reason === "unknown-spi");
    assert.equal(A.table.size, 1);
    assert.deepEqual(A.table.takeEvents().filter((e) => e.type === "retired").map((e) => e.type === "retired" && e.why), ["peer-moved"]);
  });
}

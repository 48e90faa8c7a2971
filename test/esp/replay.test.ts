// The anti-replay window (RFC 4303 §3.4.3) and ESN inference (Appendix A2.2): edges, far-ahead jumps,
// slides of more than the window, a randomized comparison with a plain reference model, and the order
// replay pre-check → ICV → window update seen through a real SA.
import assert from "node:assert/strict";
import { test } from "../lib/harness.ts";
import { InboundSa, OutboundSa, ReplayWindow, resolveEspTransforms } from "../../ts/esp/index.ts";
import { ipv4, keyPair, providers, SUITES, text, udp } from "./lib.ts";

const TWO32 = 2 ** 32;

test("esp replay: window edges, duplicates, far-ahead packets and slides larger than the window", () => {
  const w = new ReplayWindow(1024);
  assert.equal(w.size, 1024);
  assert.equal(w.check(0), false, "sequence number 0 is never valid");
  assert.equal(w.check(1), true);
  w.update(1);
  assert.equal(w.check(1), false, "duplicate");
  w.update(2000);
  assert.equal(w.check(2000), false);
  assert.equal(w.check(2000 - 1024), false, "top - W is left of the window");
  assert.equal(w.check(2000 - 1023), true, "top - W + 1 is the window's last slot");
  assert.equal(w.check(1), false, "old");
  assert.equal(w.check(1999), true);
  w.update(1999);
  assert.equal(w.check(1999), false);
  // Every slot of the window fills once, then all are duplicates.
  for (let s = 977; s <= 2000; s++) if (s !== 1999 && s !== 2000) { assert.ok(w.check(s), `slot ${s}`); w.update(s); }
  for (let s = 977; s <= 2000; s++) assert.equal(w.check(s), false, `slot ${s} seen`);
  // A jump far ahead (more than the window) clears everything: numbers between are new.
  w.update(1_000_000);
  assert.equal(w.top, 1_000_000);
  for (let s = 1_000_000 - 1023; s < 1_000_000; s++) assert.ok(w.check(s), `after the jump, ${s} is unseen`);
  assert.equal(w.check(1_000_000 - 1024), false);
  // A slide of exactly one word (32) and of W + 1 keeps only what must stay.
  w.update(999_990);
  w.update(1_000_032);
  assert.equal(w.check(999_990), false, "still inside, still seen");
  assert.equal(w.check(999_991), true);
  w.update(1_000_032 + 1025);
  assert.equal(w.check(1_000_032), false, "now left of the window");
  assert.equal(w.check(1_000_032 + 1), false, "top - W: just left of the window");
  assert.equal(w.check(1_000_032 + 2), true, "top - W + 1: unseen and inside");
  assert.throws(() => new ReplayWindow(1000), /multiple of 32/);
  assert.throws(() => new ReplayWindow(16), /multiple of 32/);
});

/** The reference: a set of every accepted number and the top; O(n) memory, obviously right. */
class Model {
  seen = new Set<number>(); top = 0;
  constructor(readonly size: number) {}
  check(s: number) { return s > 0 && (s > this.top || (s + this.size > this.top && !this.seen.has(s))); }
  update(s: number) { this.seen.add(s); if (s > this.top) this.top = s; }
}

test("esp replay: 200,000 random operations agree with a reference model (windows 32, 1024, 4096)", () => {
  let x = 0x9e3779b9;
  const rnd = (n: number) => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % n; };
  for (const size of [32, 1024, 4096]) {
    const w = new ReplayWindow(size), m = new Model(size);
    for (let i = 0; i < 200_000 / 3; i++) {
      const r = rnd(100);
      // Mostly near the top (reordering, duplicates), sometimes far ahead, sometimes far behind.
      let s: number;
      if (r < 70) s = Math.max(0, m.top - rnd(size + 40) + 5);
      else if (r < 90) s = m.top + 1 + rnd(3);
      else if (r < 97) s = m.top + rnd(size * 3);
      else s = Math.max(0, m.top - size - rnd(100));
      const c = w.check(s);
      assert.equal(c, m.check(s), `window ${size}, op ${i}: check(${s}) with top ${m.top}`);
      if (c) { w.update(s); m.update(s); }
    }
    assert.equal(w.top, m.top);
  }
});

/** RFC 4303 Appendix A2.2 with bigint, written from the RFC's text. */
function referenceEsn(top: bigint, w: bigint, lo: bigint): bigint {
  const th = top >> 32n, tl = top & 0xffffffffn;
  if (tl >= w - 1n) return ((lo >= tl - w + 1n) ? th : th + 1n) * (1n << 32n) + lo;
  const bottom = (tl - w + 1n) & 0xffffffffn;
  return ((lo >= bottom) ? th - 1n : th) * (1n << 32n) + lo;
}

test("esp replay: ESN high-half inference follows RFC 4303 Appendix A2.2 (cases A and B, around every wrap)", () => {
  const w = new ReplayWindow(1024);
  const tops = [1, 500, 1022, 1023, 1024, 5000, TWO32 - 2000, TWO32 - 1, TWO32, TWO32 + 3, TWO32 + 1022, TWO32 + 1023, 3 * TWO32 + 77];
  const los = [0, 1, 2, 500, 1000, 1023, 1024, 4000, TWO32 / 2, TWO32 - 1024, TWO32 - 1022, TWO32 - 1000, TWO32 - 1];
  for (const top of tops) {
    w.update(top);
    for (const lo of los) {
      const ref = referenceEsn(BigInt(top), 1024n, BigInt(lo));
      const got = w.inferEsn(lo);
      if (ref < 0n) assert.equal(got, -1, `top ${top} lo ${lo}`);
      else assert.equal(got, Number(ref), `top ${top} lo ${lo}`);
    }
  }
  // Before anything arrived, numbers in the "previous subspace" are refused rather than placed at -1.
  assert.equal(new ReplayWindow(1024).inferEsn(TWO32 - 5), -1);
  assert.equal(new ReplayWindow(1024).inferEsn(7), 7);
});

test("esp replay: a forged packet neither moves the window nor burns its number; the pre-check runs before the ICV", () => {
  for (const { label, p } of providers()) {
    const suite = SUITES.find((s) => s.name === "aes128gcm16")!;
    const k = keyPair(p, suite);
    const t = resolveEspTransforms(p, suite.encr, suite.bits, 0);
    const out = new OutboundSa({ spi: k.a.spiOut, esn: false, keys: { encr: t.encr, encrKey: k.a.encrKeyOut }, random: () => {}, initialSeq: 4999 });
    const inb = new InboundSa({ spi: k.b.spiIn, esn: false, keys: { encr: t.encr, encrKey: k.b.encrKeyIn } });
    const pkt = (inner = ipv4("10.1.0.1", "10.2.0.1", 17, udp(1, 2, text("x")))) => { const e = out.encapsulate(inner); assert.ok(e.ok); return e.packet; };
    const p5000 = pkt();
    const forged = p5000.slice(); forged[forged.length - 1] ^= 1;
    const r1 = inb.decapsulate(forged);
    assert.ok(!r1.ok && r1.reason === "icv");
    assert.equal(inb.window.top, 0, `${label}: a forged packet does not move the window`);
    // The genuine packet with that number still gets in.
    assert.ok(inb.decapsulate(p5000).ok);
    // A forged copy of an accepted packet is a replay (caught before any crypto), not an ICV failure.
    const r2 = inb.decapsulate(forged);
    assert.ok(!r2.ok && r2.reason === "replay");
    assert.equal(inb.counters.drops.icv, 1);
    assert.equal(inb.counters.drops.replay, 1);
    // Packets out of order inside the window are accepted once each; one past the left edge is not.
    const later = Array.from({ length: 1100 }, () => pkt());
    for (let i = later.length - 1; i >= later.length - 1024; i--) assert.ok(inb.decapsulate(later[i]).ok, `${label}: reordered ${i}`);
    const old = inb.decapsulate(later[later.length - 1025]);
    assert.ok(!old.ok && old.reason === "replay");
    for (let i = later.length - 1024; i < later.length; i++) assert.ok(!inb.decapsulate(later[i]).ok);
    assert.equal(inb.counters.packets, 1 + 1024);
  }
});

// Known answers from strongSwan 5.9.8 (kernel-libipsec): every ESP packet of the recorded fixtures
// (test/fixtures/strongswan/*/esp.json) is decapsulated with the Child SA keys from the same folder's
// keys.json and must give exactly innerPacketHex; then sealed again with the packet's own sequence
// number and IV, which must reproduce strongSwan's bytes (same padding, same ICV). On every provider.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hex, test, toHex } from "../lib/harness.ts";
import { fixtures, childTransforms, type ChildSaKeys as FixtureChild } from "../crypto/strongswan-keys.ts";
import { EspTable, InboundSa, OutboundSa, createChildSa, selectorsFromText } from "../../ts/esp/index.ts";
import { ENCR, INTEG } from "../../ts/crypto/types.ts";
import type { ChildSaKeys } from "../../ts/engine/types.ts";
import { providers } from "./lib.ts";

interface EspRecord { i: number; frame: number; dir: "i->r" | "r->i"; src: string; dst: string; SPI: string; seq: number; udpPayloadHex: string; nextHeader: number; innerPacketHex: string }

function espOf(dir: string): EspRecord[] {
  return JSON.parse(readFileSync(join(dir, "esp.json"), "utf8"));
}

/** The Child SA and direction whose SPI the packet carries. */
function keysFor(children: FixtureChild[], spi: string): { child: FixtureChild; enc: string; integ: string | null } {
  for (const c of children) {
    if (c.initiatorToResponder.SPI === spi) return { child: c, enc: c.initiatorToResponder.encrKey, integ: c.initiatorToResponder.integKey };
    if (c.responderToInitiator.SPI === spi) return { child: c, enc: c.responderToInitiator.encrKey, integ: c.responderToInitiator.integKey };
  }
  throw new Error(`no Child SA with SPI ${spi}`);
}

test("esp: every strongSwan ESP packet decapsulates to its inner packet and re-encapsulates to the same bytes", () => {
  let total = 0;
  for (const { label, p } of providers()) {
    for (const f of fixtures()) {
      const children = f.ikeSas.flatMap((s) => s.childSas);
      const records = espOf(f.dir);
      assert.ok(records.length >= 8, `${f.name}: esp.json holds ${records.length} packets`);
      const inbound = new Map<string, InboundSa>();
      for (const r of records) {
        const { child, enc, integ } = keysFor(children, r.SPI);
        const t = childTransforms(p, child.algorithms);
        const keys = t.integ ? { encr: t.encr, encrKey: hex(enc), integ: t.integ, integKey: hex(integ!) } : { encr: t.encr, encrKey: hex(enc) };
        const esn = (child.algorithms as { esn?: boolean }).esn === true;
        let sa = inbound.get(r.SPI);
        if (!sa) { sa = new InboundSa({ spi: parseInt(r.SPI, 16), esn, keys }); inbound.set(r.SPI, sa); }
        const wire = hex(r.udpPayloadHex);
        const d = sa.decapsulate(wire);
        assert.ok(d.ok, `${label} ${f.name} packet ${r.i}: dropped (${d.ok ? "" : d.reason})`);
        assert.equal(d.seq, r.seq);
        assert.equal(d.nextHeader, r.nextHeader);
        assert.equal(toHex(d.inner), r.innerPacketHex, `${label} ${f.name} packet ${r.i}: inner packet`);
        // The same packet again is a replay.
        const again = sa.decapsulate(wire);
        assert.ok(!again.ok && again.reason === "replay", `${label} ${f.name} packet ${r.i}: a duplicate must be dropped as a replay`);

        const out = new OutboundSa({ spi: parseInt(r.SPI, 16), esn, keys, random: () => { throw new Error("no randomness needed"); } });
        const ivLen = t.encr.ivLen;
        const resealed = out.sealWith(r.seq, wire.subarray(8, 8 + ivLen), d.inner, d.nextHeader);
        assert.equal(toHex(resealed), r.udpPayloadHex, `${label} ${f.name} packet ${r.i}: re-encapsulation differs from strongSwan's`);
        out.dispose();
        total++;
      }
      for (const sa of inbound.values()) {
        assert.equal(sa.counters.drops.replay, sa.counters.packets);
        assert.equal(sa.counters.drops.icv, 0);
        sa.dispose();
      }
    }
  }
  assert.equal(total, 3 * 44, "all 44 recorded packets on 3 providers");
});

/** Moon's (side "a") ChildSaKeys for a fixture Child SA, as ts/engine/endpoint.ts would emit them. */
function moonKeys(c: FixtureChild): ChildSaKeys {
  const a = c.algorithms;
  const [inb, out] = c.initiator === "a" ? [c.responderToInitiator, c.initiatorToResponder] : [c.initiatorToResponder, c.responderToInitiator];
  return {
    encr: { id: ENCR[a.encr as keyof typeof ENCR], keyBits: a.encrKeyBits }, integ: a.integ ? INTEG[a.integ as keyof typeof INTEG] : 0, esn: false,
    spiIn: parseInt(inb.SPI, 16), spiOut: parseInt(out.SPI, 16),
    encrKeyIn: hex(inb.encrKey), integKeyIn: hex(inb.integKey ?? ""), encrKeyOut: hex(out.encrKey), integKeyOut: hex(out.integKey ?? ""),
  };
}

test("esp: strongSwan packets pass the table's inbound policy check for the tunnel addresses, and a rekeyed SA still takes old packets", () => {
  const { p } = providers()[0];
  for (const f of fixtures()) {
    const records = espOf(f.dir);
    const children = f.ikeSas.flatMap((s) => s.childSas);
    // Moon's view: it receives responderToInitiator traffic. Selectors: its own tunnel address, sun's.
    const moon = new EspTable({ graceMs: 10_000 });
    const sel = selectorsFromText({ local: [f.scenario.initiator.tunnelAddress + "/32"], remote: [f.scenario.responder.tunnelAddress + "/32"] });
    let prev: number | undefined;
    children.forEach((c, n) => {
      moon.install(createChildSa(p, moonKeys(c), { id: n + 1, selectors: sel }), 0, prev);
      prev = n + 1;
    });
    // All r->i packets, in capture order (old SA packets after the rekey included), are delivered.
    const rx = records.filter((r) => r.dir === "r->i");
    for (const r of rx) {
      const res = moon.inbound(hex(r.udpPayloadHex), 1);
      assert.ok(res.ok, `${f.name} packet ${r.i}: ${res.ok ? "" : res.reason}`);
      assert.equal(toHex(res.inner), r.innerPacketHex);
    }
    // Outbound from moon goes on the newest Child SA.
    const last = children[children.length - 1];
    const txInner = hex(records.find((r) => r.dir === "i->r")!.innerPacketHex);
    const o = moon.outbound(txInner, 2);
    assert.ok(o.ok);
    assert.equal(o.spi, parseInt((last.initiator === "a" ? last.initiatorToResponder : last.responderToInitiator).SPI, 16));
    // A table that only allows another tunnel address drops the same packets as "policy".
    const strict = new EspTable();
    const c0 = children[0];
    strict.install(createChildSa(p, moonKeys(c0), { id: 1, selectors: selectorsFromText({ local: [f.scenario.initiator.tunnelAddress + "/32"], remote: ["198.51.100.0/24"] }) }), 0);
    const moonIn = c0.initiator === "a" ? c0.responderToInitiator : c0.initiatorToResponder;
    const firstRx = rx.find((r) => r.SPI === moonIn.SPI)!;
    const denied = strict.inbound(hex(firstRx.udpPayloadHex), 0);
    assert.ok(!denied.ok && denied.reason === "policy");
    assert.equal(strict.get(1)!.inbound.counters.drops.policy, 1);
  }
});

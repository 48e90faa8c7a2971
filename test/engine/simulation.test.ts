// Deterministic simulation: many initiators and one responder for one simulated hour with loss,
// duplication and reordering and short lifetimes. Every SA is established and rekeyed, none leaks,
// and the same seed gives the same transcript hash.
import assert from "node:assert/strict";
import { test } from "../lib/harness.ts";
import { Sim, type Node } from "./sim.ts";
import { createNativeProvider } from "../../ts/crypto/native/provider.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import type { EndpointInput } from "../../ts/engine/config.ts";

const HOUR = 3_600_000;

function gatewayConfig(): EndpointInput {
  return {
    connections: [{
      name: "gw", local: { id: "gw.example", address: "198.19.0.1" }, remote: { id: "%any" }, psk: "simulation psk",
      ike: { proposals: "aes128gcm16-prfsha256-x25519", rekeyTime: 2400, dpdDelay: 0 },
      children: [{ name: "net", esp: "aes128gcm16", localTs: ["10.255.0.0/16"], remoteTs: ["10.0.0.0/9"], rekeyTime: 1200 }],
    }],
    retransmit: { timeout: 2, base: 1.5, tries: 8 },
    cookieThreshold: 100_000,
  };
}

function edgeConfig(i: number): EndpointInput {
  return {
    connections: [{
      name: "tunnel", local: { id: `edge${i}.example`, address: edgeIp(i) }, remote: { id: "gw.example", address: "198.19.0.1" }, psk: "simulation psk",
      ike: { proposals: "aes128gcm16-prfsha256-x25519", rekeyTime: 1200, jitter: 0.2, dpdDelay: 0 },
      children: [{ name: "net", esp: "aes128gcm16", localTs: [`10.${(i >> 8) & 0x7f}.${i & 255}.0/24`], remoteTs: ["10.255.0.0/16"], rekeyTime: 600, jitter: 0.2 }],
    }],
    retransmit: { timeout: 2, base: 1.5, tries: 8 },
  };
}

function edgeIp(i: number): string { return `198.18.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`; }

function simulate(seed: number, n: number, faults: { drop: number; duplicate: number; reorder: number }) {
  const sim = new Sim(seed, { ...faults, delayMs: 300 }, createNativeProvider({ random: seededRandom(seed) }));
  sim.keepEvents = false;
  const gw = sim.add("198.19.0.1", gatewayConfig());
  const edges: Node[] = [];
  for (let i = 0; i < n; i++) edges.push(sim.add(edgeIp(i), edgeConfig(i)));
  // Initiators start spread over the first minute.
  const starts = edges.map((_, i) => ({ i, at: Math.floor((i * 60_000) / n) }));
  for (const s of starts) {
    sim.run(s.at);
    sim.cmd(edges[s.i], (ep, now) => ep.initiate("tunnel", now));
  }
  sim.run(HOUR);
  return { sim, gw, edges };
}

function count(n: Node, type: string): number { return n.events.filter((e) => e.type === type).length; }

function checkHour(r: ReturnType<typeof simulate>, n: number) {
  const { sim, gw, edges } = r;
  for (const [i, e] of edges.entries()) {
    assert.equal(count(e, "ike-up"), 1, `edge ${i}: ike-up ${count(e, "ike-up")}, failed ${count(e, "ike-failed")}, dead ${count(e, "peer-dead")}`);
    assert.ok(count(e, "ike-rekeyed") >= 1, `edge ${i} never rekeyed its IKE SA`);
    assert.ok(count(e, "child-up") >= 3, `edge ${i}: only ${count(e, "child-up")} child-up events`);
    assert.equal(e.ep.ikeSas().length, 1, `edge ${i} has ${e.ep.ikeSas().length} established IKE SAs`);
  }
  assert.equal(gw.ep.ikeSas().length, n, "the gateway holds one established IKE SA per edge");
  assert.equal(count(gw, "peer-dead"), 0);
  // Shut every edge down cleanly on a quiet network: both sides must return to empty tables.
  sim.faults = {};
  for (const e of edges) sim.cmd(e, (ep, now) => ep.closeAll(now));
  sim.run(sim.now + 600_000, () => gw.ep.ikeCount === 0 && sim.inFlight() === 0);
  sim.run(sim.now + 120_000);
  assert.equal(gw.ep.ikeCount, 0, `gateway leaked ${gw.ep.ikeCount} IKE SAs`);
  assert.equal(gw.ep.childCount, 0, `gateway leaked ${gw.ep.childCount} Child SAs`);
  for (const e of edges) { assert.equal(e.ep.ikeCount, 0); assert.equal(e.ep.childCount, 0); assert.equal(e.ep.nextDeadline(), undefined); }
  assert.equal(gw.ep.nextDeadline(), undefined, "no timers left on the gateway");
}

test("simulation: 1,000 initiators, one responder, one hour, 10% loss/duplication/reordering, short lifetimes", () => {
  const r = simulate(2026, Number((globalThis as any).process?.env?.SIM_N ?? 1000), { drop: 0.1, duplicate: 0.1, reorder: 0.1 });
  checkHour(r, r.edges.length);
}, { timeoutMs: 600_000 });

test("simulation: the same seed reproduces the same transcript hash (100 initiators, one hour, faults)", () => {
  const h1 = simulate(7, 100, { drop: 0.1, duplicate: 0.1, reorder: 0.1 }).sim.transcriptHash();
  const h2 = simulate(7, 100, { drop: 0.1, duplicate: 0.1, reorder: 0.1 }).sim.transcriptHash();
  const h3 = simulate(8, 100, { drop: 0.1, duplicate: 0.1, reorder: 0.1 }).sim.transcriptHash();
  assert.equal(h1, h2);
  assert.notEqual(h1, h3);
}, { timeoutMs: 600_000 });

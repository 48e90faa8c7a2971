// The endpoint's timer heap (ts/engine/deadlines.ts): nextDeadline() is a peek and tick() handles only
// the SAs that are due, so both must agree with a scan of every SA through everything that moves a
// deadline (rekeys, deletes, retransmissions and give-ups, half-open expiry, DPD, INITIAL_CONTACT), and
// an idle tick must not look at any SA however many are held.
import assert from "node:assert/strict";
import { test } from "../lib/harness.ts";
import { Sim, Rng, type Node } from "./sim.ts";
import { Endpoint } from "../../ts/engine/endpoint.ts";
import { resolveConfig, type EndpointInput } from "../../ts/engine/config.ts";
import { createNativeProvider } from "../../ts/crypto/native/provider.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import { identityEquals } from "../../ts/config/identity.ts";
import { ExchangeType } from "../../ts/wire/iana.ts";
import type { Datagram } from "../../ts/engine/types.ts";
import { exchange } from "../../bench/pair.ts";

const GW = "198.19.0.1";
const edgeIp = (i: number) => `198.18.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;

function gatewayConfig(): EndpointInput {
  return {
    connections: [{
      name: "gw", local: { id: "gw.example", address: GW }, remote: { id: "%any" }, psk: "deadline psk",
      ike: { proposals: "aes128gcm16-prfsha256-x25519", rekeyTime: 900, dpdDelay: 60 },
      children: [{ name: "net", esp: "aes128gcm16", localTs: ["10.255.0.0/16"], remoteTs: ["10.0.0.0/9"], rekeyTime: 400 }],
    }],
    retransmit: { timeout: 2, base: 1.5, tries: 4 },
    halfOpenTimeout: 10,
    // Low, so that the half-open count decides whether a cookie is asked for during the run.
    cookieThreshold: 3,
  };
}

/** Edges 0..N-1; the last few share an identity with earlier ones, so INITIAL_CONTACT replaces SAs. */
function edgeConfig(i: number, n: number): EndpointInput {
  return {
    connections: [{
      name: "tunnel", local: { id: `edge${i % (n - 4)}.example`, address: edgeIp(i) }, remote: { id: "gw.example", address: GW }, psk: "deadline psk",
      ike: { proposals: "aes128gcm16-prfsha256-x25519", rekeyTime: 600, jitter: 0.2, dpdDelay: i % 3 === 0 ? 45 : 0 },
      children: [{ name: "net", esp: "aes128gcm16", localTs: [`10.${(i >> 8) & 0x7f}.${i & 255}.0/24`], remoteTs: ["10.255.0.0/16"], rekeyTime: 300, jitter: 0.2 }],
    }],
    retransmit: { timeout: 2, base: 1.5, tries: 4 },
    // Some edges fragment their protected messages (RFC 7383): the gateway's reassembly has deadlines too.
    ...(i % 4 === 1 ? { fragmentSize: 200 } : {}),
  };
}

/** The earliest deadline an operator can see: every established IKE SA's and its Child SAs' lifetimes. */
function publicBound(ep: Endpoint): number {
  const ikes = ep.ikeSas();
  const est = new Set(ikes.map((i) => i.id));
  let d = Infinity;
  for (const i of ikes) if (i.deleteAt !== undefined) d = Math.min(d, i.deleteAt);
  for (const c of ep.childSas()) if (est.has(c.ikeId) && c.deleteAt !== undefined) d = Math.min(d, c.deleteAt);
  return d;
}

test("deadlines: nextDeadline() and halfOpenCount equal a scan of every SA after each call, through rekeys, deletes, timeouts, half-open expiry and INITIAL_CONTACT", () => {
  const N = 40, seed = 11;
  const sim = new Sim(seed, { drop: 0.05, duplicate: 0.05, reorder: 0.05, delayMs: 300 }, createNativeProvider({ random: seededRandom(seed) }));
  sim.keepEvents = false;
  const gw = sim.add(GW, gatewayConfig());
  const edges: Node[] = [];
  for (let i = 0; i < N; i++) edges.push(sim.add(edgeIp(i), edgeConfig(i, N)));

  // Every call of every node is checked against the brute-force scan, once its output is taken.
  let checks = 0, maxHalfOpen = 0;
  const take = sim.take.bind(sim);
  sim.take = (from, out) => {
    take(from, out);
    const ep = from.ep;
    assert.equal(ep.nextDeadline(), ep.scanDeadline(), `${from.ip} at ${sim.now}: nextDeadline() differs from a scan of every SA`);
    assert.equal(ep.halfOpenCount, ep.scanHalfOpen(), `${from.ip} at ${sim.now}: halfOpenCount differs from a count of every SA`);
    maxHalfOpen = Math.max(maxHalfOpen, ep.halfOpenCount);
    checks++;
  };

  // Faults the scenario turns on and off: a peer that goes silent (retransmissions, give-ups, DPD), an
  // initiator whose IKE_AUTH never arrives (half-open expiry on the gateway).
  const rng = new Rng(seed);
  const silentUntil = new Map<string, number>();
  const noAuth = new Set<string>();
  sim.filter = (dg: Datagram, from: string) => {
    const peer = from === GW ? dg.remote.ip : from;
    if ((silentUntil.get(peer) ?? -1) > sim.now) return false;
    return !(noAuth.has(from) && dg.data.length > 28 && dg.data[18] === ExchangeType.IKE_AUTH);
  };

  // A burst at the start: many half-open SAs at once, past the cookie threshold.
  for (let i = 0; i < N; i++) { sim.run(Math.floor((i * 200) / N)); sim.cmd(edges[i], (ep, now) => ep.initiate("tunnel", now)); }
  const end = 30 * 60_000;
  while (sim.now < end) {
    sim.run(sim.now + 1000 + rng.int(15_000));
    const e = edges[rng.int(N)];
    const ike = e.ep.ikeSas()[0], child = e.ep.childSas()[0];
    switch (rng.int(10)) {
      case 0: if (ike) sim.cmd(e, (ep, now) => ep.rekeyIke(ike.id, now)); break;
      case 1: if (child) sim.cmd(e, (ep, now) => ep.rekeyChild(child.id, now)); break;
      case 2: if (child) sim.cmd(e, (ep, now) => ep.deleteChild(child.id, now)); break;
      case 3: if (ike) sim.cmd(e, (ep, now) => ep.createChild(ike.id, "net", now)); break;
      case 4: if (ike) sim.cmd(e, (ep, now) => ep.deleteIke(ike.id, now)); break;
      case 5: sim.cmd(e, (ep, now) => ep.initiate("tunnel", now)); break; // INITIAL_CONTACT replaces its SA on the gateway
      case 6: silentUntil.set(e.ip, sim.now + 5000 + rng.int(120_000)); break;
      case 7: if (!noAuth.delete(e.ip)) noAuth.add(e.ip); sim.cmd(e, (ep, now) => ep.initiate("tunnel", now)); break;
      case 8: { const g = gw.ep.ikeSas(); if (g.length) { const x = g[rng.int(g.length)]; sim.cmd(gw, (ep, now) => ep.rekeyIke(x.id, now)); } break; }
      default: { const g = gw.ep.childSas(); if (g.length) { const x = g[rng.int(g.length)]; sim.cmd(gw, (ep, now) => ep.rekeyChild(x.id, now)); } }
    }
    for (const n of sim.nodes.values()) {
      const next = n.ep.nextDeadline();
      const bound = publicBound(n.ep);
      if (Number.isFinite(bound)) assert.ok(next !== undefined && next <= bound, `${n.ip}: nextDeadline() ${next} is after a lifetime that ends at ${bound}`);
    }
    // The INITIAL_CONTACT index against a scan: the gateway's SAs of the same connection and peer identity.
    const all = gw.ep.allSas();
    for (const sa of all) {
      const scan = all.filter((o) => o !== sa && !o.initiator && o.peerId && sa.peerId && o.conn === sa.conn && identityEquals(o.peerId, sa.peerId)).map((o) => o.id);
      assert.deepEqual(gw.ep.samePeer(sa).map((o) => o.id), scan);
    }
  }

  // The run went through what it claims to cover.
  const all = [gw, ...edges];
  const sum = (f: (n: Node) => number) => all.reduce((s, n) => s + f(n), 0);
  const events = (type: string) => sum((n) => n.events.filter((e) => e.type === type).length);
  assert.ok(checks > 2000, `only ${checks} calls checked`);
  assert.ok(gw.ep.counters.halfOpenExpired > 0, "no half-open SA expired");
  assert.ok(maxHalfOpen >= gatewayConfig().cookieThreshold!, `at most ${maxHalfOpen} half-open SAs`);
  assert.ok(gw.ep.counters.cookiesSent > 0, "the cookie threshold was never reached");
  assert.ok(sum((n) => n.ep.counters.retransmitsSent) > 0 && sum((n) => n.ep.counters.peersDead) > 0, "no retransmission timed out");
  assert.ok(events("ike-rekeyed") > 0 && events("child-down") > 0 && events("ike-down") > 0, "no rekeys or deletes");
  assert.ok(gw.events.some((e) => e.type === "ike-down" && e.reason === "replaced (INITIAL_CONTACT)"), "INITIAL_CONTACT replaced no SA");
  assert.ok(gw.ep.ikeCount >= N / 4, `the gateway holds only ${gw.ep.ikeCount} IKE SAs at the end`);
}, { timeoutMs: 300_000 });

// ------------------------------------------------------------------ 10,000 SAs

function conn(name: string, local: string, remote: string, initiator: boolean) {
  return {
    name, local: { id: `${name}.example`, address: local }, remote: initiator ? { id: "%any", address: remote } : { id: "%any" }, psk: "deadline psk",
    ike: { proposals: "aes128gcm16-prfsha256-x25519", rekeyTime: 3600, jitter: 0.1, dpdDelay: 0 },
    children: [{ name: "net", esp: "aes128gcm16", localTs: ["10.0.0.0/8"], remoteTs: ["10.0.0.0/8"], rekeyTime: 0 }],
    // Every handshake comes from the same identity: INITIAL_CONTACT would replace the previous SA.
    initialContact: false,
  };
}

test("deadlines: with 10,000 established SAs an idle tick handles no SA, and a tick handles exactly the SAs due", () => {
  const SAS = 10_000;
  const provider = createNativeProvider({ random: seededRandom(5) });
  const b = new Endpoint({ config: resolveConfig({ connections: [conn("b", "198.18.0.2", "198.18.0.1", false)], cookieThreshold: 1e9 }), crypto: provider, now: 0 });
  let a: Endpoint | undefined;
  for (let i = 0; i < SAS; i++) {
    if (i % 1000 === 0) a = new Endpoint({ config: resolveConfig({ connections: [conn("a", "198.18.0.1", "198.18.0.2", true)] }), crypto: provider, now: 0 });
    // One handshake per millisecond, so that every SA's rekey time is its own.
    assert.equal(exchange(a!, b, a!.initiate("a", i), i), 2, `handshake ${i} failed`);
  }
  assert.equal(b.ikeCount, SAS);
  assert.equal(b.halfOpenCount, 0);

  // From what an operator sees: the earliest IKE rekey is the next deadline (Child SAs do not rekey here).
  const rekeys = b.ikeSas().map((i) => i.rekeyAt!).sort((x, y) => x - y);
  assert.equal(rekeys.length, SAS);
  assert.equal(b.nextDeadline(), rekeys[0]);
  assert.ok(rekeys[0] > 3_000_000);

  const visits0 = b.tickVisits;
  for (let t = 0; t < 1000; t++) {
    const out = b.tick(60_000 + t * 1000);
    assert.equal(out.datagrams.length + out.events.length, 0);
  }
  assert.equal(b.tickVisits, visits0, "an idle tick looked at IKE SAs");

  // The first ten rekeys come due (with any that share the tenth one's time): each is handled once.
  const at = rekeys[9];
  const due = rekeys.filter((r) => r <= at).length;
  const out = b.tick(at);
  assert.equal(b.tickVisits - visits0, due);
  assert.equal(out.datagrams.length, due, "one CREATE_CHILD_SA request per IKE SA due for rekeying");
  assert.equal(b.nextDeadline(), b.scanDeadline());
  // Those SAs now wait for their rekey's response (retransmission timer); nothing else moved.
  assert.equal(b.nextDeadline(), Math.min(at + b.config.retransmit.timeoutMs, rekeys[due]));
}, { timeoutMs: 600_000 });

// The data plane wired to the driver (ts/io/dataplane.ts), over in-memory sockets, a manual clock and
// a fake TUN device: packets read from one side's TUN come out of the other side's TUN as ESP in UDP
// on the NAT-T port (RFC 3948); selectors, ICV and replay drops are counted, never delivered; byte
// lifetimes start rekeys that lose no packets; routes follow the Child SAs; keepalives behind a NAT.
import assert from "node:assert/strict";
import { test, toHex } from "../lib/harness.ts";
import { Driver, type LogLine } from "../../ts/io/driver.ts";
import { DataPlane } from "../../ts/io/dataplane.ts";
import { ManualClock, MemoryNetwork, settle } from "../../ts/io/memory.ts";
import { resolveConfig, type EndpointInput } from "../../ts/engine/config.ts";
import type { EngineEvent } from "../../ts/engine/types.ts";
import { createJsProvider } from "../../ts/crypto/js/provider.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import type { TunDevice } from "../../ts/io/tun.ts";
import { metricsText, statusSnapshot } from "../../ts/io/status.ts";
import { icmpEcho, ipv4, text, udp } from "../esp/lib.ts";

class FakeTun implements TunDevice {
  readonly name: string;
  readonly mtu = 1400;
  readonly written: Uint8Array[] = [];
  private handler?: (p: Uint8Array) => void;
  constructor(name: string) { this.name = name; }
  onPacket(h: (p: Uint8Array) => void): void { this.handler = h; }
  onError(): void {}
  write(p: Uint8Array): void { this.written.push(p.slice()); }
  async close(): Promise<void> {}
  /** The kernel hands us a packet (as the read loop would). */
  inject(p: Uint8Array): void { this.handler!(p.slice()); }
}

interface Side { driver: Driver; dp: DataPlane; tun: FakeTun; logs: LogLine[]; events: EngineEvent[]; routes: string[] }

async function side(net: MemoryNetwork, clock: ManualClock, ip: string, input: EndpointInput, seed: number, o: { keepaliveMs?: number; publicIp?: string } = {}): Promise<Side> {
  const bindings = [{ socket: await net.open({ ip, port: 500 }), natt: false }, { socket: await net.open({ ip, port: 4500 }), natt: true }];
  const logs: LogLine[] = [], events: EngineEvent[] = [], routes: string[] = [];
  const crypto = createJsProvider({ random: seededRandom(seed) });
  let dp: DataPlane | undefined;
  const driver = new Driver({ config: resolveConfig(input), crypto, sockets: bindings, clock, write: (l) => logs.push(l), logLevel: "debug", onEsp: (d) => dp!.fromNetwork(d) });
  driver.onEvent((e) => events.push(e));
  const tun = new FakeTun(`tun-${ip}`);
  dp = new DataPlane({
    driver, crypto, tun, keepaliveMs: o.keepaliveMs, graceMs: 5_000, drainMs: 500,
    route: async (op, cidr) => { routes.push(`${op} ${cidr}`); },
  });
  return { driver, dp, tun, logs, events, routes };
}

const IKE = { proposals: "aes128gcm16-prfsha256-x25519", dpdDelay: 0 };
function configs(o: { esp?: string; gwExtra?: Partial<EndpointInput>; edgeExtra?: Partial<EndpointInput>; child?: object; edgeRemoteTs?: string[] } = {}) {
  const esp = o.esp ?? "aes128gcm16";
  return {
    gw: { connections: [{ name: "gw", local: { id: "gw.example" }, psk: "s3cret", ike: IKE, children: [{ name: "net", esp, localTs: ["10.2.0.0/16"], remoteTs: ["10.1.0.0/16"], ...o.child }] }], ...o.gwExtra } as EndpointInput,
    edge: {
      connections: [{ name: "edge", local: { id: "edge.example", address: "192.0.2.1" }, remote: { id: "gw.example", address: "192.0.2.2" }, psk: "s3cret", ike: IKE,
        children: [{ name: "net", esp, localTs: ["10.1.0.0/16"], remoteTs: o.edgeRemoteTs ?? ["10.2.0.0/16"], ...o.child }] }], ...o.edgeExtra,
    } as EndpointInput,
  };
}


async function established(o: Parameters<typeof configs>[0] = {}, so: { gw?: { keepaliveMs?: number }; edge?: { keepaliveMs?: number } } = {}) {
  const net = new MemoryNetwork(), clock = new ManualClock();
  const cfg = configs({ ...o, gwExtra: { forceEncap: true, ...o.gwExtra }, edgeExtra: { forceEncap: true, ...o.edgeExtra } });
  const gw = await side(net, clock, "192.0.2.2", cfg.gw, 1, so.gw);
  const edge = await side(net, clock, "192.0.2.1", cfg.edge, 2, so.edge);
  edge.driver.run((ep, now) => ep.initiate("edge", now));
  settle(net, clock, () => gw.events.some((e) => e.type === "child-up") && edge.events.some((e) => e.type === "child-up"));
  assert.equal(edge.driver.endpoint.childCount, 1, "the Child SA is up");
  return { net, clock, gw, edge };
}

const ping = (src: string, dst: string, seq: number) => ipv4(src, dst, 1, icmpEcho(8, text(`ping ${seq}`.padEnd(56, "."))));

for (const esp of ["aes128gcm16", "aes256-sha256"]) {
  test(`dataplane (${esp}): a packet read from the edge's TUN comes out of the gateway's TUN, and the answer comes back, as ESP on 4500`, async () => {
    const { net, gw, edge } = await established({ esp });
    const wireBefore = net.wire.length;
    const req = ping("10.1.0.1", "10.2.0.1", 1), rep = ipv4("10.2.0.1", "10.1.0.1", 1, icmpEcho(0, text("ping 1".padEnd(56, "."))));
    edge.tun.inject(req);
    net.flush();
    assert.equal(gw.tun.written.length, 1);
    assert.equal(toHex(gw.tun.written[0]), toHex(req));
    gw.tun.inject(rep);
    net.flush();
    assert.equal(toHex(edge.tun.written[0]), toHex(rep));
    // On the wire: ESP in UDP between the NAT-T ports, no non-ESP marker, the plaintext nowhere.
    const esps = net.wire.slice(wireBefore);
    assert.equal(esps.length, 2);
    for (const w of esps) {
      assert.equal(w.from.port, 4500); assert.equal(w.to.port, 4500);
      assert.notEqual(w.data[0] | w.data[1] | w.data[2] | w.data[3], 0, "starts with a non-zero SPI");
      assert.ok(!toHex(w.data).includes(toHex(text("ping 1"))), "encrypted");
    }
    const child = edge.driver.endpoint.childSas()[0];
    assert.equal((esps[0].data[0] << 24 | esps[0].data[1] << 16 | esps[0].data[2] << 8 | esps[0].data[3]) >>> 0, parseInt(child.spiOut, 16));
    // Counters: per Child SA (inner bytes) in /status, totals in /metrics.
    const t = edge.dp.traffic(child.id)!;
    assert.deepEqual([t.packetsOut, t.bytesOut, t.packetsIn, t.bytesIn], [1, req.length, 1, rep.length]);
    const snap = statusSnapshot(edge.driver, { program: "tunnel", runtime: "test" }, edge.dp, edge.tun);
    assert.equal(snap.ikeSas[0].children[0].bytesOut, req.length);
    assert.equal(snap.dataPlane!.counters.espPacketsSent, 1);
    assert.equal(snap.dataPlane!.device, "tun-192.0.2.1");
    const m = metricsText(gw.driver, gw.dp);
    assert.match(m, /skeyseed_dataplane_tun_packets_written_total 1\n/);
    assert.match(m, /skeyseed_child_sa_bytes\{direction="in"\} 84\n/);
  });
}

test("dataplane: packets outside the selectors, with a bad ICV, replayed, or for an unknown SPI are dropped and counted, never written", async () => {
  const { net, gw, edge } = await established();
  edge.tun.inject(ping("10.1.0.1", "10.9.0.1", 1)); // no Child SA covers 10.9/16
  net.flush();
  assert.equal(edge.dp.drops["no-policy"], 1);
  assert.equal(gw.tun.written.length, 0);

  const before = net.wire.length;
  edge.tun.inject(ping("10.1.0.1", "10.2.0.1", 2));
  const sent = net.wire[before];
  net.flush();
  assert.equal(gw.tun.written.length, 1);
  // The same packet again: a replay.
  net.inject(sent.from, sent.to, sent.data.slice());
  net.flush();
  assert.equal(gw.dp.drops.replay, 1);
  // One bit flipped in the ciphertext: the ICV fails.
  const bad = sent.data.slice(); bad[bad.length - 20] ^= 1;
  bad[7] ^= 0x40; // a fresh sequence number, so the replay check passes first
  net.inject(sent.from, sent.to, bad);
  net.flush();
  assert.equal(gw.dp.drops.icv, 1);
  // An SPI nobody has.
  const stray = sent.data.slice(); stray[0] ^= 0xff;
  net.inject(sent.from, sent.to, stray);
  net.flush();
  assert.equal(gw.dp.drops["unknown-spi"], 1);
  assert.equal(gw.tun.written.length, 1, "only the genuine packet was delivered");
  // A packet from the gateway's side with a source outside its selectors is refused at the edge (RFC 4301 §5.2 runs on the gateway's outbound check first).
  gw.tun.inject(ping("10.7.0.1", "10.1.0.1", 3));
  assert.equal(gw.dp.drops["no-policy"], 1);
});

test("dataplane: rekeyBytes starts a Child SA rekey; traffic keeps flowing across it with no packet lost, and the old SA retires", async () => {
  const { net, clock, gw, edge } = await established({ child: { rekeyBytes: 20_000 } });
  const firstChild = edge.driver.endpoint.childSas()[0].id;
  let delivered = 0, sentN = 0;
  for (let i = 0; i < 600; i++) {
    edge.tun.inject(ipv4("10.1.0.1", "10.2.0.1", 17, udp(4000, 5001, text(`${i}`.padEnd(100, "x")))));
    sentN++;
    if (i % 3 === 0) { net.flush(); clock.advanceTo(clock.now() + 10); }
  }
  settle(net, clock, () => false, 2_000);
  delivered = gw.tun.written.length;
  assert.equal(delivered, sentN, "every packet arrived");
  assert.ok(edge.dp.counters.rekeysStarted + gw.dp.counters.rekeysStarted >= 1, "a byte lifetime started a rekey");
  const rekeys = edge.events.filter((e) => e.type === "child-up" && e.rekeyOf !== undefined).length;
  assert.ok(rekeys >= 2, `several rekeys over 600 × 128 bytes at 20 kB (saw ${rekeys})`);
  assert.ok(!edge.driver.endpoint.childSas().some((c) => c.id === firstChild), "the first Child SA is gone");
  // Packets arrived in order, with no duplicates.
  const seqs = gw.tun.written.map((p) => Number(new TextDecoder().decode(p.subarray(28)).replace(/x+$/, "")));
  assert.deepEqual(seqs, [...Array(600).keys()]);
  settle(net, clock, () => false, 10_000);
  assert.equal(edge.dp.table.size, 1, "old inbound SAs retired after the grace period");
  assert.equal(gw.dp.table.size, 1);
});

test("dataplane: routes for the remote selectors come with the Child SA, survive its rekey, and go with it", async () => {
  const { net, clock, gw, edge } = await established();
  assert.deepEqual(edge.routes, ["add 10.2.0.0/16"]);
  assert.deepEqual(gw.routes, ["add 10.1.0.0/16"]);
  const id = edge.driver.endpoint.childSas()[0].id;
  edge.driver.run((ep, now) => ep.rekeyChild(id, now));
  settle(net, clock, () => false, 3_000);
  assert.deepEqual(edge.routes, ["add 10.2.0.0/16"], "a rekey neither removes nor re-adds the route");
  const cur = edge.driver.endpoint.childSas()[0].id;
  assert.notEqual(cur, id);
  edge.driver.run((ep, now) => ep.deleteChild(cur, now));
  settle(net, clock, () => false, 3_000);
  await Promise.resolve();
  assert.deepEqual(edge.routes, ["add 10.2.0.0/16", "del 10.2.0.0/16"]);
  assert.deepEqual(gw.routes, ["add 10.1.0.0/16", "del 10.1.0.0/16"]);
});

test("dataplane: a remote selector that holds the peer's own address is not routed into the TUN device (it would loop), and the log says so", async () => {
  const net = new MemoryNetwork(), clock = new ManualClock();
  const cfg = configs({ edgeExtra: { forceEncap: true }, gwExtra: { forceEncap: true } });
  (cfg.gw.connections![0] as { children: { localTs: string[] }[] }).children[0].localTs = ["192.0.2.0/24"];
  const gw = await side(net, clock, "192.0.2.2", cfg.gw, 1);
  cfg.edge.connections![0].children![0].remoteTs = ["192.0.2.0/24"];
  const edge = await side(net, clock, "192.0.2.1", cfg.edge, 2);
  edge.driver.run((ep, now) => ep.initiate("edge", now));
  settle(net, clock, () => edge.events.some((e) => e.type === "child-up"));
  assert.deepEqual(edge.routes, []);
  const l = edge.logs.find((x) => x.event === "route-skipped");
  assert.ok(l && /contains the peer's address 192\.0\.2\.2/.test(String(l.reason)), JSON.stringify(l));
});

test("dataplane: a gateway with forceEncap makes a plain initiator move to 4500 (faked NAT-D), so ESP flows in UDP", async () => {
  const { net, gw, edge } = await established({ edgeExtra: { forceEncap: false } });
  const ike = edge.driver.endpoint.ikeSas()[0];
  assert.equal(ike.local.port, 4500);
  assert.equal(ike.natRemote, true, "the edge believes the gateway is behind a NAT");
  edge.tun.inject(ping("10.1.0.1", "10.2.0.1", 1));
  net.flush();
  assert.equal(gw.tun.written.length, 1);
});

test("dataplane: without UDP encapsulation the packet is dropped and counted, with one warning that says what to set", async () => {
  const { net, gw, edge } = await established({ edgeExtra: { forceEncap: false }, gwExtra: { forceEncap: false } });
  edge.tun.inject(ping("10.1.0.1", "10.2.0.1", 1));
  edge.tun.inject(ping("10.1.0.1", "10.2.0.1", 2));
  net.flush();
  assert.equal(gw.tun.written.length, 0);
  assert.equal(edge.dp.counters.noEncapDrops, 2);
  const warns = edge.logs.filter((l) => l.event === "esp-needs-encap");
  assert.equal(warns.length, 1);
  assert.match(String(warns[0].reason), /forceEncap: true/);
});

test("dataplane: behind a NAT the tunnel sends a NAT-keepalive (one 0xFF octet) on an idle path every interval, and none while ESP flows (RFC 3948 §4)", async () => {
  const net = new MemoryNetwork(), clock = new ManualClock();
  net.nat("10.0.0.5", "192.0.2.1");
  const cfg = configs();
  cfg.edge.connections![0].local!.address = "10.0.0.5";
  const gw = await side(net, clock, "192.0.2.2", cfg.gw, 1, { keepaliveMs: 1_000 });
  const edge = await side(net, clock, "10.0.0.5", cfg.edge, 2, { keepaliveMs: 1_000 });
  edge.driver.run((ep, now) => ep.initiate("edge", now));
  settle(net, clock, () => gw.events.some((e) => e.type === "child-up") && edge.events.some((e) => e.type === "child-up"));
  assert.equal(edge.driver.endpoint.ikeSas()[0].natLocal, true, "the edge sees its own NAT");
  assert.equal(gw.driver.endpoint.ikeSas()[0].natLocal, false);
  const keepalives = () => net.wire.filter((w) => w.data.length === 1 && w.data[0] === 0xff);
  // ESP every 400 ms for 3 s: the path is never idle for a whole interval.
  for (let i = 0; i < 8; i++) { edge.tun.inject(ping("10.1.0.1", "10.2.0.1", i)); net.flush(); clock.advanceTo(clock.now() + 400); net.flush(); }
  assert.equal(gw.tun.written.length, 8, "ESP crossed the NAT");
  assert.equal(keepalives().length, 0);
  settle(net, clock, () => false, 3_500);
  const k = keepalives();
  assert.equal(k.length, 3, `one keepalive per idle second (saw ${k.length})`);
  assert.ok(k.every((w) => w.from.ip === "192.0.2.1" && w.to.ip === "192.0.2.2" && w.to.port === 4500));
  assert.equal(gw.driver.counters.natKeepalivesReceived, 3);
  assert.equal(edge.dp.counters.natKeepalivesSent, 3);
  assert.equal(gw.dp.counters.natKeepalivesSent, 0, "the side not behind a NAT sends none");
});

test("dataplane: past the hard packet limit (rekey not done) the SA sends nothing more, and the rekey and the delete are each asked for once", async () => {
  const { edge } = await established({ child: { rekeyPackets: 10 } });
  // The network is not flushed: the rekey cannot finish.
  for (let i = 0; i < 30; i++) edge.tun.inject(ping("10.1.0.1", "10.2.0.1", i));
  assert.equal(edge.dp.counters.espPacketsSent, 11, "soft limit 10, hard limit 11 (110 %)");
  assert.equal(edge.dp.drops.expired, 19);
  assert.equal(edge.logs.filter((l) => l.event === "child-lifetime-soft").length, 1);
  assert.equal(edge.logs.filter((l) => l.event === "child-lifetime-expired").length, 1);
  assert.equal(edge.dp.counters.rekeysStarted, 1);
});

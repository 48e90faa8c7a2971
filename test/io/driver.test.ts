// The shared driver loop over in-memory sockets and a manual clock: establishment, the NAT-T marker
// (RFC 3948 §2.2), keepalives and ESP hand-off, log lines merged with events, timers, shutdown.
import assert from "node:assert/strict";
import { test } from "../lib/harness.ts";
import { Driver, type LogLine, type SocketBinding } from "../../ts/io/driver.ts";
import { ManualClock, MemoryNetwork, settle } from "../../ts/io/memory.ts";
import { resolveConfig, type EndpointInput } from "../../ts/engine/config.ts";
import type { Datagram, EngineEvent } from "../../ts/engine/types.ts";
import { createJsProvider } from "../../ts/crypto/js/provider.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import { metricsText, statusSnapshot } from "../../ts/io/status.ts";

interface Side { driver: Driver; logs: LogLine[]; events: EngineEvent[]; esp: Datagram[]; bindings: SocketBinding[] }

async function side(net: MemoryNetwork, clock: ManualClock, ip: string, input: EndpointInput, seed: number): Promise<Side> {
  const bindings = [{ socket: await net.open({ ip, port: 500 }), natt: false }, { socket: await net.open({ ip, port: 4500 }), natt: true }];
  const logs: LogLine[] = [], events: EngineEvent[] = [], esp: Datagram[] = [];
  const driver = new Driver({
    config: resolveConfig(input), crypto: createJsProvider({ random: seededRandom(seed) }), sockets: bindings, clock,
    write: (l) => logs.push(l), logLevel: "debug", onEsp: (d) => esp.push(d),
  });
  driver.onEvent((e) => events.push(e));
  return { driver, logs, events, esp, bindings };
}

function pair(extra: Partial<EndpointInput> = {}, child: object = {}): { gw: EndpointInput; edge: EndpointInput } {
  const ike = { proposals: "aes128gcm16-prfsha256-x25519", dpdDelay: 0 };
  return {
    gw: { connections: [{ name: "gw", local: { id: "gw.example" }, psk: "s3cret", ike, children: [{ name: "net", esp: "aes128gcm16", localTs: ["10.2.0.0/16"], remoteTs: ["10.1.0.0/16"], ...child }] }], ...extra },
    edge: { connections: [{ name: "edge", local: { id: "edge.example", address: "192.0.2.1" }, remote: { id: "gw.example", address: "192.0.2.2" }, psk: "s3cret", ike, children: [{ name: "net", esp: "aes128gcm16", localTs: ["10.1.0.0/16"], remoteTs: ["10.2.0.0/16"], ...child }] }], ...extra },
  };
}


async function established(extra: Partial<EndpointInput> = {}, child: object = {}) {
  const net = new MemoryNetwork(), clock = new ManualClock();
  const cfg = pair(extra, child);
  const gw = await side(net, clock, "192.0.2.2", cfg.gw, 1);
  const edge = await side(net, clock, "192.0.2.1", cfg.edge, 2);
  edge.driver.run((ep, now) => ep.initiate("edge", now));
  settle(net, clock, () => gw.events.some((e) => e.type === "child-up") && edge.events.some((e) => e.type === "child-up"));
  return { net, clock, gw, edge };
}

test("driver: two endpoints over in-memory sockets complete IKE_SA_INIT + IKE_AUTH and install the Child SA", async () => {
  const { gw, edge, net } = await established();
  assert.equal(gw.driver.endpoint.ikeSas().length, 1);
  assert.equal(edge.driver.endpoint.childCount, 1);
  // Without NAT every datagram travels between the IKE ports, without a marker.
  assert.ok(net.wire.every((w) => w.from.port === 500 && w.to.port === 500));
});

test("driver: one log line per happening, the engine's record enriched with the event's fields, no keys", async () => {
  const { gw } = await established();
  const ups = gw.logs.filter((l) => l.event === "ike-up");
  assert.equal(ups.length, 1);
  assert.equal(ups[0].sa, "gw[1]");
  assert.equal(ups[0].remoteId, "edge.example");
  assert.match(String(ups[0].time), /^t\+\d+$/);
  const child = gw.logs.filter((l) => l.event === "child-up");
  assert.equal(child.length, 1);
  assert.deepEqual(child[0].localTs, ["10.2.0.0/16"]);
  const text = JSON.stringify(gw.logs);
  assert.ok(!/encrKey|integKey/.test(text), "no key material in logs");
});

test("driver: with forceEncap, IKE moves to the NAT-T port with the 4-byte non-ESP marker on the wire (RFC 3948 §2.2)", async () => {
  const { gw, edge, net } = await established({ forceEncap: true });
  assert.equal(edge.driver.endpoint.ikeSas()[0].local.port, 4500);
  const natt = net.wire.filter((w) => w.to.port === 4500);
  assert.ok(natt.length >= 2, "IKE_AUTH went over port 4500");
  for (const w of natt) assert.deepEqual([...w.data.subarray(0, 4)], [0, 0, 0, 0]);
  assert.equal(gw.driver.endpoint.counters.parseErrors, 0);
});

test("driver: NAT keepalives are ignored, ESP goes to the data-plane hook, runts are dropped", async () => {
  const { gw, net, edge } = await established();
  const before = gw.driver.endpoint.counters.received;
  const from = { ip: "192.0.2.1", port: 4500 };
  net.inject(from, { ip: "192.0.2.2", port: 4500 }, Uint8Array.of(0xff));
  net.inject(from, { ip: "192.0.2.2", port: 4500 }, Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 9, 9));
  net.inject(from, { ip: "192.0.2.2", port: 4500 }, Uint8Array.of(0, 0));
  net.flush();
  assert.equal(gw.driver.endpoint.counters.received, before, "none of them reached the engine");
  assert.equal(gw.driver.counters.natKeepalivesReceived, 1);
  assert.equal(gw.driver.counters.runtPacketsDropped, 1);
  assert.equal(gw.esp.length, 1);
  assert.equal(gw.esp[0].data[0], 0x12);
  void edge;
});

test("driver: the one timer drives a Child SA rekey at its deadline", async () => {
  const { gw, edge, net, clock } = await established({}, { rekeyTime: 10, jitter: 0 });
  settle(net, clock, () => edge.events.some((e) => e.type === "child-up" && e.rekeyOf !== undefined), 30_000);
  assert.ok(edge.logs.some((l) => l.event === "child-rekeyed"));
  assert.equal(gw.driver.endpoint.childCount, 1);
});

test("driver: host deadlines share the timer; shutdown tells the peer and resolves once the SAs are gone", async () => {
  const { gw, edge, net, clock } = await established();
  let fired = 0;
  edge.driver.at(clock.now() + 1000, () => fired++);
  const cancel = edge.driver.at(clock.now() + 2000, () => fired += 10);
  cancel();
  settle(net, clock, () => false, 3000);
  assert.equal(fired, 1);
  const done = gw.driver.shutdown(3000);
  settle(net, clock, () => gw.driver.endpoint.ikeCount === 0, 5000);
  assert.deepEqual(await done, { clean: true });
  const down = edge.logs.find((l) => l.event === "ike-down");
  assert.equal(down?.byPeer, true);
});

test("driver: status snapshot and Prometheus metrics describe the SAs", async () => {
  const { gw } = await established();
  const s = statusSnapshot(gw.driver, { program: "gateway", runtime: "test" });
  assert.equal(s.ikeSas.length, 1);
  assert.equal(s.ikeSas[0].children.length, 1);
  assert.equal(s.ikeSas[0].children[0].bytesIn, 0);
  assert.equal(s.ikeSas[0].remoteId, "edge.example");
  const m = metricsText(gw.driver);
  assert.match(m, /^skeyseed_ike_sas 1$/m);
  assert.match(m, /^skeyseed_child_sas 1$/m);
  assert.match(m, /^# TYPE skeyseed_ike_received_total counter$/m);
});

// Loopback smoke test of this runtime's UDP adapter: two drivers over real sockets on 127.0.0.1 and
// ::1 with ephemeral ports complete IKE_SA_INIT + IKE_AUTH; with forceEncap the NAT-T sockets carry
// IKE behind the non-ESP marker. The harness runs this file on Node, Deno and Bun in turn.
import assert from "node:assert/strict";
import { runtime, test } from "../lib/harness.ts";
import { Driver, type SocketBinding } from "../../ts/io/driver.ts";
import type { UdpOpener } from "../../ts/io/types.ts";
import { resolveConfig, type EndpointInput } from "../../ts/engine/config.ts";
import type { EngineEvent } from "../../ts/engine/types.ts";
import { createJsProvider } from "../../ts/crypto/js/provider.ts";
import { clock, random } from "../../runtimes/shared/web.ts";
import { openUdp as denoUdp } from "../../runtimes/deno/udp.ts";
import { openUdp as bunUdp } from "../../runtimes/bun/udp.ts";
import { openUdp as nodeUdp } from "../../runtimes/node/udp.ts";

const openUdp: UdpOpener = { deno: denoUdp, bun: bunUdp, node: nodeUdp }[runtime];

async function bind(ip: string): Promise<SocketBinding[]> {
  return [{ socket: await openUdp({ ip, port: 0 }), natt: false }, { socket: await openUdp({ ip, port: 0 }), natt: true }];
}

function driver(b: SocketBinding[], input: EndpointInput): { d: Driver; events: EngineEvent[] } {
  const ports = { ike: b[0].socket.local.port, natt: b[1].socket.local.port };
  const d = new Driver({ config: { ...resolveConfig(input), ports }, crypto: createJsProvider({ random }), sockets: b, clock });
  const events: EngineEvent[] = [];
  d.onEvent((e) => events.push(e));
  return { d, events };
}

function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => (pred() ? resolve() : Date.now() > end ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(poll, 10));
    poll();
  });
}

async function handshake(ip: string, extra: Partial<EndpointInput> = {}) {
  const gwSockets = await bind(ip), edgeSockets = await bind(ip);
  const ike = { proposals: "aes128gcm16-prfsha256-x25519", dpdDelay: 0 };
  const gw = driver(gwSockets, {
    connections: [{ name: "gw", local: { id: "gw.example" }, psk: "loopback", ike, children: [{ name: "net", esp: "aes128gcm16", localTs: ["10.2.0.0/16"], remoteTs: ["10.1.0.0/16"] }] }], ...extra,
  });
  const edge = driver(edgeSockets, {
    connections: [{
      name: "edge", local: { id: "edge.example", address: ip }, remote: { id: "gw.example", address: ip, port: gwSockets[0].socket.local.port, nattPort: gwSockets[1].socket.local.port },
      psk: "loopback", ike, children: [{ name: "net", esp: "aes128gcm16", localTs: ["10.1.0.0/16"], remoteTs: ["10.2.0.0/16"] }],
    }], ...extra,
  });
  try {
    edge.d.run((ep, now) => ep.initiate("edge", now));
    await until(() => edge.events.some((e) => e.type === "child-up") && gw.events.some((e) => e.type === "child-up"), 5000, "both Child SAs");
    assert.equal(gw.d.endpoint.ikeSas()[0].remoteId, "edge.example");
    return { gw: gw.d, edge: edge.d, gwSockets, edgeSockets };
  } finally {
    await gw.d.close();
    await edge.d.close();
  }
}

test(`udp adapter (${runtime}): IKE_SA_INIT + IKE_AUTH over real sockets on 127.0.0.1, ephemeral ports`, async () => {
  const { gw, gwSockets } = await handshake("127.0.0.1");
  assert.equal(gw.endpoint.ikeSas()[0].local.port, gwSockets[0].socket.local.port);
  assert.ok(gw.counters.datagramsReceived >= 2 && gw.counters.datagramsSent >= 2);
  assert.equal(gw.counters.socketErrors, 0);
}, { timeoutMs: 10000 });

test(`udp adapter (${runtime}): IKE_SA_INIT + IKE_AUTH over real sockets on ::1`, async () => {
  const { gw } = await handshake("::1");
  assert.equal(gw.endpoint.ikeSas()[0].remote.ip, "::1");
}, { timeoutMs: 10000 });

test(`udp adapter (${runtime}): with forceEncap IKE_AUTH runs on the NAT-T sockets behind the non-ESP marker`, async () => {
  const { gw, edge, edgeSockets } = await handshake("127.0.0.1", { forceEncap: true });
  // The initiator floated to its NAT-T socket and its IKE_AUTH response came back there, marker stripped.
  assert.equal(edge.endpoint.ikeSas()[0].local.port, edgeSockets[1].socket.local.port);
  assert.equal(gw.endpoint.counters.parseErrors, 0);
  assert.equal(gw.counters.espPacketsReceived, 0);
}, { timeoutMs: 10000 });

test(`udp adapter (${runtime}): bufferBytes raises the kernel's receive and send buffers, and the socket still carries datagrams`, async () => {
  const plain = await openUdp({ ip: "127.0.0.1", port: 0 });
  assert.equal(plain.buffers, undefined, "nothing asked, nothing reported");
  const big = await openUdp({ ip: "127.0.0.1", port: 0 }, { bufferBytes: 1 << 20 });
  try {
    assert.ok(big.buffers, "the buffers were set");
    // Linux reports twice the size asked for (its bookkeeping overhead), never less than asked.
    assert.ok(big.buffers.recv >= 1 << 20 && big.buffers.send >= 1 << 20, JSON.stringify(big.buffers));
    const got: number[] = [];
    big.onMessage((d) => got.push(d.length));
    plain.send(new Uint8Array(1200), big.local);
    await until(() => got.length === 1, 2000, "the datagram");
    assert.deepEqual(got, [1200]);
  } finally {
    await plain.close();
    await big.close();
  }
});

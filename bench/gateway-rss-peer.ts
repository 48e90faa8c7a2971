// bench:rss — the initiator side: brings up `count` IKE SAs (each with one Child SA) against a gateway
// over UDP on loopback and keeps them established (no delete, no rekey, no liveness checks) until
// stdin closes. Runs on Node (bundled by bench/gateway-rss.mjs) with the Node host and the native
// provider. One JSON argument: { target: {ip, ike, natt}, count, concurrency, psk, ike, esp, tsI, tsR }.
// Prints `@@PROGRESS {"up":n,"failed":f}` twice a second while building and `@@DONE {...}` once
// `count` Child SAs are up; a handshake that fails is started again.
import { createInterface } from "node:readline";
import { host } from "../runtimes/node/host.ts";
import { Driver, type SocketBinding } from "../ts/io/driver.ts";
import { resolveConfig } from "../ts/engine/config.ts";
import type { EngineEvent } from "../ts/engine/types.ts";
import { createNativeProvider } from "../ts/crypto/native/provider.ts";

interface Args { target: { ip: string; ike: number; natt: number }; count: number; concurrency: number; psk: string; ike: string; esp: string; tsI: string; tsR: string }
const a: Args = JSON.parse(host.args[0]);
const emit = (tag: string, v: unknown) => host.stdout(`${tag} ${JSON.stringify(v)}\n`);

// The SAs are spread over several drivers of PER_DRIVER SAs each (two sockets each): the engine's
// per-call timer scan grows with the SAs an endpoint holds, and only the gateway's cost is measured.
const PER_DRIVER = 250;
const crypto = createNativeProvider({ random: host.random });
async function makeDriver(): Promise<{ d: Driver; up: number; inFlight: Set<number> }> {
  const sockets: SocketBinding[] = [
    { socket: await host.openUdp({ ip: a.target.ip, port: 0 }), natt: false },
    { socket: await host.openUdp({ ip: a.target.ip, port: 0 }), natt: true },
  ];
  const config = {
    ...resolveConfig({
      connections: [{
        name: "rss", local: { id: "edge.bench", address: a.target.ip },
        remote: { id: "gw.bench", address: a.target.ip, port: a.target.ike, nattPort: a.target.natt }, psk: a.psk,
        // Nothing may happen to the SAs once they are up: no IKE or Child SA rekey, no DPD.
        ike: { proposals: a.ike, rekeyTime: 0, dpdDelay: 0 },
        children: [{ name: "net", esp: a.esp, localTs: [a.tsI], remoteTs: [a.tsR], rekeyTime: 0 }],
        // Every IKE SA has the same identity: INITIAL_CONTACT would make the gateway drop the earlier ones.
        initialContact: false,
      }],
    }),
    ports: { ike: sockets[0].socket.local.port, natt: sockets[1].socket.local.port },
  };
  const slot = { d: new Driver({ config, crypto, sockets, clock: host.clock }), up: 0, inFlight: new Set<number>() };
  slot.d.onEvent((e: EngineEvent) => {
    switch (e.type) {
      case "child-up":
        if (!slot.inFlight.delete(e.child.ikeId)) break;
        slot.up++; up++;
        if (up === a.count) done();
        else queueMicrotask(refill);
        break;
      case "ike-failed": case "auth-failed": fail(slot.inFlight, e.id, e.reason); break;
      case "ike-down":
        if (slot.inFlight.has(e.id)) fail(slot.inFlight, e.id, e.reason);
        else downAfterUp++; // an established SA went away: the gateway's count would be short
        break;
      case "child-failed": fail(slot.inFlight, e.ikeId, e.reason); break;
    }
  });
  return slot;
}

let up = 0, failed = 0, downAfterUp = 0, finished = false;
const failReasons: Record<string, number> = {};
const drivers = await Promise.all(Array.from({ length: Math.ceil(a.count / PER_DRIVER) }, makeDriver));
const inFlightTotal = () => drivers.reduce((n, s) => n + s.inFlight.size, 0);
const t0 = host.clock.now();
function refill(): void {
  let flying = inFlightTotal();
  for (const s of drivers) {
    while (!finished && flying < a.concurrency && up + flying < a.count && s.up + s.inFlight.size < PER_DRIVER) {
      s.inFlight.add(s.d.run((ep, now) => ep.initiate("rss", now)).ikeId);
      flying++;
    }
  }
}
function fail(set: Set<number>, id: number, reason: string): void {
  if (!set.delete(id)) return;
  failed++;
  failReasons[reason] = (failReasons[reason] ?? 0) + 1;
  queueMicrotask(refill);
}
const ikeSas = () => drivers.reduce((n, s) => n + s.d.endpoint.ikeCount, 0);
const childSas = () => drivers.reduce((n, s) => n + s.d.endpoint.childCount, 0);
const retransmits = () => drivers.reduce((n, s) => n + s.d.endpoint.counters.retransmitsSent, 0);
const progress = setInterval(() => emit("@@PROGRESS", { up, failed, downAfterUp, inFlight: inFlightTotal() }), 500);
function done(): void {
  finished = true;
  clearInterval(progress);
  const seconds = (host.clock.now() - t0) / 1000;
  emit("@@DONE", { up, failed, downAfterUp, failReasons, seconds: +seconds.toFixed(2), handshakesPerSec: Math.round(up / seconds), ikeSas: ikeSas(), retransmits: retransmits() });
}
refill();
// Hold the SAs until the driver closes stdin; then leave without deleting them (the gateway is
// measured while they are up and stopped afterwards).
// A `stats` line prints `@@STATS {...}`: what this side still holds.
for await (const l of createInterface({ input: (globalThis as any).process.stdin })) {
  if (l.trim() === "stats") emit("@@STATS", { ikeSas: ikeSas(), childSas: childSas(), downAfterUp, retransmits: retransmits() });
}
host.exit(0);

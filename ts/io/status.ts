// What the status endpoint serves: a JSON snapshot of the IKE and Child SAs (/status) and the
// counters in Prometheus text format (/metrics). Times are seconds relative to now; byte and packet
// counts are the data plane's (inner bytes; 0 when the program runs without a `tun` section).
import { addr } from "../engine/endpoint.ts";
import type { DataPlane } from "./dataplane.ts";
import type { Driver } from "./driver.ts";

export interface ChildSaStatus {
  id: number;
  name: string;
  state: "INSTALLED";
  mode: "TUNNEL";
  protocol: "ESP";
  spiIn: string;
  spiOut: string;
  suite: string;
  localTs: string[];
  remoteTs: string[];
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
  /** Inbound packets dropped on this SA (ICV, replay, policy...). */
  dropsIn: number;
  ageSeconds: number;
  rekeyInSeconds?: number;
  expiresInSeconds?: number;
}

export interface IkeSaStatus {
  id: number;
  name: string;
  state: "ESTABLISHED";
  initiator: boolean;
  spiI: string;
  spiR: string;
  local: string;
  remote: string;
  localId: string;
  remoteId: string;
  suite: string;
  nat: { local: boolean; remote: boolean };
  ageSeconds: number;
  rekeyInSeconds?: number;
  expiresInSeconds?: number;
  children: ChildSaStatus[];
}

export interface StatusSnapshot {
  program: string;
  runtime: string;
  provider: string;
  uptimeSeconds: number;
  listen: { address: string; natt: boolean }[];
  ikeSas: IkeSaStatus[];
  halfOpen: number;
  counters: Record<string, number>;
  /** The data plane, when the program has a TUN device. */
  dataPlane?: { device: string; mtu: number; counters: Record<string, number>; drops: Record<string, number> };
}

const secs = (ms: number) => Math.round(ms / 100) / 10;
const until = (at: number | undefined, now: number) => (at === undefined ? undefined : secs(Math.max(0, at - now)));

/** A snapshot of the driver's endpoint at `now`. */
export function statusSnapshot(d: Driver, meta: { program: string; runtime: string }, dp?: DataPlane, tun?: { name: string; mtu: number }): StatusSnapshot {
  const now = d.now();
  const ep = d.endpoint;
  const children = ep.childSas();
  return {
    program: meta.program,
    runtime: meta.runtime,
    provider: ep.crypto.name,
    uptimeSeconds: secs(now - d.startedAt),
    listen: d.sockets.map((b) => ({ address: addr(b.socket.local), natt: b.natt })),
    ikeSas: ep.ikeSas().map((i) => ({
      id: i.id, name: i.name, state: "ESTABLISHED", initiator: i.initiator, spiI: i.spiI, spiR: i.spiR,
      local: addr(i.local), remote: addr(i.remote), localId: i.localId, remoteId: i.remoteId, suite: i.suite,
      nat: { local: i.natLocal, remote: i.natRemote }, ageSeconds: secs(now - i.establishedAt),
      rekeyInSeconds: until(i.rekeyAt, now), expiresInSeconds: until(i.deleteAt, now),
      children: children.filter((c) => c.ikeId === i.id).map((c) => ({
        id: c.id, name: c.name, state: "INSTALLED", mode: "TUNNEL", protocol: "ESP", spiIn: c.spiIn, spiOut: c.spiOut, suite: c.suite,
        localTs: c.ts.local, remoteTs: c.ts.remote, ...(dp?.traffic(c.id) ?? { bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0, dropsIn: 0 }),
        ageSeconds: secs(now - c.establishedAt), rekeyInSeconds: until(c.rekeyAt, now), expiresInSeconds: until(c.deleteAt, now),
      })),
    })),
    halfOpen: ep.halfOpenCount,
    counters: { ...ep.counters, ...prefixed(d.counters) },
    ...(dp && tun ? { dataPlane: { device: tun.name, mtu: tun.mtu, counters: { ...dp.counters }, drops: { ...dp.drops } } } : {}),
  };
}

function prefixed(c: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(c)) out[`host${k[0].toUpperCase()}${k.slice(1)}`] = v as number;
  return out;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

/** Help text for each engine counter (Prometheus # HELP). */
const HELP: Record<string, string> = {
  received: "IKE datagrams handed to the engine",
  sent: "IKE datagrams the engine produced",
  parseErrors: "IKE datagrams dropped as malformed",
  icvFailures: "protected IKE messages that failed their integrity check",
  unknownSpi: "IKE messages for an SPI we do not have",
  retransmitsSent: "requests retransmitted",
  retransmitsAnswered: "retransmitted requests answered from the response cache",
  duplicatesDropped: "duplicate responses dropped",
  outOfWindow: "messages outside the Message ID window",
  cookiesSent: "COOKIE notifies sent (RFC 7296 §2.6)",
  halfOpenExpired: "half-open IKE SAs expired",
  peersDead: "peers declared dead after retransmissions",
  authFailures: "IKE_AUTH authentication failures",
};

const DP_HELP: Record<string, string> = {
  tunPacketsRead: "packets read from the TUN device",
  tunPacketsWritten: "decrypted packets written to the TUN device",
  tunWriteErrors: "packets the TUN device refused",
  espPacketsSent: "ESP packets sent (UDP-encapsulated)",
  espBytesSent: "ESP bytes sent",
  espPacketsReceived: "ESP packets received on the NAT-T port",
  espBytesReceived: "ESP bytes received",
  noEncapDrops: "packets dropped because their IKE SA is not UDP-encapsulated",
  natKeepalivesSent: "NAT-keepalives sent (RFC 3948 §4)",
  rekeysStarted: "Child SA rekeys started by a byte or packet lifetime",
};

/** The Prometheus text exposition (version 0.0.4) of the SA gauges and all counters. */
export function metricsText(d: Driver, dp?: DataPlane): string {
  const ep = d.endpoint;
  const lines: string[] = [];
  const metric = (name: string, type: "gauge" | "counter", help: string, value: number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  };
  metric("skeyseed_ike_sas", "gauge", "IKE SAs established", ep.ikeSas().length);
  metric("skeyseed_ike_sas_half_open", "gauge", "IKE SAs half open (responder, waiting for IKE_AUTH)", ep.halfOpenCount);
  metric("skeyseed_child_sas", "gauge", "Child SAs installed", ep.childCount);
  metric("skeyseed_uptime_seconds", "gauge", "seconds since the endpoint started", secs(d.now() - d.startedAt));
  for (const [k, v] of Object.entries(ep.counters)) metric(`skeyseed_ike_${snake(k)}_total`, "counter", HELP[k] ?? k, v);
  for (const [k, v] of Object.entries(d.counters)) metric(`skeyseed_host_${snake(k)}_total`, "counter", `${k} (below the engine)`, v);
  if (dp) {
    for (const [k, v] of Object.entries(dp.counters)) metric(`skeyseed_dataplane_${snake(k)}_total`, "counter", DP_HELP[k] ?? k, v);
    lines.push("# HELP skeyseed_esp_dropped_total ESP and TUN packets dropped, by reason", "# TYPE skeyseed_esp_dropped_total counter");
    for (const [k, v] of Object.entries(dp.drops)) lines.push(`skeyseed_esp_dropped_total{reason="${k}"} ${v}`);
    let bin = 0, bout = 0;
    for (const c of ep.childSas()) { const t = dp.traffic(c.id); if (t) { bin += t.bytesIn; bout += t.bytesOut; } }
    lines.push("# HELP skeyseed_child_sa_bytes inner bytes through the installed Child SAs", "# TYPE skeyseed_child_sa_bytes gauge",
      `skeyseed_child_sa_bytes{direction="in"} ${bin}`, `skeyseed_child_sa_bytes{direction="out"} ${bout}`);
  }
  return lines.join("\n") + "\n";
}

// The data plane, wired to the driver: Child SAs from the engine's events become ESP SAs in an
// EspTable (ts/esp); IP packets read from the TUN device leave as ESP in UDP on the NAT-T port
// (RFC 3948), ESP that arrives there is checked, decrypted and written to the TUN device. Lifetimes
// counted in bytes and packets start Child SA rekeys in the engine; NAT keepalives go out when we are
// behind a NAT (RFC 3948 §4). The host supplies the TUN device and, optionally, a way to add and
// remove routes for the negotiated remote selectors. Time comes from the driver's clock.
import type { CryptoProvider } from "../crypto/types.ts";
import { addr } from "../engine/endpoint.ts";
import type { EndpointConfig } from "../engine/config.ts";
import { parseSelector } from "../engine/selectors.ts";
import type { Address, ChildSaInfo, Datagram, EngineEvent } from "../engine/types.ts";
import { createChildSa, selectorsFromText } from "../esp/child.ts";
import { DROP_REASONS, newDropCounters, type DropCounters, type DropReason, type EspLifetime } from "../esp/sa.ts";
import { EspTable } from "../esp/table.ts";
import { DEFAULT_KEEPALIVE_MS, NAT_KEEPALIVE } from "../esp/udp.ts";
import { formatIp, parseIp, rangeToCidrs } from "../util/ip.ts";
import type { Driver } from "./driver.ts";
import type { TunDevice } from "./tun.ts";

export interface DataPlaneOptions {
  driver: Driver;
  crypto: CryptoProvider;
  /** Where inner packets come from and go to. */
  tun: TunDevice;
  /** Adds or removes a route into the TUN device (automatic routes for remote selectors); absent: none. */
  route?: (op: "add" | "del", cidr: string) => Promise<void>;
  /** RFC 3948 §4 keepalive interval when we are behind a NAT (ms; default 20 s; 0 = never). */
  keepaliveMs?: number;
  /** Anti-replay window in packets (RFC 4303 §3.4.3; default 1024). */
  replayWindow?: number;
  /** How long an old inbound SA stays after a rekey, at most / after the peer moved (ms). */
  graceMs?: number;
  drainMs?: number;
}

/** What the data plane counted (cumulative; per Child SA figures are in traffic()). */
export interface DataPlaneCounters {
  tunPacketsRead: number;
  tunPacketsWritten: number;
  tunWriteErrors: number;
  espPacketsSent: number;
  espBytesSent: number;
  espPacketsReceived: number;
  espBytesReceived: number;
  /** Outbound packets for a Child SA whose IKE SA is not UDP-encapsulated (we only carry ESP in UDP). */
  noEncapDrops: number;
  natKeepalivesSent: number;
  rekeysStarted: number;
}

/** One Child SA's traffic, inner bytes (RFC 4301 §4.4.2.1). */
export interface ChildTraffic { bytesIn: number; bytesOut: number; packetsIn: number; packetsOut: number; dropsIn: number }

interface ChildMeta { ikeId: number; local: Address; remote: Address; routes: string[]; warnedNoEncap: boolean }
interface NatPath { local: Address; remote: Address; lastSent: number }

export class DataPlane {
  readonly table: EspTable;
  readonly counters: DataPlaneCounters = {
    tunPacketsRead: 0, tunPacketsWritten: 0, tunWriteErrors: 0, espPacketsSent: 0, espBytesSent: 0, espPacketsReceived: 0, espBytesReceived: 0,
    noEncapDrops: 0, natKeepalivesSent: 0, rekeysStarted: 0,
  };
  /** Every dropped packet by reason, inbound and outbound (the SAs' own counters go when they do). */
  readonly drops: DropCounters = newDropCounters();
  private readonly d: Driver;
  private readonly o: DataPlaneOptions;
  private readonly children = new Map<number, ChildMeta>();
  /** IKE SAs behind a NAT on our side: where keepalives go. */
  private readonly natPaths = new Map<number, NatPath>();
  /** Child SAs we asked the engine to rekey (or delete): once each. */
  private readonly asked = new Set<number>();
  /** Route references: a CIDR stays while a Child SA still needs it. */
  private readonly routeRefs = new Map<string, number>();
  private readonly keepaliveMs: number;
  private cancelRetire: (() => void) | undefined;
  private retireAt: number | undefined;
  private cancelKeepalive: (() => void) | undefined;
  private closed = false;

  constructor(o: DataPlaneOptions) {
    this.o = o;
    this.d = o.driver;
    this.keepaliveMs = o.keepaliveMs ?? DEFAULT_KEEPALIVE_MS;
    this.table = new EspTable({ graceMs: o.graceMs, drainMs: o.drainMs });
    o.driver.onEvent((e, now) => this.onEvent(e, now));
    o.tun.onError((err) => this.d.log({ level: "warn", event: "tun-error", device: o.tun.name, reason: err.message }));
    o.tun.onPacket((pkt) => this.fromTun(pkt));
  }

  /** An ESP packet from the NAT-T socket (the driver's onEsp). */
  fromNetwork(dg: Datagram): void {
    if (this.closed) return;
    const now = this.d.now();
    this.counters.espPacketsReceived++;
    this.counters.espBytesReceived += dg.data.length;
    const r = this.table.inbound(dg.data, now);
    if (r.ok) {
      try {
        this.o.tun.write(r.inner);
        this.counters.tunPacketsWritten++;
      } catch (e) {
        this.counters.tunWriteErrors++;
        this.d.log({ level: "debug", event: "tun-write-failed", reason: e instanceof Error ? e.message : String(e) });
      }
    } else this.dropped(r.reason);
    this.afterTable(now);
  }

  /** A packet read from the TUN device. */
  fromTun(pkt: Uint8Array): void {
    if (this.closed) return;
    const now = this.d.now();
    this.counters.tunPacketsRead++;
    const r = this.table.outbound(pkt, now);
    if (r.ok) {
      const m = this.children.get(r.childId);
      if (m && m.local.port === this.d.endpoint.config.ports.natt) {
        this.d.sendEsp(m.local, m.remote, r.packet);
        this.counters.espPacketsSent++;
        this.counters.espBytesSent += r.packet.length;
        const nat = this.natPaths.get(m.ikeId);
        if (nat) nat.lastSent = now;
      } else {
        this.counters.noEncapDrops++;
        if (m && !m.warnedNoEncap) {
          m.warnedNoEncap = true;
          this.d.log({
            level: "warn", event: "esp-needs-encap", child: r.childId, peer: addr(m.remote),
            reason: `ESP for Child SA ${r.childId} is dropped: its IKE SA is on port ${m.local.port}, not the NAT-T port, and this data plane carries ESP in UDP only (set forceEncap: true, or let the peer float to port 4500)`,
          });
        }
      }
    } else this.dropped(r.reason);
    this.afterTable(now);
  }

  /** Inner traffic of one Child SA while it is installed. */
  traffic(childId: number): ChildTraffic | undefined {
    const c = this.table.get(childId);
    if (!c) return undefined;
    let dropsIn = 0;
    for (const r of DROP_REASONS) dropsIn += c.inbound.counters.drops[r];
    return { bytesIn: c.inbound.counters.bytes, bytesOut: c.outbound.counters.bytes, packetsIn: c.inbound.counters.packets, packetsOut: c.outbound.counters.packets, dropsIn };
  }

  /** Stops handling packets and timers and removes the routes it added (the TUN device is the host's). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelRetire?.();
    this.cancelKeepalive?.();
    const routes = [...this.routeRefs.keys()];
    this.routeRefs.clear();
    for (const id of [...this.children.keys()]) this.table.remove(id, Infinity);
    this.children.clear();
    if (this.o.route) await Promise.all(routes.map((r) => this.o.route!("del", r).catch(() => {})));
  }

  // ---------------------------------------------------------------- engine events

  private onEvent(e: EngineEvent, now: number): void {
    if (this.closed) return;
    switch (e.type) {
      case "child-up": this.childUp(e.child, e.keys, e.rekeyOf, now); break;
      case "child-down": this.childDown(e.id, now); break;
      case "ike-up": this.ikeUp(e.ike.id, now); break;
      case "ike-rekeyed": {
        const p = this.natPaths.get(e.oldId);
        this.natPaths.delete(e.oldId);
        if (p) this.natPaths.set(e.ike.id, p);
        for (const m of this.children.values()) if (m.ikeId === e.oldId) m.ikeId = e.ike.id;
        break;
      }
      case "ike-down": this.natPaths.delete(e.id); break;
      default: break;
    }
    this.afterTable(now);
  }

  private ikeUp(id: number, now: number): void {
    const ike = this.d.endpoint.ikeSa(id);
    if (!ike || !ike.natLocal || this.keepaliveMs <= 0) return;
    this.natPaths.set(id, { local: ike.local, remote: ike.remote, lastSent: now });
    this.armKeepalive();
  }

  private childUp(info: ChildSaInfo, keys: Parameters<typeof createChildSa>[1], rekeyOf: number | undefined, now: number): void {
    const ike = this.d.endpoint.ikeSa(info.ikeId);
    if (!ike) return;
    const lifetime = this.lifetimeOf(ike.name, info.name);
    let child;
    try {
      child = createChildSa(this.o.crypto, keys, { id: info.id, selectors: selectorsFromText(info.ts), lifetime, replayWindow: this.o.replayWindow });
    } catch (err) {
      this.d.log({ level: "error", event: "esp-install-failed", sa: `${info.name}{${info.id}}`, reason: err instanceof Error ? err.message : String(err) });
      return;
    }
    try {
      this.table.install(child, now, rekeyOf);
    } catch (err) {
      child.dispose();
      this.d.log({ level: "error", event: "esp-install-failed", sa: `${info.name}{${info.id}}`, reason: err instanceof Error ? err.message : String(err) });
      return;
    }
    // A rekeyed Child SA inherits its predecessor's routes; a new one adds routes for its remote selectors.
    const old = rekeyOf !== undefined ? this.children.get(rekeyOf) : undefined;
    let routes: string[] = [];
    if (old) { routes = old.routes; old.routes = []; } else if (this.o.route) routes = this.addRoutes(info, ike.remote.ip);
    this.children.set(info.id, { ikeId: info.ikeId, local: ike.local, remote: ike.remote, routes, warnedNoEncap: false });
    this.d.log({ level: "debug", event: "esp-installed", sa: `${info.name}{${info.id}}`, spiIn: info.spiIn, spiOut: info.spiOut, ...(rekeyOf !== undefined ? { replaces: rekeyOf } : {}) });
  }

  private childDown(id: number, now: number): void {
    this.table.remove(id, now);
    this.asked.delete(id);
    this.asked.delete(-id - 1);
    const m = this.children.get(id);
    if (!m) return;
    this.children.delete(id);
    for (const r of m.routes) {
      const n = (this.routeRefs.get(r) ?? 1) - 1;
      if (n > 0) { this.routeRefs.set(r, n); continue; }
      this.routeRefs.delete(r);
      this.o.route?.("del", r).catch((err) => this.d.log({ level: "warn", event: "route-failed", route: r, reason: err instanceof Error ? err.message : String(err) }));
    }
  }

  /** Routes for the remote selectors, except one that holds the peer's own address (that would route the tunnel into itself). */
  private addRoutes(info: ChildSaInfo, peerIp: string): string[] {
    const peer = parseIp(peerIp);
    const out: string[] = [];
    for (const text of info.ts.remote) {
      let ts;
      try { ts = parseSelector(text); } catch { continue; }
      if (peer && peer.length === ts.startAddress.length && covers(ts.startAddress, ts.endAddress, peer)) {
        this.d.log({
          level: "warn", event: "route-skipped", sa: `${info.name}{${info.id}}`, route: text,
          reason: `not routing ${text} into the TUN device: it contains the peer's address ${formatIp(peer)}, so the tunnel's own packets would loop; narrow the remote selectors or set tun.routes`,
        });
        continue;
      }
      for (const cidr of rangeToCidrs({ start: ts.startAddress, end: ts.endAddress })) {
        out.push(cidr);
        const n = this.routeRefs.get(cidr) ?? 0;
        this.routeRefs.set(cidr, n + 1);
        if (n === 0) {
          this.o.route!("add", cidr).then(
            () => this.d.log({ level: "info", event: "route-added", route: cidr, device: this.o.tun.name }),
            (err) => this.d.log({ level: "warn", event: "route-failed", route: cidr, reason: err instanceof Error ? err.message : String(err) }),
          );
        }
      }
    }
    return out;
  }

  private lifetimeOf(conn: string, child: string): EspLifetime | undefined {
    const c = this.d.endpoint.config.connections.find((x) => x.name === conn)?.children.find((x) => x.name === child);
    if (!c || (!c.rekeyBytes && !c.rekeyPackets && !c.lifeBytes && !c.lifePackets)) return undefined;
    return { softBytes: c.rekeyBytes || undefined, hardBytes: c.lifeBytes || undefined, softPackets: c.rekeyPackets || undefined, hardPackets: c.lifePackets || undefined };
  }

  // ---------------------------------------------------------------- table events and timers

  private dropped(reason: DropReason): void { this.drops[reason]++; }

  private afterTable(now: number): void {
    for (const ev of this.table.takeEvents()) {
      if (ev.type === "retired") {
        this.d.log({ level: "debug", event: "esp-retired", child: ev.childId, spiIn: (ev.spiIn >>> 0).toString(16).padStart(8, "0"), why: ev.why });
        continue;
      }
      const expired = ev.type === "expired";
      // Once each: a rekey when the soft limit is crossed, a delete when the hard one is.
      const key = expired ? -ev.childId - 1 : ev.childId;
      if (this.asked.has(key)) continue;
      this.asked.add(key);
      this.d.log({
        level: expired ? "warn" : "info", event: expired ? "child-lifetime-expired" : "child-lifetime-soft", child: ev.childId, direction: ev.direction,
        reason: expired
          ? `the Child SA reached its hard limit (lifeBytes/lifePackets) ${ev.direction === "out" ? "sending" : "receiving"} before its rekey finished: it ${ev.direction === "out" ? "sends" : "accepts"} no more, and is deleted unless the rekey replaces it first`
          : "the Child SA reached its rekeyBytes/rekeyPackets limit: rekeying",
      });
      try {
        this.d.run((ep, t) => (expired ? ep.deleteChild(ev.childId, t) : ep.rekeyChild(ev.childId, t)));
        if (!expired) this.counters.rekeysStarted++;
      } catch (err) {
        this.d.log({ level: "debug", event: "child-rekey-not-started", child: ev.childId, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    const next = this.table.nextDeadline();
    if (next !== this.retireAt) {
      this.cancelRetire?.();
      this.retireAt = next;
      this.cancelRetire = next === undefined ? undefined : this.d.at(next, (t) => { this.retireAt = undefined; this.cancelRetire = undefined; this.table.tick(t); this.afterTable(t); });
    }
    void now;
  }

  private armKeepalive(): void {
    if (this.cancelKeepalive || this.natPaths.size === 0) return;
    let soonest = Infinity;
    for (const p of this.natPaths.values()) soonest = Math.min(soonest, p.lastSent + this.keepaliveMs);
    this.cancelKeepalive = this.d.at(soonest, (now) => {
      this.cancelKeepalive = undefined;
      for (const p of this.natPaths.values()) {
        if (now - p.lastSent < this.keepaliveMs) continue;
        this.d.sendEsp(p.local, p.remote, NAT_KEEPALIVE);
        p.lastSent = now;
        this.counters.natKeepalivesSent++;
      }
      this.armKeepalive();
    });
  }
}

function covers(start: Uint8Array, end: Uint8Array, a: Uint8Array): boolean {
  let lo = 0, hi = 0;
  for (let i = 0; i < a.length && lo === 0; i++) lo = a[i] - start[i];
  for (let i = 0; i < a.length && hi === 0; i++) hi = end[i] - a[i];
  return lo >= 0 && hi >= 0;
}

// The data plane's tables, sans-IO: packets and `now` in, packets and events out.
//
// - Outbound (RFC 4301 §5.1): an ordered list of Child SAs with their selectors. A packet from the TUN
//   device goes out on the first Child SA whose selectors cover it (src ∈ local, dst ∈ remote,
//   protocol, ports), or is dropped and counted ("no-policy").
// - Inbound (RFC 4303 §3.4.2, RFC 4301 §5.2): Child SAs by inbound SPI. After decapsulation the inner
//   packet must match that SA's selectors, or it is dropped ("policy").
// - Rekey: installing a Child SA that replaces another moves the outbound traffic to the new SA at once
//   (in the old one's place in the list). The old inbound SA stays, so packets the peer sent before it
//   switched are still accepted, until the peer has moved (first authenticated packet on the new SA,
//   plus `drainMs` for packets reordered behind it) or `graceMs` after the rekey, whichever comes first.
import { getU32, ESP_HEADER_LEN } from "./esp.ts";
import { inspectPacket } from "./packet.ts";
import { newDropCounters, type DropCounters, type DropReason, type LifetimeSignal } from "./sa.ts";
import type { EspChildSa } from "./child.ts";

export interface EspTableOptions {
  /** How long an old inbound SA is kept after a rekey at most (ms on the caller's clock). Default 30 s. */
  graceMs?: number;
  /** How long it is kept after the first packet on its successor (reordered packets). Default 1 s. */
  drainMs?: number;
}

export type EspEvent =
  /** A soft lifetime (or the sequence number space) says: rekey this Child SA. */
  | { type: "rekey-needed"; childId: number; direction: "in" | "out" }
  /** A hard lifetime was reached: the SA carries no more packets in that direction. */
  | { type: "expired"; childId: number; direction: "in" | "out" }
  /** An old inbound SA was removed after a rekey. */
  | { type: "retired"; childId: number; spiIn: number; why: "peer-moved" | "grace-elapsed" | "removed" };

export type OutboundResult =
  | { ok: true; packet: Uint8Array; childId: number; spi: number; seq: number }
  | { ok: false; reason: DropReason; childId?: number };

export type InboundResult =
  | { ok: true; inner: Uint8Array; childId: number; seq: number }
  | { ok: false; reason: DropReason; childId?: number };

interface Entry {
  child: EspChildSa;
  /** Set when a newer SA replaced this one: until when its inbound half is kept. */
  retireAt?: number;
  retireWhy?: "peer-moved" | "grace-elapsed";
  /** The SA this one replaced, while the peer has not yet been seen on this one. */
  predecessor?: Entry;
  /** The SA that replaced this one (so that dropping this one can clear its `predecessor` in O(1)). */
  successor?: Entry;
}

export class EspTable {
  private readonly graceMs: number;
  private readonly drainMs: number;
  private readonly byId = new Map<number, Entry>();
  private readonly bySpi = new Map<number, Entry>();
  /** Outbound policy order. */
  private policies: Entry[] = [];
  /** Entries with a retireAt: tick() looks at these only. */
  private readonly retiring = new Set<Entry>();
  /**
   * Flow cache: the policy decision for a 5-tuple (addresses, protocol, ports), so that a gateway with
   * thousands of Child SAs walks its policy list once per flow, not once per packet. The same 5-tuple
   * always gets the same answer from an unchanged list; any change to the list empties the cache.
   */
  private flows = new Map<string, Entry | null>();
  private events: EspEvent[] = [];
  /** The earliest retireAt of any entry (Infinity when none): tick() is O(1) until then. */
  private soonest = Infinity;
  /** Drops not charged to any SA: unknown SPI, no policy, malformed packets. */
  readonly drops: DropCounters = newDropCounters();

  constructor(o: EspTableOptions = {}) {
    this.graceMs = o.graceMs ?? 30_000;
    this.drainMs = o.drainMs ?? 1_000;
  }

  /**
   * Installs a Child SA. With `replaces` (the old Child SA's id, as in the engine's child-up `rekeyOf`)
   * the new SA takes the old one's outbound place at once and the old inbound SA starts retiring.
   */
  install(child: EspChildSa, now: number, replaces?: number): void {
    if (this.byId.has(child.id)) throw new Error(`esp table: Child SA ${child.id} is already installed`);
    if (this.bySpi.has(child.inbound.spi)) throw new Error(`esp table: inbound SPI ${hex8(child.inbound.spi)} is already in use`);
    const e: Entry = { child };
    const old = replaces !== undefined ? this.byId.get(replaces) : undefined;
    const at = old ? this.policies.indexOf(old) : -1;
    this.flows.clear();
    if (old && at >= 0) {
      this.policies[at] = e;
      old.retireAt = now + this.graceMs;
      old.retireWhy = "grace-elapsed";
      e.predecessor = old;
      old.successor = e;
      this.retiring.add(old);
      this.soonest = Math.min(this.soonest, old.retireAt);
    } else {
      this.policies.push(e);
    }
    this.byId.set(child.id, e);
    this.bySpi.set(child.inbound.spi, e);
  }

  /**
   * The engine deleted a Child SA (child-down). Its outbound use ends at once. An SA already replaced by
   * a rekey keeps its inbound half until it retires; any other is removed now.
   */
  remove(id: number, now: number): void {
    const e = this.byId.get(id);
    if (!e) return;
    this.flows.clear();
    this.policies = this.policies.filter((p) => p !== e);
    if (e.retireAt !== undefined && e.retireAt > now) return;
    this.drop(e, "removed");
  }

  /** The Child SA with this id, while installed. */
  get(id: number): EspChildSa | undefined { return this.byId.get(id)?.child; }
  /** The Child SA that receives on this SPI. */
  bySpiIn(spi: number): EspChildSa | undefined { return this.bySpi.get(spi >>> 0)?.child; }
  get size(): number { return this.byId.size; }

  /** Encapsulates a packet read from the TUN device for the Child SA whose selectors cover it. */
  outbound(packet: Uint8Array, now: number): OutboundResult {
    this.tick(now);
    const info = inspectPacket(packet);
    if (!info) return this.tableDrop("malformed-inner");
    let e: Entry | null | undefined;
    if (this.policies.length <= FLOW_CACHE_FROM) {
      // A few policies (a tunnel): the walk is cheaper than the cache key.
      e = null;
      for (const p of this.policies) if (p.child.coversOutbound(info)) { e = p; break; }
    } else {
      const key = flowKey(info.packet, info.srcAt, info.dstAt, info.addrLen, info.protocol, info.srcPort, info.dstPort);
      e = this.flows.get(key);
      if (e === undefined) {
        e = null;
        for (const p of this.policies) if (p.child.coversOutbound(info)) { e = p; break; }
        if (this.flows.size >= FLOW_CACHE_MAX) this.flows.clear();
        this.flows.set(key, e);
      }
    }
    if (e) {
      const out = e.child.outbound;
      // The IP header may say less than the TUN read returned (never more: inspectPacket checks that).
      const r = out.encapsulate(info.length === packet.length ? packet : packet.subarray(0, info.length), info.version === 6 ? 41 : 4);
      if (r.signal) this.signal(e.child.id, "out", r.signal);
      if (!r.ok) return { ok: false, reason: r.reason, childId: e.child.id };
      return { ok: true, packet: r.packet, childId: e.child.id, spi: out.spi, seq: r.seq };
    }
    return this.tableDrop("no-policy");
  }

  /** Decapsulates an ESP packet (the UDP payload on 4500 after demux, or the IP payload of protocol 50). */
  inbound(packet: Uint8Array, now: number): InboundResult {
    this.tick(now);
    if (packet.length < ESP_HEADER_LEN) return this.tableDrop("truncated");
    const e = this.bySpi.get(getU32(packet, 0));
    if (!e) return this.tableDrop("unknown-spi");
    const sa = e.child.inbound;
    const r = sa.decapsulate(packet);
    if (r.signal) this.signal(e.child.id, "in", r.signal);
    if (!r.ok) return { ok: false, reason: r.reason, childId: e.child.id };
    const info = inspectPacket(r.inner);
    if (!info) { sa.countDrop("malformed-inner"); return { ok: false, reason: "malformed-inner", childId: e.child.id }; }
    if (!e.child.coversInbound(info)) { sa.countDrop("policy"); return { ok: false, reason: "policy", childId: e.child.id }; }
    // The peer has moved to this SA: its predecessor only waits for packets reordered behind this one.
    const pre = e.predecessor;
    if (pre) {
      e.predecessor = undefined;
      if (pre.retireAt !== undefined && now + this.drainMs < pre.retireAt) {
        pre.retireAt = now + this.drainMs; pre.retireWhy = "peer-moved";
        this.soonest = Math.min(this.soonest, pre.retireAt);
      }
    }
    const inner = info.length === r.inner.length ? r.inner : r.inner.subarray(0, info.length);
    return { ok: true, inner, childId: e.child.id, seq: r.seq };
  }

  /** Removes old inbound SAs whose time is up. Called by outbound()/inbound() too. */
  tick(now: number): void {
    if (now < this.soonest) return;
    let next = Infinity;
    for (const e of [...this.retiring]) {
      if (e.retireAt === undefined) continue;
      if (e.retireAt <= now) this.drop(e, e.retireWhy ?? "grace-elapsed");
      else next = Math.min(next, e.retireAt);
    }
    this.soonest = next;
  }

  /** When tick() next has something to do, or undefined. */
  nextDeadline(): number | undefined {
    return this.soonest === Infinity ? undefined : this.soonest;
  }

  /** Events since the last call (lifetime signals, retirements). */
  takeEvents(): EspEvent[] {
    const ev = this.events;
    this.events = [];
    return ev;
  }

  private drop(e: Entry, why: "peer-moved" | "grace-elapsed" | "removed"): void {
    this.byId.delete(e.child.id);
    if (this.bySpi.get(e.child.inbound.spi) === e) this.bySpi.delete(e.child.inbound.spi);
    if (this.policies.includes(e)) { this.policies = this.policies.filter((p) => p !== e); this.flows.clear(); }
    this.retiring.delete(e);
    if (e.successor?.predecessor === e) e.successor.predecessor = undefined;
    if (e.retireAt !== undefined || why === "removed") this.events.push({ type: "retired", childId: e.child.id, spiIn: e.child.inbound.spi, why });
    e.child.dispose();
  }

  private signal(childId: number, direction: "in" | "out", s: LifetimeSignal): void {
    this.events.push({ type: s, childId, direction });
  }

  private tableDrop(reason: DropReason): { ok: false; reason: DropReason } {
    this.drops[reason]++;
    return { ok: false, reason };
  }
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, "0");

/** Flows remembered at most; beyond, the cache starts again (a flood of new flows costs a scan each, as without it). */
const FLOW_CACHE_MAX = 8192;
/** The cache is used once there are more policies than this. */
const FLOW_CACHE_FROM = 8;

/** The cache key of a packet's 5-tuple: both addresses as bytes, the protocol, the ports (or "-"). */
function flowKey(b: Uint8Array, src: number, dst: number, len: number, proto: number, sp: number | undefined, dp: number | undefined): string {
  let k = "";
  for (let i = 0; i < len; i++) k += String.fromCharCode(b[src + i], b[dst + i]);
  return `${k}|${proto}|${sp ?? "-"}|${dp ?? "-"}`;
}

// Deterministic simulation for the sans-IO engine (STYLE: quinn's tests/util.rs Pair): endpoints wired
// in memory by IP address, a virtual clock that jumps to the next deadline, a seeded RNG, and fault
// injection (drop, duplicate, reorder/delay, corrupt). The same seed gives the same transcript.
import { createHash } from "node:crypto";
import { Endpoint } from "../../ts/engine/endpoint.ts";
import { resolveConfig, type EndpointInput } from "../../ts/engine/config.ts";
import type { Datagram, EngineEvent, LogRecord } from "../../ts/engine/types.ts";
import type { CryptoProvider } from "../../ts/crypto/types.ts";
import { createJsProvider } from "../../ts/crypto/js/provider.ts";
import { seededRandom } from "../../ts/crypto/random.ts";

export interface Faults { drop?: number; duplicate?: number; reorder?: number; corrupt?: number; delayMs?: number }

/** A small deterministic PRNG for the network (not for keys). */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = (seed >>> 0) || 0x9e3779b9; }
  next(): number { let x = this.s; x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; this.s = x; return x / 2 ** 32; }
  int(n: number): number { return Math.floor(this.next() * n); }
}

interface InFlight { at: number; seq: number; dg: Datagram }

/** A binary min-heap of datagrams in flight, by delivery time then send order. */
class FlightHeap {
  private h: InFlight[] = [];
  get size(): number { return this.h.length; }
  peek(): InFlight | undefined { return this.h[0]; }
  private less(a: InFlight, b: InFlight): boolean { return a.at < b.at || (a.at === b.at && a.seq < b.seq); }
  push(x: InFlight): void {
    const h = this.h; h.push(x);
    let i = h.length - 1;
    while (i > 0) { const p = (i - 1) >> 1; if (!this.less(h[i], h[p])) break; [h[i], h[p]] = [h[p], h[i]]; i = p; }
  }
  pop(): InFlight | undefined {
    const h = this.h; if (!h.length) return undefined;
    const top = h[0], last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1; let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]]; i = m;
      }
    }
    return top;
  }
}

export interface Node { ip: string; ep: Endpoint; events: EngineEvent[]; logs: LogRecord[]; deadline?: number }

export class Sim {
  now = 0;
  readonly nodes = new Map<string, Node>();
  private flight = new FlightHeap();
  private seq = 0;
  private readonly rng: Rng;
  private readonly hash = createHash("sha256");
  faults: Faults;
  /** Datagrams delivered and dropped, for assertions. */
  delivered = 0;
  dropped = 0;
  /** Optional tap: sees every datagram sent (before faults). */
  tap?: (dg: Datagram, from: string) => void;
  /** Return false to drop a specific datagram (scenario control). */
  filter?: (dg: Datagram, from: string) => boolean;
  /** Base one-way latency. */
  latencyMs = 5;
  keepLogs = false;
  keepEvents = true;

  constructor(readonly seed: number, faults: Faults = {}, readonly provider: CryptoProvider = createJsProvider({ random: seededRandom(seed) })) {
    this.rng = new Rng(seed);
    this.faults = faults;
  }

  add(ip: string, input: EndpointInput): Node {
    const logs: LogRecord[] = [];
    const ep = new Endpoint({ config: resolveConfig(input), crypto: this.provider, now: this.now, log: (r) => { if (this.keepLogs) logs.push(r); } });
    const n: Node = { ip, ep, events: [], logs, deadline: undefined };
    this.nodes.set(ip, n);
    return n;
  }

  /** Feeds an engine output into the network and the node's event list. */
  take(from: Node, out: { datagrams: Datagram[]; events: EngineEvent[] }): void {
    if (this.keepEvents) for (const e of out.events) from.events.push(e);
    else for (const e of out.events) if (e.type !== "keylog") from.events.push(e);
    for (const e of out.events) this.hash.update(`${from.ip} ${this.now} ev ${e.type}\n`);
    for (const dg of out.datagrams) this.send(dg, from.ip);
    from.deadline = from.ep.nextDeadline();
  }

  private send(dg: Datagram, from: string): void {
    this.tap?.(dg, from);
    this.hash.update(`${from} ${this.now} ${dg.remote.ip}:${dg.remote.port} ${dg.data.length}\n`);
    if (this.filter && !this.filter(dg, from)) { this.dropped++; return; }
    const f = this.faults;
    if (f.drop && this.rng.next() < f.drop) { this.dropped++; return; }
    let data = dg.data;
    if (f.corrupt && this.rng.next() < f.corrupt) {
      data = data.slice();
      data[this.rng.int(data.length)] ^= 1 << this.rng.int(8);
    }
    const delay = this.latencyMs + (f.reorder && this.rng.next() < f.reorder ? this.rng.int(f.delayMs ?? 200) : 0);
    // The receiver sees our source address: swap local/remote.
    const rx: Datagram = { local: { ...dg.remote }, remote: { ip: from, port: dg.local.port }, data };
    this.flight.push({ at: this.now + delay, seq: this.seq++, dg: rx });
    if (f.duplicate && this.rng.next() < f.duplicate) this.flight.push({ at: this.now + delay + this.rng.int(50), seq: this.seq++, dg: { ...rx, data: data.slice() } });
  }

  private nextEventTime(): number | undefined {
    let t = this.flight.peek()?.at;
    for (const n of this.nodes.values()) { const d = n.deadline; if (d !== undefined && (t === undefined || d < t)) t = d; }
    return t;
  }

  /** Advances the virtual clock event by event until `until` (absolute ms) or `done()` holds. */
  run(until: number, done?: () => boolean): void {
    for (let guard = 0; guard < 50_000_000; guard++) {
      if (done?.()) return;
      const t = this.nextEventTime();
      if (t === undefined || t > until) { this.now = Math.max(this.now, until); return; }
      this.now = Math.max(this.now, t);
      // Deliver everything due now, in send order.
      while (this.flight.size && this.flight.peek()!.at <= this.now) {
        const f = this.flight.pop()!;
        const n = this.nodes.get(f.dg.local.ip);
        if (!n) { this.dropped++; continue; }
        this.delivered++;
        this.take(n, n.ep.receive(f.dg, this.now));
      }
      for (const n of this.nodes.values()) {
        if (n.deadline !== undefined && n.deadline <= this.now) this.take(n, n.ep.tick(this.now));
      }
    }
    throw new Error("simulation did not settle");
  }

  /** Runs a command on a node at the current time and feeds its output. */
  cmd<T extends { datagrams: Datagram[]; events: EngineEvent[] }>(n: Node, f: (ep: Endpoint, now: number) => T): T {
    const out = f(n.ep, this.now);
    this.take(n, out);
    return out;
  }

  /** Recomputes every node's cached deadline (after changing a node outside cmd/receive). */
  refresh(): void {
    for (const n of this.nodes.values()) n.deadline = n.ep.nextDeadline();
  }

  transcriptHash(): string { return this.hash.copy().digest("hex"); }
  inFlight(): number { return this.flight.size; }
}

/** A minimal pair config: `a` initiates to `b` with PSK and one child. */
export function pairConfigs(opts: { ike?: string; esp?: string; pskA?: string; pskB?: string; aIp?: string; bIp?: string; extraA?: object; extraB?: object; connA?: object; connB?: object; childA?: object; childB?: object } = {}): { a: EndpointInput; b: EndpointInput } {
  const aIp = opts.aIp ?? "198.18.0.1", bIp = opts.bIp ?? "198.18.0.2";
  const ike = opts.ike ?? "aes128gcm16-prfsha256-x25519";
  const esp = opts.esp ?? "aes128gcm16";
  const a: EndpointInput = {
    connections: [{
      name: "tunnel", local: { id: "edge.example", address: aIp }, remote: { id: "gw.example", address: bIp }, psk: opts.pskA ?? "shared secret",
      ike: { proposals: ike, rekeyTime: 3600, dpdDelay: 0 }, children: [{ name: "net", esp, localTs: ["10.1.0.0/16"], remoteTs: ["10.2.0.0/16"], ...(opts.childA ?? {}) }],
      ...(opts.connA ?? {}),
    }],
    ...(opts.extraA ?? {}),
  } as EndpointInput;
  const b: EndpointInput = {
    connections: [{
      name: "gw", local: { id: "gw.example", address: bIp }, remote: { id: "%any" }, psk: opts.pskB ?? "shared secret",
      ike: { proposals: ike, rekeyTime: 3600, dpdDelay: 0 }, children: [{ name: "net", esp, localTs: ["10.2.0.0/16"], remoteTs: ["10.1.0.0/16"], ...(opts.childB ?? {}) }],
      ...(opts.connB ?? {}),
    }],
    ...(opts.extraB ?? {}),
  } as EndpointInput;
  return { a, b };
}

export function eventsOf(n: Node, type: EngineEvent["type"]): EngineEvent[] { return n.events.filter((e) => e.type === type); }

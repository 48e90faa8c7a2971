// In-memory UDP sockets and a manual clock (STYLE: wireguard-go conn/bindtest): drive the real Driver
// without a network or OS timers, for tests and examples. Datagrams wait in a queue until flush().
import type { Address } from "../engine/types.ts";
import type { Clock, Timer, UdpSocket } from "./types.ts";

const key = (a: Address) => `${a.ip}|${a.port}`;

export class MemoryNetwork {
  private readonly bound = new Map<string, MemorySocket>();
  private queue: { to: Address; from: Address; data: Uint8Array }[] = [];
  private nextPort = 40000;
  /** Every datagram sent, as bytes on the wire (tests inspect markers). */
  readonly wire: { from: Address; to: Address; data: Uint8Array }[] = [];

  /** A UdpOpener: binds `addr` (port 0 picks a free one). */
  open = async (addr: Address): Promise<UdpSocket> => {
    const local = { ip: addr.ip, port: addr.port || this.nextPort++ };
    if (this.bound.has(key(local))) throw new Error(`address in use: ${local.ip}:${local.port}`);
    const s = new MemorySocket(this, local);
    this.bound.set(key(local), s);
    return s;
  };

  private readonly nats = new Map<string, string>();

  /**
   * Puts `insideIp` behind a NAT with the public address `publicIp`: datagrams it sends leave from
   * publicIp with the port plus 10000, and answers to that address and port reach it (RFC 3948 tests).
   */
  nat(insideIp: string, publicIp: string): void { this.nats.set(insideIp, publicIp); }

  /** @internal */
  enqueue(from: Address, to: Address, data: Uint8Array): void {
    const pub = this.nats.get(from.ip);
    if (pub !== undefined) from = { ip: pub, port: from.port + 10000 };
    for (const [inside, p] of this.nats) if (to.ip === p && to.port > 10000) to = { ip: inside, port: to.port - 10000 };
    this.wire.push({ from, to, data });
    this.queue.push({ from, to, data: data.slice() });
  }
  /** @internal */
  unbind(s: MemorySocket): void { this.bound.delete(key(s.local)); }

  /** Delivers queued datagrams (and those their delivery causes) until the queue is empty. */
  flush(limit = 10_000): number {
    let n = 0;
    while (this.queue.length && n < limit) {
      const d = this.queue.shift()!;
      n++;
      this.bound.get(key(d.to))?.deliver(d.data, d.from);
    }
    return n;
  }

  /** Sends raw bytes to a bound socket as if from `from` (fault and marker tests). */
  inject(from: Address, to: Address, data: Uint8Array): void { this.queue.push({ from, to, data }); }
}

class MemorySocket implements UdpSocket {
  private handler?: (data: Uint8Array, from: Address) => void;
  constructor(private readonly net: MemoryNetwork, readonly local: Address) {}
  send(data: Uint8Array, to: Address): void { this.net.enqueue(this.local, to, data); }
  onMessage(h: (data: Uint8Array, from: Address) => void): void { this.handler = h; }
  onError(): void {}
  deliver(data: Uint8Array, from: Address): void { this.handler?.(data, { ...from }); }
  async close(): Promise<void> { this.net.unbind(this); }
}

/** A clock that only moves when told; its timers fire from advance(). */
export class ManualClock implements Clock {
  private t: number;
  private readonly timers = new Set<{ at?: number; fire: () => void }>();
  constructor(start = 1_000_000) { this.t = start; }
  now(): number { return this.t; }
  timestamp(): string { return `t+${this.t}`; }
  timer(fire: () => void): Timer {
    const entry: { at?: number; fire: () => void } = { fire };
    this.timers.add(entry);
    return { arm: (at) => { entry.at = at; }, disarm: () => { entry.at = undefined; } };
  }
  /** The earliest armed timer, if any. */
  next(): number | undefined {
    let d: number | undefined;
    for (const e of this.timers) if (e.at !== undefined && (d === undefined || e.at < d)) d = e.at;
    return d;
  }
  /** Moves time forward to `to`, firing each timer that comes due on the way, in order. */
  advanceTo(to: number): void {
    for (;;) {
      let due: { at?: number; fire: () => void } | undefined;
      for (const e of this.timers) if (e.at !== undefined && e.at <= to && (!due || e.at < due.at!)) due = e;
      if (!due) break;
      this.t = Math.max(this.t, due.at!);
      due.at = undefined;
      due.fire();
    }
    this.t = Math.max(this.t, to);
  }
}

/**
 * Runs the network and the clock until `done()` holds or `untilMs` of virtual time pass: delivers every
 * queued datagram, and when none is left moves the clock to the next timer.
 */
export function settle(net: MemoryNetwork, clock: ManualClock, done: () => boolean, untilMs = 60_000): void {
  const end = clock.now() + untilMs;
  for (let i = 0; i < 100_000 && !done(); i++) {
    if (net.flush() > 0) continue;
    const t = clock.next();
    if (t === undefined || t > end) break;
    clock.advanceTo(t);
  }
}

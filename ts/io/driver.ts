// The one driver loop every runtime shares: datagram in -> engine -> datagrams out -> re-arm the single
// timer at the earliest deadline (the engine's nextDeadline() or a host deadline such as a reconnect).
// On the NAT-T port it adds and strips the non-ESP marker (RFC 3948 §2.2), hands ESP to the data-plane
// hook and ignores NAT keepalives. It writes engine records and events as JSON-lines log records.
import { Endpoint, addr } from "../engine/endpoint.ts";
import type { EndpointConfig } from "../engine/config.ts";
import type { CryptoProvider } from "../crypto/types.ts";
import type { Address, Datagram, EngineEvent, LogLevel, LogRecord, Output } from "../engine/types.ts";
import { mergeEventLogs } from "./events.ts";
import type { Clock, Timer, UdpSocket } from "./types.ts";

/** RFC 3948 §2.2: IKE on port 4500 starts with four zero octets where ESP has its SPI. */
export const NON_ESP_MARKER = new Uint8Array(4);
/** RFC 3948 §2.3: a NAT-keepalive is the single octet 0xFF. */
export const NAT_KEEPALIVE = 0xff;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A socket and whether it is the NAT-T port (marker and ESP) or the plain IKE port. */
export interface SocketBinding { socket: UdpSocket; natt: boolean }

/** One log line: the record plus its wall-clock `time` (the engine uses `ts` for traffic selectors). */
export type LogLine = LogRecord & { time: string };

export interface DriverOptions {
  config: EndpointConfig;
  crypto: CryptoProvider;
  sockets: SocketBinding[];
  clock: Clock;
  /** Receives every log line at or above `logLevel` (JSON-lines: one object per line). */
  write?: (line: LogLine) => void;
  logLevel?: LogLevel;
  /** ESP packets from the NAT-T port (RFC 3948): the data plane's input. A no-op until it exists. */
  onEsp?: (dg: Datagram) => void;
  /** Key-log lines (Wireshark formats), when the endpoint's keyLog is on. */
  onKeylog?: (line: string, format: "ikev2_decryption_table" | "esp_sa") => void;
}

/** What the host saw below the engine (the engine keeps its own counters). */
export interface DriverCounters {
  datagramsReceived: number;
  datagramsSent: number;
  natKeepalivesReceived: number;
  espPacketsReceived: number;
  espPacketsSent: number;
  runtPacketsDropped: number;
  sendErrors: number;
  socketErrors: number;
}

interface HostDeadline { at: number; fire: (now: number) => void }

export class Driver {
  readonly endpoint: Endpoint;
  readonly sockets: readonly SocketBinding[];
  readonly counters: DriverCounters = { datagramsReceived: 0, datagramsSent: 0, natKeepalivesReceived: 0, espPacketsReceived: 0, espPacketsSent: 0, runtPacketsDropped: 0, sendErrors: 0, socketErrors: 0 };
  readonly startedAt: number;
  private readonly clock: Clock;
  private readonly timer: Timer;
  private readonly level: number;
  private readonly opts: DriverOptions;
  private readonly listeners: ((e: EngineEvent, now: number) => void)[] = [];
  private hostDeadlines: HostDeadline[] = [];
  /** Engine log records of the call in progress, merged with its events before they are written. */
  private pending: LogRecord[] | undefined;
  private stuckTicks = 0;
  private closed = false;

  constructor(opts: DriverOptions) {
    this.opts = opts;
    this.clock = opts.clock;
    this.level = LEVELS[opts.logLevel ?? "info"];
    this.sockets = opts.sockets;
    this.startedAt = opts.clock.now();
    this.endpoint = new Endpoint({
      config: opts.config, crypto: opts.crypto, now: this.startedAt, log: (r) => this.engineLog(r),
      // Certificate dates need the wall clock; the host's timestamp is its ISO 8601 text.
      wallClock: () => Date.parse(this.clock.timestamp()),
    });
    this.timer = opts.clock.timer(() => this.onTimer());
    for (const b of opts.sockets) {
      b.socket.onMessage((data, from) => this.receive(b, data, from));
      b.socket.onError((err) => { this.counters.socketErrors++; this.log({ level: "warn", event: "socket-error", local: addr(b.socket.local), reason: err instanceof Error ? err.message : String(err) }); });
    }
  }

  /** Subscribes to engine events (after they are logged and their datagrams sent). */
  onEvent(fn: (e: EngineEvent, now: number) => void): void { this.listeners.push(fn); }

  now(): number { return this.clock.now(); }

  /** Runs an engine command (initiate, rekeyChild, closeAll...) and handles what it produced. */
  run<T extends Output>(command: (ep: Endpoint, now: number) => T): T {
    const now = this.clock.now();
    const outer = this.pending;
    this.pending = [];
    let out: T;
    try {
      out = command(this.endpoint, now);
    } catch (e) {
      this.flush(this.pending, []);
      this.pending = outer;
      throw e;
    }
    const records = this.pending;
    this.pending = outer;
    this.handle(out, records, now);
    return out;
  }

  /** Calls `fire` at `at` (a clock.now() value) on the driver's one timer; returns a cancel function. */
  at(at: number, fire: (now: number) => void): () => void {
    const d: HostDeadline = { at, fire };
    this.hostDeadlines.push(d);
    this.rearm();
    return () => { this.hostDeadlines = this.hostDeadlines.filter((x) => x !== d); this.rearm(); };
  }

  /** Writes an app- or host-level log record through the same level filter and sink. */
  log(rec: LogRecord): void {
    if (LEVELS[rec.level] < this.level || !this.opts.write) return;
    this.opts.write({ time: this.clock.timestamp(), ...rec });
  }

  /** A datagram arrived on one of our sockets. */
  receive(b: SocketBinding, data: Uint8Array, from: Address): void {
    if (this.closed) return;
    this.counters.datagramsReceived++;
    if (b.natt) {
      if (data.length === 1 && data[0] === NAT_KEEPALIVE) { this.counters.natKeepalivesReceived++; return; }
      if (data.length < 4) { this.counters.runtPacketsDropped++; return; }
      if ((data[0] | data[1] | data[2] | data[3]) !== 0) {
        // An ESP packet (its SPI is never 0): the data plane's, not the engine's.
        this.counters.espPacketsReceived++;
        this.opts.onEsp?.({ local: { ...b.socket.local }, remote: from, data });
        return;
      }
      data = data.subarray(4);
    }
    const dg: Datagram = { local: { ...b.socket.local }, remote: from, data };
    this.run((ep, now) => ep.receive(dg, now));
  }

  /**
   * Sends a UDP payload as it is on the NAT-T socket bound to `local`: ESP or a NAT-keepalive (RFC 3948
   * §2.1, §2.3: no non-ESP marker). Counted as a send error when no NAT-T socket fits.
   */
  sendEsp(local: Address, remote: Address, data: Uint8Array): void {
    if (this.closed) return;
    const b = this.socketFor({ local, remote, data });
    if (!b || !b.natt) { this.counters.sendErrors++; return; }
    this.counters.espPacketsSent++;
    b.socket.send(data, remote);
  }

  /** Deletes every IKE SA (the peers are told) and resolves once they are gone or `graceMs` passed. */
  shutdown(graceMs: number): Promise<{ clean: boolean }> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (clean: boolean) => { if (done) return; done = true; cancel(); this.offEvent(check); resolve({ clean }); };
      const check = () => { if (this.endpoint.ikeCount === 0) finish(true); };
      const cancel = this.at(this.clock.now() + graceMs, () => finish(this.endpoint.ikeCount === 0));
      this.onEvent(check);
      this.run((ep, now) => ep.closeAll(now));
      check();
    });
  }

  /** Closes the sockets and stops the timer. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer.disarm();
    this.hostDeadlines = [];
    await Promise.all(this.sockets.map((b) => b.socket.close().catch(() => {})));
  }

  // ---------------------------------------------------------------- internals

  private offEvent(fn: (e: EngineEvent, now: number) => void): void {
    const i = this.listeners.indexOf(fn);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  private engineLog(r: LogRecord): void {
    if (this.pending) this.pending.push(r);
    else this.flush([r], []);
  }

  private flush(records: LogRecord[], events: EngineEvent[]): void {
    for (const r of mergeEventLogs(records, events)) this.log(r);
  }

  private handle(out: Output, records: LogRecord[], now: number): void {
    this.flush(records, out.events);
    for (const dg of out.datagrams) this.send(dg);
    for (const e of out.events) {
      if (e.type === "keylog") this.opts.onKeylog?.(e.line, e.format);
      for (const fn of [...this.listeners]) {
        try { fn(e, now); } catch (err) { this.log({ level: "error", event: "listener-failed", reason: err instanceof Error ? err.message : String(err) }); }
      }
    }
    this.rearm();
  }

  private send(dg: Datagram): void {
    const b = this.socketFor(dg);
    if (!b) {
      this.counters.sendErrors++;
      this.log({ level: "warn", event: "no-socket", peer: addr(dg.remote), reason: `no socket bound for ${addr(dg.local)} towards ${dg.remote.ip.includes(":") ? "IPv6" : "IPv4"}` });
      return;
    }
    let data = dg.data;
    if (b.natt) {
      data = new Uint8Array(4 + dg.data.length);
      data.set(dg.data, 4);
    }
    this.counters.datagramsSent++;
    b.socket.send(data, dg.remote);
  }

  /** The socket for a datagram: same port and address family; the exact address, else a wildcard one. */
  private socketFor(dg: Datagram): SocketBinding | undefined {
    const v6 = dg.remote.ip.includes(":");
    let fallback: SocketBinding | undefined;
    for (const b of this.sockets) {
      const l = b.socket.local;
      if (l.port !== dg.local.port || l.ip.includes(":") !== v6) continue;
      if (l.ip === dg.local.ip) return b;
      if (!fallback || l.ip === "0.0.0.0" || l.ip === "::") fallback = b;
    }
    return fallback;
  }

  private nextDeadline(): number | undefined {
    let d = this.endpoint.nextDeadline();
    for (const h of this.hostDeadlines) if (d === undefined || h.at < d) d = h.at;
    return d;
  }

  private rearm(): void {
    if (this.closed) return;
    const d = this.nextDeadline();
    if (d === undefined) this.timer.disarm();
    else this.timer.arm(d);
  }

  private onTimer(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const due = this.hostDeadlines.filter((h) => h.at <= now);
    this.hostDeadlines = this.hostDeadlines.filter((h) => h.at > now);
    for (const h of due) {
      try { h.fire(now); } catch (err) { this.log({ level: "error", event: "timer-callback-failed", reason: err instanceof Error ? err.message : String(err) }); }
    }
    const ed = this.endpoint.nextDeadline();
    if (ed !== undefined && ed <= now) {
      this.run((ep, t) => ep.tick(t));
      const after = this.endpoint.nextDeadline();
      if (after !== undefined && after <= now) {
        // The engine asked to be ticked again for a time that has passed: back off instead of spinning.
        if (this.stuckTicks++ === 0) this.log({ level: "error", event: "engine-deadline-stuck", reason: `nextDeadline() stayed at ${after} after tick(${now})` });
        this.hostDeadlines.push({ at: now + 50, fire: () => {} });
      } else this.stuckTicks = 0;
    }
    this.rearm();
  }
}

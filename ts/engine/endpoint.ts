// The sans-IO IKEv2 endpoint (RFC 7296). Inputs: receive(datagram, now), tick(now) and commands;
// outputs: datagrams to send and events, returned from each call. nextDeadline() says when to tick.
// Clock, randomness (through the crypto provider), crypto and configuration are injected; there is no
// socket, timer or runtime global here.
//
// Shape (STYLE: quinn-proto, strongSwan tasks): the Endpoint demultiplexes datagrams to IKE SAs by
// SPI and owns the timers; each IKE SA runs one exchange at a time (window 1, §2.3) from a queue of
// tasks (tasks.ts); the responder side of each exchange is a function of the request (responder.ts).
import { FragmentReassembler, SkOpener, SkSealer, sealFragments, DEFAULT_REASSEMBLY_LIMITS } from "../crypto/sk.ts";
import type { CryptoProvider } from "../crypto/types.ts";
import { WireError } from "../wire/errors.ts";
import { ExchangeType, NotifyType, PayloadType, ProtocolId } from "../wire/iana.ts";
import { formatIdentity, identityEquals } from "../config/identity.ts";
import { formatSuite } from "../config/proposals.ts";
import { parseIp } from "../util/ip.ts";
import { CookieJar } from "./cookies.ts";
import { DeadlineHeap, deadlineEntry } from "./deadlines.ts";
import type { EndpointConfig, ConnectionConfig } from "./config.ts";
import { EngineError, misuse } from "./errors.ts";
import { decodeInner, decodeOuter, encodeInner, encodePlain, encodePrefix, type Payload, checkRules } from "./msg.ts";
import { formatSelector } from "./selectors.ts";
import { type ChildSa, type IkeCrypto, type IkeSa, type Received, type Task, childName, saName, sk } from "./sa.ts";
import type { Address, ChildSaInfo, Datagram, EngineEvent, IkeSaInfo, Logger, LogRecord, Output } from "./types.ts";
import { respondInit, respondRequest } from "./responder.ts";
import { ChildCreateTask, ChildDeleteTask, ChildRekeyTask, DpdTask, IkeAuthTask, IkeDeleteTask, IkeInitTask, IkeRekeyTask } from "./tasks.ts";
import { keylogChild, keylogIke } from "./keylog.ts";

export interface EndpointOptions {
  config: EndpointConfig;
  crypto: CryptoProvider;
  /** Time of creation on the injected clock (ms). */
  now: number;
  log?: Logger;
  /**
   * Wall-clock time in ms since the epoch, for certificate validity dates (the `now` of the other
   * calls is monotonic). Without it, certificates from peers are refused.
   */
  wallClock?: () => number;
}

/** Counters an operator can watch (also exported by the gateway's /metrics). */
export interface Counters {
  received: number;
  sent: number;
  parseErrors: number;
  icvFailures: number;
  unknownSpi: number;
  retransmitsSent: number;
  retransmitsAnswered: number;
  duplicatesDropped: number;
  outOfWindow: number;
  cookiesSent: number;
  halfOpenExpired: number;
  peersDead: number;
  authFailures: number;
}

const hex = (b: Uint8Array) => { let s = ""; for (const x of b) s += x.toString(16).padStart(2, "0"); return s; };
const ZERO_SPI = new Uint8Array(8);

export class Endpoint {
  readonly config: EndpointConfig;
  readonly crypto: CryptoProvider;
  /** @internal Injected wall clock (ms since the epoch), for certificate dates. */
  readonly wallClock?: () => number;
  readonly counters: Counters = { received: 0, sent: 0, parseErrors: 0, icvFailures: 0, unknownSpi: 0, retransmitsSent: 0, retransmitsAnswered: 0, duplicatesDropped: 0, outOfWindow: 0, cookiesSent: 0, halfOpenExpired: 0, peersDead: 0, authFailures: 0 };
  private readonly logger?: Logger;
  /** IKE SAs by our SPI (hex). */
  private readonly bySpi = new Map<string, IkeSa>();
  private readonly byId = new Map<number, IkeSa>();
  /** Responder: half-open SAs by initiator SPI + peer address, to answer IKE_SA_INIT retransmits. */
  private readonly initIndex = new Map<string, IkeSa>();
  /** Responder SAs in state half-open (the §2.6 cookie threshold counts them on every IKE_SA_INIT). */
  private readonly halfOpen = new Set<IkeSa>();
  /** Responder SAs with an authenticated peer, by connection + identity (INITIAL_CONTACT, §2.4). */
  private readonly byPeer = new Map<string, Set<IkeSa>>();
  private readonly connIds = new Map<ConnectionConfig, number>();
  /**
   * Every IKE SA with something due, by the earliest time (dueAt): tick() and nextDeadline() look only
   * here, so an idle tick costs nothing however many SAs are held.
   */
  private readonly timers = new DeadlineHeap<IkeSa>();
  /**
   * SAs the call in progress may have changed: their deadlines are recomputed once it is done (flush,
   * from drain). An SA is marked where the endpoint gets hold of it, before anything changes it.
   */
  private readonly dirty = new Set<IkeSa>();
  /** @internal Test hook: how many IKE SAs tick() has handled. */
  tickVisits = 0;
  private readonly childSpis = new Set<number>();
  private readonly cookies: CookieJar;
  private nextId = 1;
  private nextChildId = 1;
  private out: Output = { datagrams: [], events: [] };

  constructor(opts: EndpointOptions) {
    this.config = opts.config;
    this.crypto = opts.crypto;
    this.logger = opts.log;
    this.wallClock = opts.wallClock;
    this.cookies = new CookieJar(opts.crypto, opts.now, { rotateMs: opts.config.cookieRotateMs });
  }

  // ---------------------------------------------------------------- inputs

  /** A datagram arrived on one of our IKE ports. */
  receive(dg: Datagram, now: number): Output {
    this.flush();
    this.counters.received++;
    try {
      this.dispatch(dg, now);
    } catch (e) {
      // Nothing from the network may crash the endpoint: log, count, drop.
      this.counters.parseErrors++;
      this.log({ level: "warn", event: "datagram-dropped", peer: addr(dg.remote), reason: e instanceof Error ? e.message : String(e) });
    }
    return this.drain();
  }

  /** Timers: retransmissions, half-open expiry, lifetimes, liveness. Call at nextDeadline(). */
  tick(now: number): Output {
    this.flush();
    const due = this.timers.popDue(now);
    // In creation order (ids ascend), the order in which tick has always handled SAs.
    if (due.length > 1) due.sort((x, y) => x.id - y.id);
    for (const sa of due) {
      this.tickVisits++;
      this.touch(sa);
      this.tickSa(sa, now);
    }
    return this.drain();
  }

  /** The earliest time at which tick() has work, or undefined. */
  nextDeadline(): number | undefined {
    this.flush();
    return this.timers.peek();
  }

  /** @internal The earliest deadline by a scan of every IKE SA (the reference for nextDeadline, in tests). */
  scanDeadline(): number | undefined {
    let d: number | undefined;
    for (const sa of this.byId.values()) { const t = dueAt(sa); if (Number.isFinite(t) && (d === undefined || t < d)) d = t; }
    return d;
  }

  /** @internal A brute-force count of half-open SAs (the reference for halfOpenCount, in tests). */
  scanHalfOpen(): number { let n = 0; for (const s of this.byId.values()) if (s.state.kind === "half-open") n++; return n; }

  // ---------------------------------------------------------------- commands

  /** Starts an IKE SA (and its configured Child SAs) for connection `name`. */
  initiate(name: string, now: number, opts: { local?: Address; remote?: Address } = {}): Output & { ikeId: number } {
    const conn = this.config.connections.find((c) => c.name === name);
    if (!conn) throw misuse(`initiate: no connection named "${name}"`);
    const remote = opts.remote ?? (conn.remoteAddress ? { ip: conn.remoteAddress, port: conn.remotePort } : undefined);
    if (!remote) throw misuse(`initiate: connection "${name}" has no remote address`);
    const local = opts.local ?? { ip: conn.localAddress ?? (remote.ip.includes(":") ? "::" : "0.0.0.0"), port: this.config.ports.ike };
    const sa = this.newIkeSa(conn, true, this.newIkeSpi(), new Uint8Array(8), local, remote, now);
    this.log({ level: "info", event: "ike-initiate", sa: saName(sa), peer: addr(remote) });
    this.enqueue(sa, new IkeInitTask(this), now);
    return { ...this.drain(), ikeId: sa.id };
  }

  /** Creates another Child SA under an established IKE SA (CREATE_CHILD_SA, §1.3.1). */
  createChild(ikeId: number, childName: string, now: number): Output {
    const sa = this.ike(ikeId);
    const cfg = sa.conn.children.find((c) => c.name === childName);
    if (!cfg) throw misuse(`createChild: connection "${sa.conn.name}" has no child "${childName}"`);
    this.enqueue(sa, new ChildCreateTask(this, cfg), now);
    return this.drain();
  }

  rekeyChild(childId: number, now: number): Output {
    const { sa, child } = this.child(childId);
    this.enqueue(sa, new ChildRekeyTask(this, child.id, sa), now);
    return this.drain();
  }

  rekeyIke(ikeId: number, now: number): Output {
    const sa = this.ike(ikeId);
    this.enqueue(sa, new IkeRekeyTask(this), now);
    return this.drain();
  }

  deleteChild(childId: number, now: number): Output {
    const { sa, child } = this.child(childId);
    this.enqueue(sa, new ChildDeleteTask(this, child.id), now);
    return this.drain();
  }

  /** Deletes an IKE SA and its Child SAs, telling the peer (INFORMATIONAL Delete, §1.4.1). */
  deleteIke(ikeId: number, now: number): Output {
    const sa = this.ike(ikeId);
    if (sa.state.kind !== "established") {
      this.destroy(sa, "deleted locally before it was established", false);
      return this.drain();
    }
    // A delete goes ahead of anything queued.
    sa.queue.unshift(new IkeDeleteTask(this));
    this.pump(sa, now);
    return this.drain();
  }

  /** An empty INFORMATIONAL: a liveness check (§1.4). The verdict comes as peer-dead or not at all. */
  checkLiveness(ikeId: number, now: number): Output {
    this.enqueue(this.ike(ikeId), new DpdTask(this), now);
    return this.drain();
  }

  /** Deletes every IKE SA (graceful shutdown). */
  closeAll(now: number): Output {
    for (const sa of [...this.byId.values()]) {
      this.touch(sa);
      if (sa.state.kind === "established") { sa.queue.length = 0; sa.queue.unshift(new IkeDeleteTask(this)); if (!sa.outstanding) this.pump(sa, now); }
      else if (sa.state.kind !== "deleting" && sa.state.kind !== "rekeyed") this.destroy(sa, "shutdown", false);
    }
    return this.drain();
  }

  // ---------------------------------------------------------------- status

  ikeSas(): IkeSaInfo[] { return [...this.byId.values()].filter((s) => s.state.kind === "established").map((s) => this.ikeInfo(s)); }
  childSas(): ChildSaInfo[] {
    const out: ChildSaInfo[] = [];
    for (const s of this.byId.values()) for (const c of s.children.values()) out.push(this.childInfo(s, c));
    return out;
  }
  /** One IKE SA by id (any state), or undefined: O(1), for hosts that follow events. */
  ikeSa(id: number): IkeSaInfo | undefined { const s = this.byId.get(id); return s ? this.ikeInfo(s) : undefined; }
  /** IKE SAs in any state (for leak checks). */
  get ikeCount(): number { return this.byId.size; }
  get halfOpenCount(): number { return this.halfOpen.size; }
  get childCount(): number { let n = 0; for (const s of this.byId.values()) n += s.children.size; return n; }
  /** The IKE SA that holds a Child SA. */
  ikeOfChild(childId: number): number | undefined { for (const s of this.byId.values()) if (s.children.has(childId)) return s.id; return undefined; }

  // ---------------------------------------------------------------- internals used by tasks/responder

  /** @internal */
  log(rec: LogRecord): void { this.logger?.(rec); }
  /** @internal */
  emit(e: EngineEvent): void { this.out.events.push(e); }

  /** @internal */
  newIkeSpi(): Uint8Array {
    for (;;) {
      const spi = this.crypto.random(8);
      if (spi.some((b) => b !== 0) && !this.bySpi.has(hex(spi))) return spi;
    }
  }

  /** @internal A fresh inbound ESP SPI, unique among ours (RFC 4303 §2.1: not 0, and 1-255 are reserved). */
  newChildSpi(): number {
    for (;;) {
      const b = this.crypto.random(4);
      const spi = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      if (spi > 255 && !this.childSpis.has(spi)) { this.childSpis.add(spi); return spi; }
    }
  }
  /** @internal */
  releaseChildSpi(spi: number): void { this.childSpis.delete(spi); }

  /** @internal */
  nextChildIdValue(): number { return this.nextChildId++; }

  /** @internal Uniform jitter in [0,1) from the injected random source. */
  jitter(): number {
    const b = this.crypto.random(4);
    return (((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0) / 2 ** 32;
  }

  /** @internal */
  newIkeSa(conn: ConnectionConfig, initiator: boolean, spiI: Uint8Array, spiR: Uint8Array, local: Address, remote: Address, now: number): IkeSa {
    const sa: IkeSa = {
      id: this.nextId++, conn, initiator, spiI, spiR, local, remote, natLocal: false, natRemote: false,
      peerFragmentation: false, peerChildless: false,
      state: { kind: "init-sent", ni: new Uint8Array(0), share: undefined as never, offered: [], keRetries: 0 },
      nextOwnId: 0, nextPeerId: 0, queue: [], children: new Map(), createdAt: now, establishedAt: 0,
      rekeyAt: Infinity, deleteAt: Infinity, dpdAt: Infinity, lastHeard: now, peerChildRekeys: new Map(),
      timer: deadlineEntry(undefined as unknown as IkeSa), initKey: undefined, peerKey: undefined,
    };
    sa.timer.owner = sa;
    this.byId.set(sa.id, sa);
    this.touch(sa);
    this.bySpi.set(hex(initiator ? spiI : spiR), sa);
    return sa;
  }

  /** @internal A responder's SA has answered IKE_SA_INIT: half-open, and indexed for retransmits of the request. */
  indexInit(sa: IkeSa, remote: Address): void {
    sa.initKey = hex(sa.spiI) + "/" + addr(remote);
    this.initIndex.set(sa.initKey, sa);
    if (sa.state.kind === "half-open") this.halfOpen.add(sa);
  }

  /** @internal Records the peer's authenticated identity; a responder's SA is indexed by it for INITIAL_CONTACT. */
  setPeerId(sa: IkeSa, id: { type: number; data: Uint8Array }): void {
    sa.peerId = id;
    this.unindexPeer(sa);
    if (sa.initiator || !this.byId.has(sa.id)) return;
    sa.peerKey = this.peerKey(sa.conn, id);
    let set = this.byPeer.get(sa.peerKey);
    if (!set) this.byPeer.set(sa.peerKey, set = new Set());
    set.add(sa);
  }

  /** @internal Other responder SAs of `sa`'s connection with its peer identity (INITIAL_CONTACT, §2.4), oldest first. */
  samePeer(sa: IkeSa): IkeSa[] {
    if (!sa.peerId) return [];
    const set = this.byPeer.get(this.peerKey(sa.conn, sa.peerId));
    if (!set) return [];
    const out: IkeSa[] = [];
    for (const o of set) if (o !== sa && o.conn === sa.conn && o.peerId && identityEquals(o.peerId, sa.peerId)) out.push(o);
    return out.sort((x, y) => x.id - y.id);
  }

  private peerKey(conn: ConnectionConfig, id: { type: number; data: Uint8Array }): string {
    let n = this.connIds.get(conn);
    if (n === undefined) this.connIds.set(conn, n = this.connIds.size);
    return `${n}/${id.type}/${hex(id.data)}`;
  }

  private unindexPeer(sa: IkeSa): void {
    if (sa.peerKey === undefined) return;
    const set = this.byPeer.get(sa.peerKey);
    if (set) { set.delete(sa); if (set.size === 0) this.byPeer.delete(sa.peerKey); }
    sa.peerKey = undefined;
  }

  /** @internal */
  lookupInit(spiI: Uint8Array, remote: Address): IkeSa | undefined { return this.initIndex.get(hex(spiI) + "/" + addr(remote)); }

  /** @internal */
  ikeById(id: number): IkeSa | undefined { const sa = this.byId.get(id); if (sa) this.touch(sa); return sa; }

  /** @internal Installs message protection for an IKE SA from its keys. */
  makeCrypto(sa: IkeSa, chosen: IkeCrypto["chosen"], suite: IkeCrypto["suite"], keys: IkeCrypto["keys"]): IkeCrypto {
    const mine = sa.initiator
      ? { encr: suite.encr, encrKey: keys.sk_ei, integ: suite.integ, integKey: keys.sk_ai }
      : { encr: suite.encr, encrKey: keys.sk_er, integ: suite.integ, integKey: keys.sk_ar };
    const theirs = sa.initiator
      ? { encr: suite.encr, encrKey: keys.sk_er, integ: suite.integ, integKey: keys.sk_ar }
      : { encr: suite.encr, encrKey: keys.sk_ei, integ: suite.integ, integKey: keys.sk_ai };
    const c: IkeCrypto = {
      chosen, suite, keys,
      sealer: new SkSealer(mine, (b) => this.crypto.randomInto(b)),
      opener: new SkOpener(theirs),
      reassembler: new FragmentReassembler(DEFAULT_REASSEMBLY_LIMITS),
    };
    if (this.config.keyLog) this.emit({ type: "keylog", format: "ikev2_decryption_table", line: keylogIke(sa.spiI, sa.spiR, chosen, keys) });
    return c;
  }

  /** @internal Marks an IKE SA established: timers, event. */
  established(sa: IkeSa, now: number, rekeyOf?: number): void {
    this.touch(sa);
    this.halfOpen.delete(sa);
    sa.establishedAt = now;
    const c = sa.conn;
    sa.rekeyAt = c.ikeRekeyMs > 0 ? now + c.ikeRekeyMs * (1 - c.ikeJitter * this.jitter()) : Infinity;
    sa.deleteAt = c.ikeRekeyMs > 0 ? now + c.ikeLifeMs : Infinity;
    sa.dpdAt = c.dpdMs > 0 ? now + c.dpdMs : Infinity;
    sa.lastHeard = now;
    const info = this.ikeInfo(sa);
    if (rekeyOf !== undefined) this.emit({ type: "ike-rekeyed", oldId: rekeyOf, ike: info });
    else this.emit({ type: "ike-up", ike: info });
    this.log({ level: "info", event: rekeyOf !== undefined ? "ike-rekeyed" : "ike-up", sa: saName(sa), peer: addr(sa.remote), suite: info.suite, ...(rekeyOf !== undefined ? { replaces: rekeyOf } : {}) });
  }

  /** @internal Installs a Child SA: timers, SPI bookkeeping, event with keys. */
  installChild(sa: IkeSa, child: ChildSa, now: number, rekeyOf?: number): void {
    this.touch(sa);
    const cfg = child.config;
    child.establishedAt = now;
    child.rekeyAt = cfg.rekeyMs > 0 ? now + cfg.rekeyMs * (1 - cfg.jitter * this.jitter()) : Infinity;
    child.deleteAt = cfg.rekeyMs > 0 ? now + cfg.lifeMs : Infinity;
    sa.children.set(child.id, child);
    const info = this.childInfo(sa, child);
    const k = child.keys;
    const inbound = child.createdAsInitiator ? { e: k.encrR, i: k.integR } : { e: k.encrI, i: k.integI };
    const outbound = child.createdAsInitiator ? { e: k.encrI, i: k.integI } : { e: k.encrR, i: k.integR };
    this.emit({
      type: "child-up", child: info, rekeyOf,
      keys: { encr: child.chosen.encr, integ: child.chosen.integ ?? 0, esn: child.chosen.esn === 1, spiIn: child.spiIn, spiOut: child.spiOut,
        encrKeyIn: inbound.e, integKeyIn: inbound.i, encrKeyOut: outbound.e, integKeyOut: outbound.i },
    });
    if (this.config.keyLog) {
      for (const line of keylogChild(sa, child, inbound, outbound)) this.emit({ type: "keylog", format: "esp_sa", line });
    }
    this.log({ level: "info", event: rekeyOf !== undefined ? "child-rekeyed" : "child-up", sa: childName(child), peer: addr(sa.remote), suite: info.suite, ts: `${info.ts.local.join(",")} === ${info.ts.remote.join(",")}`, ...(rekeyOf !== undefined ? { replaces: rekeyOf } : {}) });
  }

  /** @internal Removes a Child SA. */
  removeChild(sa: IkeSa, child: ChildSa, reason: string, byPeer: boolean, quiet = false): void {
    this.touch(sa);
    if (!sa.children.delete(child.id)) return;
    this.releaseChildSpi(child.spiIn);
    if (!quiet) {
      this.emit({ type: "child-down", id: child.id, ikeId: sa.id, name: child.config.name, spiIn: child.spiIn, spiOut: child.spiOut, reason, byPeer });
      this.log({ level: "info", event: "child-down", sa: childName(child), peer: addr(sa.remote), reason });
    }
  }

  /** @internal Removes an IKE SA and all its Child SAs, with nothing left behind. */
  destroy(sa: IkeSa, reason: string, byPeer: boolean, opts: { quiet?: boolean; keepChildren?: boolean } = {}): void {
    if (!this.byId.delete(sa.id)) return;
    this.bySpi.delete(hex(sa.initiator ? sa.spiI : sa.spiR));
    if (sa.initKey !== undefined && this.initIndex.get(sa.initKey) === sa) this.initIndex.delete(sa.initKey);
    this.halfOpen.delete(sa);
    this.unindexPeer(sa);
    this.timers.remove(sa.timer);
    this.dirty.delete(sa);
    if (!opts.keepChildren) for (const c of [...sa.children.values()]) this.removeChild(sa, c, reason, byPeer, opts.quiet);
    sa.children.clear();
    if (sa.state.kind !== "init-sent") { sa.state.sk.sealer.dispose(); sa.state.sk.opener.dispose(); }
    else sa.state.share?.dispose();
    sa.queue.length = 0;
    sa.outstanding = undefined;
    sa.lastResponse = undefined;
    if (!opts.quiet) {
      this.emit({ type: "ike-down", id: sa.id, name: sa.conn.name, reason, byPeer });
      this.log({ level: "info", event: "ike-down", sa: saName(sa), peer: addr(sa.remote), reason });
    }
  }

  /** @internal Queues an exchange and starts it if the SA is idle. */
  enqueue(sa: IkeSa, task: Task, now: number): void {
    sa.queue.push(task);
    this.pump(sa, now);
  }

  /** @internal Starts the next queued exchange when none is outstanding (window 1, §2.3). */
  pump(sa: IkeSa, now: number): void {
    this.touch(sa);
    while (!sa.outstanding && sa.queue.length > 0 && this.byId.has(sa.id)) {
      const task = sa.queue.shift()!;
      let payloads: Payload[] | null;
      try {
        payloads = task.build(sa, now);
      } catch (e) {
        this.log({ level: "warn", event: "exchange-not-started", sa: saName(sa), task: task.name, reason: e instanceof Error ? e.message : String(e) });
        continue;
      }
      if (!payloads) continue;
      this.sendRequest(sa, task, payloads, now);
    }
  }

  /** @internal Encodes, protects and sends a request; arms its retransmission. */
  sendRequest(sa: IkeSa, task: Task, payloads: Payload[], now: number): void {
    const messageId = task.exchangeType === ExchangeType.IKE_SA_INIT ? 0 : sa.nextOwnId;
    const header = { spiI: sa.spiI, spiR: sa.spiR, exchangeType: task.exchangeType, initiator: sa.initiator, response: false, messageId };
    const datagrams = task.exchangeType === ExchangeType.IKE_SA_INIT ? [encodePlain(header, payloads)] : this.protect(sa, header, payloads);
    if (task.exchangeType !== ExchangeType.IKE_SA_INIT) sa.nextOwnId++;
    else { sa.nextOwnId = 1; sa.lastSentInit = datagrams[0]; }
    sa.outstanding = { messageId, exchangeType: task.exchangeType, datagrams, retries: 0, nextAt: now + this.config.retransmit.timeoutMs, task };
    this.transmit(sa, datagrams);
  }

  /** @internal The bytes of the IKE_SA_INIT request as sent (for AUTH, §2.15). */
  lastRequestBytes(sa: IkeSa): Uint8Array | undefined { return sa.outstanding?.datagrams[0]; }

  /** @internal Protects a message with SK, or SKF fragments when it is too large and the peer supports RFC 7383. */
  protect(sa: IkeSa, header: { spiI: Uint8Array; spiR: Uint8Array; exchangeType: number; initiator: boolean; response: boolean; messageId: number }, payloads: Payload[]): Uint8Array[] {
    const c = sk(sa);
    const inner = encodeInner(payloads);
    const limit = this.fragmentLimit(sa);
    if (limit > 0 && sa.peerFragmentation && 28 + c.sealer.overhead(inner.bytes.length) + inner.bytes.length > limit && header.exchangeType !== ExchangeType.IKE_SA_INIT) {
      return sealFragments(c.sealer, encodePrefix(header, PayloadType.SKF as 53), inner.first, inner.bytes, limit);
    }
    return [c.sealer.seal(encodePrefix(header, PayloadType.SK as 46), inner.first, inner.bytes)];
  }

  private fragmentLimit(sa: IkeSa): number {
    if (this.config.fragmentSize <= 0) return 0;
    const ipUdp = (sa.remote.ip.includes(":") ? 40 : 20) + 8 + (sa.local.port === this.config.ports.natt ? 4 : 0);
    return this.config.fragmentSize - ipUdp;
  }

  /** @internal */
  transmit(sa: IkeSa, datagrams: Uint8Array[]): void {
    for (const data of datagrams) {
      this.out.datagrams.push({ local: { ...sa.local }, remote: { ...sa.remote }, data });
      this.counters.sent++;
    }
  }

  /** @internal Sends an unprotected message to an address (IKE_SA_INIT responses, stateless errors). */
  transmitTo(local: Address, remote: Address, data: Uint8Array): void {
    this.out.datagrams.push({ local: { ...local }, remote: { ...remote }, data });
    this.counters.sent++;
  }

  /** @internal Switches to the NAT-T port (§2.23) after NAT detection. */
  floatToNatt(sa: IkeSa): void {
    if (sa.local.port === this.config.ports.natt) return;
    sa.local = { ip: sa.local.ip, port: this.config.ports.natt };
    sa.remote = { ip: sa.remote.ip, port: sa.initiator ? (sa.conn.remoteNattPort ?? 4500) : sa.remote.port };
  }

  // ---------------------------------------------------------------- receive path

  private dispatch(dg: Datagram, now: number): void {
    const outer = decodeOuter(dg.data);
    const h = outer.header;
    if (h.exchangeType === ExchangeType.IKE_SA_INIT && !h.response) {
      respondInit(this, dg, outer, now);
      return;
    }
    // Our SPI: the responder's when we are the responder (the peer set the I flag), else the initiator's.
    const ourSpi = h.initiator ? h.spiR : h.spiI;
    const sa = this.bySpi.get(hex(ourSpi));
    if (!sa || (h.initiator === sa.initiator)) {
      this.counters.unknownSpi++;
      this.log({ level: "debug", event: "unknown-spi", peer: addr(dg.remote), reason: `no IKE SA with SPI ${hex(ourSpi)} for ${exchangeName(h.exchangeType)}` });
      return;
    }
    this.touch(sa);
    if (h.exchangeType === ExchangeType.IKE_SA_INIT) {
      // IKE_SA_INIT response.
      const t = sa.outstanding;
      if (!t || t.exchangeType !== ExchangeType.IKE_SA_INIT || sa.state.kind !== "init-sent") { this.counters.duplicatesDropped++; return; }
      checkRules(h.exchangeType, true, outer.payloads, false);
      this.completeRequest(sa, outer.payloads, now, { header: h, dg, bodies: [] });
      return;
    }
    if (!outer.protected || sa.state.kind === "init-sent") {
      this.counters.parseErrors++;
      this.log({ level: "warn", event: "unprotected-message-dropped", sa: saName(sa), peer: addr(dg.remote), reason: `${exchangeName(h.exchangeType)} without an Encrypted payload` });
      return;
    }
    // Message ID window (§2.3): requests must be the next expected (or the previous, a retransmit);
    // responses must answer our outstanding request.
    if (h.response) {
      if (!sa.outstanding || sa.outstanding.messageId !== h.messageId) { this.counters.outOfWindow++; return; }
    } else {
      if (sa.lastResponse && h.messageId === sa.lastResponse.messageId) {
        // A retransmitted request: the cached response answers it, once integrity is checked (§2.1).
        if (this.openProtected(sa, dg, outer, now) === undefined) return;
        this.counters.retransmitsAnswered++;
        this.transmitResponseTo(sa, dg, sa.lastResponse.datagrams);
        return;
      }
      if (h.messageId !== sa.nextPeerId) { this.counters.outOfWindow++; return; }
    }
    const opened = this.openProtected(sa, dg, outer, now);
    if (opened === undefined || opened === "pending") return;
    sa.lastHeard = now;
    if (sa.conn.dpdMs > 0) sa.dpdAt = now + sa.conn.dpdMs;
    // §2.23: once the peer has moved to the NAT-T port, our messages go there too, from our NAT-T port
    // (with the non-ESP marker the host adds), whoever starts the exchange.
    if (dg.local.port === this.config.ports.natt && sa.local.port !== this.config.ports.natt) {
      sa.local = { ip: sa.local.ip, port: this.config.ports.natt };
      sa.remote = { ...dg.remote };
    }
    // The peer's address may change behind a NAT (§2.23): follow authenticated messages.
    if ((sa.natLocal || sa.natRemote) && (dg.remote.ip !== sa.remote.ip || dg.remote.port !== sa.remote.port)) {
      this.log({ level: "info", event: "peer-address-changed", sa: saName(sa), peer: addr(dg.remote), reason: `was ${addr(sa.remote)}` });
      sa.remote = { ...dg.remote };
    }
    let inner;
    try {
      inner = decodeInner(opened.firstInner, opened.inner);
      checkRules(h.exchangeType, h.response, inner.payloads, true);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.counters.parseErrors++;
      this.log({ level: "warn", event: "invalid-message", sa: saName(sa), peer: addr(dg.remote), reason: e.message });
      if (!h.response) {
        // §2.21.2: answer an authenticated but malformed request with INVALID_SYNTAX (or the wire error's notify).
        const n = e.notify ?? { type: NotifyType.INVALID_SYNTAX, data: new Uint8Array(0) };
        this.respond(sa, dg, h.exchangeType, h.messageId, [notifyPayload(n.type, n.data)], now);
        if (h.exchangeType === ExchangeType.IKE_AUTH) this.destroy(sa, `invalid IKE_AUTH request: ${e.message}`, true);
      } else if (sa.outstanding) {
        // A malformed response ends the exchange; for IKE_AUTH that ends the SA.
        const task = sa.outstanding.task;
        sa.outstanding = undefined;
        if (task.exchangeType === ExchangeType.IKE_AUTH) this.destroy(sa, `invalid IKE_AUTH response: ${e.message}`, true);
        else this.pump(sa, now);
      }
      return;
    }
    if (h.response) this.completeRequest(sa, inner.payloads, now, { header: h, dg, bodies: inner.bodies });
    else respondRequest(this, sa, { header: h, dg, bodies: inner.bodies }, inner.payloads, now);
  }

  /** Opens SK/SKF; returns undefined when dropped, "pending" while fragments are missing. */
  private openProtected(sa: IkeSa, dg: Datagram, outer: ReturnType<typeof decodeOuter>, now: number): { firstInner: number; inner: Uint8Array } | "pending" | undefined {
    const c = sk(sa);
    const p = outer.protected!;
    const opened = c.opener.open(dg.data, p.offset, p.type);
    if (!opened) {
      this.counters.icvFailures++;
      this.log({ level: "warn", event: "integrity-check-failed", sa: saName(sa), peer: addr(dg.remote), reason: `${exchangeName(outer.header.exchangeType)} message ${outer.header.messageId} failed its integrity check; dropped without reply` });
      return undefined;
    }
    if (p.type === PayloadType.SKF) {
      const r = c.reassembler.add(outer.header.messageId * 2 + (outer.header.response ? 1 : 0), opened, now);
      if (r.kind === "pending") return "pending";
      if (r.kind === "dropped") { this.log({ level: "debug", event: "fragment-dropped", sa: saName(sa), reason: r.reason }); return undefined; }
      return { firstInner: r.firstInner, inner: r.inner };
    }
    return opened;
  }

  /** The response to our outstanding request arrived: hand it to its task, then start the next one. */
  private completeRequest(sa: IkeSa, payloads: Payload[], now: number, rx: Received): void {
    const t = sa.outstanding!;
    sa.outstanding = undefined;
    try {
      t.task.onResponse(sa, payloads, now, rx);
    } catch (e) {
      this.failExchange(sa, t.task, e, now);
    }
    if (this.byId.has(sa.id)) this.pump(sa, now);
  }

  /** @internal An exchange we initiated failed on the response: log and decide what is left. */
  failExchange(sa: IkeSa, task: Task, e: unknown, now: number): void {
    const reason = e instanceof Error ? e.message : String(e);
    const notify = e instanceof EngineError ? e.notify : undefined;
    this.log({ level: "warn", event: "exchange-failed", sa: saName(sa), peer: addr(sa.remote), task: task.name, reason });
    if (task.exchangeType === ExchangeType.IKE_SA_INIT || task.exchangeType === ExchangeType.IKE_AUTH) {
      if (e instanceof EngineError && e.kind === "auth-failed") {
        this.counters.authFailures++;
        this.emit({ type: "auth-failed", id: sa.id, name: sa.conn.name, peer: addr(sa.remote), reason, local: (e as { refusedByUs?: boolean }).refusedByUs === true });
      } else this.emit({ type: "ike-failed", id: sa.id, name: sa.conn.name, peer: addr(sa.remote), reason, notify });
      this.destroy(sa, reason, false, { quiet: true });
      void now;
    }
  }

  /** @internal Sends (and caches) a response to the peer's request. */
  respond(sa: IkeSa, dg: Datagram, exchangeType: number, messageId: number, payloads: Payload[], now: number, requestHash = ""): void {
    this.touch(sa);
    const header = { spiI: sa.spiI, spiR: sa.spiR, exchangeType, initiator: sa.initiator, response: true, messageId };
    const datagrams = this.protect(sa, header, payloads);
    sa.lastResponse = { messageId, datagrams, requestHash };
    sa.nextPeerId = messageId + 1;
    this.transmitResponseTo(sa, dg, datagrams);
    void now;
  }

  /** Responses go back to where the request came from (§2.11), from the port it arrived on. */
  private transmitResponseTo(sa: IkeSa, dg: Datagram, datagrams: Uint8Array[]): void {
    for (const data of datagrams) this.transmitTo(dg.local, dg.remote, data);
    void sa;
  }

  // ---------------------------------------------------------------- timers

  private tickSa(sa: IkeSa, now: number): void {
    const st = sa.state;
    const t = sa.outstanding;
    if (t && now >= t.nextAt) {
      const r = this.config.retransmit;
      if (t.retries >= r.tries) {
        // §2.4: no answer after the whole schedule: the peer is dead; the SA goes, without a Delete.
        sa.outstanding = undefined;
        this.counters.peersDead++;
        this.log({ level: "warn", event: "peer-dead", sa: saName(sa), peer: addr(sa.remote), reason: `no answer to ${exchangeName(t.exchangeType)} after ${t.retries} retransmissions` });
        if (st.kind === "init-sent" || st.kind === "auth-sent") {
          this.emit({ type: "ike-failed", id: sa.id, name: sa.conn.name, peer: addr(sa.remote), reason: `no answer from ${addr(sa.remote)} to ${exchangeName(t.exchangeType)}` });
          t.task.onTimeout?.(sa, now);
          this.destroy(sa, "peer did not answer", false, { quiet: true });
        } else {
          t.task.onTimeout?.(sa, now);
          this.emit({ type: "peer-dead", id: sa.id, name: sa.conn.name, peer: addr(sa.remote) });
          this.destroy(sa, "peer is dead (no answer to retransmissions)", false);
        }
        return;
      }
      t.retries++;
      t.nextAt = now + r.timeoutMs * Math.pow(r.base, t.retries);
      this.counters.retransmitsSent++;
      this.log({ level: "debug", event: "retransmit", sa: saName(sa), peer: addr(sa.remote), exchange: exchangeName(t.exchangeType), attempt: t.retries });
      this.transmit(sa, t.datagrams);
    }
    if (!this.byId.has(sa.id)) return;
    if (st.kind === "half-open" && now >= st.expiresAt) {
      this.counters.halfOpenExpired++;
      this.log({ level: "info", event: "half-open-expired", sa: saName(sa), peer: addr(sa.remote), reason: "no IKE_AUTH within the half-open timeout" });
      this.destroy(sa, "half-open timeout", false, { quiet: true });
      return;
    }
    if (st.kind === "rekeyed" && now >= st.expiresAt) { this.destroy(sa, "rekeyed", false, { quiet: true }); return; }
    if (st.kind !== "init-sent") st.sk.reassembler.expire(now);
    if (st.kind !== "established") return;
    if (now >= sa.deleteAt) {
      this.log({ level: "info", event: "ike-hard-lifetime", sa: saName(sa), peer: addr(sa.remote), reason: "hard lifetime reached" });
      sa.deleteAt = Infinity;
      sa.queue.unshift(new IkeDeleteTask(this));
      this.pump(sa, now);
      return;
    }
    if (now >= sa.rekeyAt && !sa.outstanding) {
      sa.rekeyAt = Infinity;
      this.enqueue(sa, new IkeRekeyTask(this), now);
    }
    for (const c of [...sa.children.values()]) {
      if (c.state.kind === "rekeyed" && now >= c.state.expiresAt) { this.removeChild(sa, c, "rekeyed", false, true); continue; }
      if (now >= c.deleteAt) {
        c.deleteAt = Infinity;
        this.log({ level: "info", event: "child-hard-lifetime", sa: childName(c), reason: "hard lifetime reached" });
        this.enqueue(sa, new ChildDeleteTask(this, c.id, "hard lifetime"), now);
        continue;
      }
      if (c.state.kind === "installed" && now >= c.rekeyAt && !sa.outstanding) {
        c.rekeyAt = Infinity;
        this.enqueue(sa, new ChildRekeyTask(this, c.id, sa), now);
      }
    }
    if (sa.conn.dpdMs > 0 && now >= sa.dpdAt && !sa.outstanding && sa.queue.length === 0) {
      sa.dpdAt = now + sa.conn.dpdMs;
      this.enqueue(sa, new DpdTask(this), now);
    }
  }

  // ---------------------------------------------------------------- helpers

  private drain(): Output {
    this.flush();
    const o = this.out;
    this.out = { datagrams: [], events: [] };
    return o;
  }

  private ike(id: number): IkeSa {
    const sa = this.byId.get(id);
    if (!sa) throw misuse(`no IKE SA with id ${id}`);
    this.touch(sa);
    return sa;
  }

  private child(id: number): { sa: IkeSa; child: ChildSa } {
    for (const sa of this.byId.values()) { const c = sa.children.get(id); if (c) { this.touch(sa); return { sa, child: c }; } }
    throw misuse(`no Child SA with id ${id}`);
  }

  /** Marks an SA whose deadlines the call in progress may change (see dirty). */
  private touch(sa: IkeSa): void { this.dirty.add(sa); }

  /** Recomputes the deadlines of the SAs marked since the last time: each one's place in the timer heap. */
  private flush(): void {
    if (this.dirty.size === 0) return;
    for (const sa of this.dirty) {
      if (this.byId.get(sa.id) === sa) this.timers.set(sa.timer, dueAt(sa));
      else this.timers.remove(sa.timer);
    }
    this.dirty.clear();
  }

  /** @internal */
  ikeInfo(sa: IkeSa): IkeSaInfo {
    const c = sa.state.kind !== "init-sent" ? sa.state.sk.chosen : undefined;
    return {
      id: sa.id, name: sa.conn.name, initiator: sa.initiator, spiI: hex(sa.spiI), spiR: hex(sa.spiR), local: { ...sa.local }, remote: { ...sa.remote },
      localId: formatIdentity(sa.conn.localId), remoteId: sa.peerId ? formatIdentity(sa.peerId) : sa.conn.remoteId ? formatIdentity(sa.conn.remoteId) : "%any",
      suite: c ? formatSuite(c) : "", natLocal: sa.natLocal, natRemote: sa.natRemote, establishedAt: sa.establishedAt,
      rekeyAt: Number.isFinite(sa.rekeyAt) ? sa.rekeyAt : undefined, deleteAt: Number.isFinite(sa.deleteAt) ? sa.deleteAt : undefined,
    };
  }

  /** @internal */
  childInfo(sa: IkeSa, c: ChildSa): ChildSaInfo {
    return {
      id: c.id, ikeId: sa.id, name: c.config.name, spiIn: c.spiIn.toString(16).padStart(8, "0"), spiOut: c.spiOut.toString(16).padStart(8, "0"),
      suite: formatSuite(c.chosen), ts: { local: c.tsLocal.map(formatSelector), remote: c.tsRemote.map(formatSelector) }, establishedAt: c.establishedAt,
      rekeyAt: Number.isFinite(c.rekeyAt) ? c.rekeyAt : undefined, deleteAt: Number.isFinite(c.deleteAt) ? c.deleteAt : undefined,
    };
  }

  /** @internal */
  allSas(): IkeSa[] { return [...this.byId.values()]; }

  /** @internal */
  get cookieJar(): CookieJar { return this.cookies; }
  /** @internal */
  ipBytes(ip: string): Uint8Array { return parseIp(ip) ?? new Uint8Array(4); }
  /** @internal */
  zeroSpi(): Uint8Array { return ZERO_SPI; }
}

/**
 * The earliest time at which tickSa has something to do for this SA (Infinity: nothing): retransmission
 * or give-up, half-open and rekeyed-SA expiry, IKE rekey, DPD, hard lifetime, and per Child SA rekey,
 * expiry of a rekeyed one and hard lifetime; fragment reassembly timeouts.
 */
function dueAt(sa: IkeSa): number {
  let d = Infinity;
  const at = (t: number | undefined) => { if (t !== undefined && t < d) d = t; };
  at(sa.outstanding?.nextAt);
  const st = sa.state;
  if (st.kind === "half-open" || st.kind === "rekeyed") at(st.expiresAt);
  if (st.kind === "established") {
    if (!sa.outstanding) { at(sa.rekeyAt); if (sa.conn.dpdMs > 0) at(sa.dpdAt); }
    at(sa.deleteAt);
    for (const c of sa.children.values()) {
      if (c.state.kind === "installed" && !sa.outstanding) at(c.rekeyAt);
      if (c.state.kind === "rekeyed") at(c.state.expiresAt);
      at(c.deleteAt);
    }
  }
  if (st.kind !== "init-sent") at(st.sk.reassembler.nextDeadline());
  return d;
}

export function addr(a: Address): string { return a.ip.includes(":") ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`; }

export function exchangeName(t: number): string {
  switch (t) {
    case ExchangeType.IKE_SA_INIT: return "IKE_SA_INIT";
    case ExchangeType.IKE_AUTH: return "IKE_AUTH";
    case ExchangeType.CREATE_CHILD_SA: return "CREATE_CHILD_SA";
    case ExchangeType.INFORMATIONAL: return "INFORMATIONAL";
    default: return `exchange ${t}`;
  }
}

/** A Notify payload (§3.10) about the IKE SA (no SPI), or about a Child SA with `spi`. */
export function notifyPayload(notifyType: number, data: Uint8Array = new Uint8Array(0), protocolId = 0, spi: Uint8Array = new Uint8Array(0)): Payload {
  return { type: PayloadType.N, protocolId, spi, notifyType, data } as Payload;
}

export { ProtocolId };

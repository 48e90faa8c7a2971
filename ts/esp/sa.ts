// One ESP SA per direction (RFC 4301 §4.4.2 SAD entry, the parts the data plane needs): keys bound
// once, the sequence number counter or the anti-replay window, counters, and byte/packet lifetimes
// (RFC 4301 §4.4.2.1: soft → rekey, hard → the SA may no longer be used).
//
// Inbound order (RFC 4303 §3.4.3): length check → replay pre-check → ICV (constant time) → window
// update → padding, Next Header. A packet that fails any step is dropped, counted under its reason,
// and never delivered.
import { EspProtection, NEXT_HEADER, getU32, seqHigh, unpad, type EspDirectionKeys } from "./esp.ts";
import { ReplayWindow, DEFAULT_REPLAY_WINDOW } from "./replay.ts";

/** Why a packet was dropped. */
export type DropReason =
  /** Shorter than header + IV + ICV + one block, or ciphertext not whole blocks. */
  | "truncated"
  /** Duplicate, left of the window, or an ESN that cannot be placed (RFC 4303 §3.4.3). */
  | "replay"
  /** The ICV did not verify (RFC 4303 §3.4.4). */
  | "icv"
  /** Pad Length too large or padding not 1, 2, 3, ... (RFC 4303 §2.4). */
  | "padding"
  /** Next Header neither IPv4 (4) nor IPv6 (41), or disagreeing with the inner packet's version. */
  | "next-header"
  /** A dummy packet, Next Header 59 (RFC 4303 §2.6: discarded silently). */
  | "dummy"
  /** The inner packet is not a well-formed IPv4/IPv6 packet. */
  | "malformed-inner"
  /** The inner packet does not match the SA's traffic selectors (RFC 4301 §5.2). */
  | "policy"
  /** The SA reached its hard byte/packet lifetime. */
  | "expired"
  /** Outbound: the 32-bit sequence number would cycle (RFC 4303 §3.3.3): a rekey is needed. */
  | "seq-exhausted"
  /** Inbound: no SA with this SPI (RFC 4303 §3.4.2). */
  | "unknown-spi"
  /** Outbound: no Child SA's selectors cover the packet. */
  | "no-policy";

export const DROP_REASONS: readonly DropReason[] = [
  "truncated", "replay", "icv", "padding", "next-header", "dummy", "malformed-inner", "policy", "expired", "seq-exhausted", "unknown-spi", "no-policy",
];

export type DropCounters = Record<DropReason, number>;
export function newDropCounters(): DropCounters {
  const c = {} as DropCounters;
  for (const r of DROP_REASONS) c[r] = 0;
  return c;
}

/** Byte and packet lifetimes of one SA (RFC 4301 §4.4.2.1). Absent or 0: no limit. Bytes are inner packet bytes. */
export interface EspLifetime {
  softBytes?: number;
  hardBytes?: number;
  softPackets?: number;
  hardPackets?: number;
}

/** What crossing a lifetime means for the caller: start a rekey, or the SA is dead. */
export type LifetimeSignal = "rekey-needed" | "expired";

export interface SaCounters {
  packets: number;
  bytes: number;
  drops: DropCounters;
}

/** RFC 4303 §3.3.3: without ESN the counter must not cycle; 2^32 - 1 is the last number sent. */
export const MAX_SEQ_32 = 0xffff_ffff;
/** With ESN we stop where JS numbers stop being exact (see replay.ts). */
export const MAX_SEQ_64 = Number.MAX_SAFE_INTEGER;
/** Ask for a rekey this many packets before the sequence number runs out. */
export const SEQ_SOFT_MARGIN = 0x10_0000;

class Lifetime {
  private softFired = false;
  private hardFired = false;
  constructor(private readonly l: EspLifetime) {}

  get expired(): boolean { return this.hardFired; }

  /** Called after counting a packet: the signal crossing a limit produces, once each. */
  after(c: SaCounters): LifetimeSignal | undefined {
    const l = this.l;
    if (!this.hardFired && ((l.hardBytes && c.bytes >= l.hardBytes) || (l.hardPackets && c.packets >= l.hardPackets))) {
      this.hardFired = true; this.softFired = true;
      return "expired";
    }
    if (!this.softFired && ((l.softBytes && c.bytes >= l.softBytes) || (l.softPackets && c.packets >= l.softPackets))) {
      this.softFired = true;
      return "rekey-needed";
    }
    return undefined;
  }

  /** Fires the soft signal for a reason other than the counters (sequence number space). */
  soft(): LifetimeSignal | undefined {
    if (this.softFired) return undefined;
    this.softFired = true;
    return "rekey-needed";
  }
}

export type EncapResult =
  | { ok: true; packet: Uint8Array; seq: number; signal?: LifetimeSignal }
  | { ok: false; reason: DropReason; signal?: LifetimeSignal };

export type DecapResult =
  | { ok: true; inner: Uint8Array; nextHeader: number; seq: number; signal?: LifetimeSignal }
  | { ok: false; reason: DropReason; signal?: LifetimeSignal };

export interface OutboundSaOptions {
  spi: number;
  esn: boolean;
  keys: EspDirectionKeys;
  /** Fills an IV for AES-CBC (RFC 3602 §2.3: unpredictable): the CryptoProvider's randomInto. */
  random: (out: Uint8Array) => void;
  lifetime?: EspLifetime;
  /** The sequence number of the last packet sent (tests start near a wrap); default 0. */
  initialSeq?: number;
}

/** The sending half of a Child SA. */
export class OutboundSa {
  readonly spi: number;
  readonly esn: boolean;
  readonly counters: SaCounters = { packets: 0, bytes: 0, drops: newDropCounters() };
  private readonly prot: EspProtection;
  private readonly random: (out: Uint8Array) => void;
  private readonly life: Lifetime;
  private seq: number;
  private readonly maxSeq: number;
  /** Reused per packet: seal() copies the IV into the packet before returning. */
  private readonly iv: Uint8Array;

  constructor(o: OutboundSaOptions) {
    this.spi = o.spi >>> 0;
    this.esn = o.esn;
    this.prot = new EspProtection(o.keys);
    this.random = o.random;
    this.life = new Lifetime(o.lifetime ?? {});
    this.seq = o.initialSeq ?? 0;
    this.maxSeq = o.esn ? MAX_SEQ_64 : MAX_SEQ_32;
    this.iv = new Uint8Array(this.prot.ivLen);
  }

  /** The sequence number of the last packet sent. */
  get lastSeq(): number { return this.seq; }
  get expired(): boolean { return this.life.expired; }
  /** ESP bytes `payloadLen` bytes of inner packet become (without UDP/IP). */
  packetLength(payloadLen: number): number { return this.prot.packetLength(payloadLen); }

  /**
   * Encapsulates one inner packet (Next Header 4 or 41, from its version nibble unless given).
   * Refuses, counted, when the SA expired or its sequence numbers ran out.
   */
  encapsulate(inner: Uint8Array, nextHeader?: number): EncapResult {
    if (this.life.expired) return this.drop("expired");
    if (this.seq >= this.maxSeq) return this.drop("seq-exhausted", this.life.soft());
    const nh = nextHeader ?? (inner.length > 0 && inner[0] >> 4 === 6 ? NEXT_HEADER.IPV6 : NEXT_HEADER.IPV4);
    const seq = ++this.seq;
    const iv = this.iv;
    if (this.prot.aead) {
      // RFC 4106 §3.1: the IV must not repeat under one key; the 64-bit sequence number never does.
      const hi = seqHigh(seq), lo = seq % 0x1_0000_0000;
      iv[0] = hi >>> 24; iv[1] = (hi >>> 16) & 0xff; iv[2] = (hi >>> 8) & 0xff; iv[3] = hi & 0xff;
      iv[4] = lo >>> 24; iv[5] = (lo >>> 16) & 0xff; iv[6] = (lo >>> 8) & 0xff; iv[7] = lo & 0xff;
    } else {
      this.random(iv);
    }
    const packet = this.prot.seal(this.spi, seq, this.esn, iv, inner, nh);
    this.counters.packets++;
    this.counters.bytes += inner.length;
    let signal = this.life.after(this.counters);
    if (!signal && this.seq >= this.maxSeq - SEQ_SOFT_MARGIN) signal = this.life.soft();
    return signal ? { ok: true, packet, seq, signal } : { ok: true, packet, seq };
  }

  /** Seals with a given sequence number and IV, leaving the counter alone (known-answer tests). */
  sealWith(seq: number, iv: Uint8Array, inner: Uint8Array, nextHeader: number): Uint8Array {
    return this.prot.seal(this.spi, seq, this.esn, iv, inner, nextHeader);
  }

  private drop(reason: DropReason, signal?: LifetimeSignal): EncapResult {
    this.counters.drops[reason]++;
    return signal ? { ok: false, reason, signal } : { ok: false, reason };
  }

  dispose(): void { this.prot.dispose(); }
}

export interface InboundSaOptions {
  spi: number;
  esn: boolean;
  keys: EspDirectionKeys;
  lifetime?: EspLifetime;
  /** Anti-replay window size in packets (multiple of 32); default 1024. */
  replayWindow?: number;
  /** Treat this sequence number as the highest already received (tests start near a wrap); default 0. */
  initialTop?: number;
}

/** The receiving half of a Child SA. */
export class InboundSa {
  readonly spi: number;
  readonly esn: boolean;
  readonly counters: SaCounters = { packets: 0, bytes: 0, drops: newDropCounters() };
  readonly window: ReplayWindow;
  private readonly prot: EspProtection;
  private readonly life: Lifetime;

  constructor(o: InboundSaOptions) {
    this.spi = o.spi >>> 0;
    this.esn = o.esn;
    this.prot = new EspProtection(o.keys);
    this.life = new Lifetime(o.lifetime ?? {});
    this.window = new ReplayWindow(o.replayWindow ?? DEFAULT_REPLAY_WINDOW);
    if (o.initialTop) this.window.update(o.initialTop);
  }

  get expired(): boolean { return this.life.expired; }

  /** Counts a drop decided outside (the table's inbound policy check). */
  countDrop(reason: DropReason): void { this.counters.drops[reason]++; }

  /**
   * Authenticates, replay-checks and decrypts one ESP packet addressed to this SA (the caller found
   * it by SPI). Returns the inner packet, or the reason it was dropped.
   */
  decapsulate(packet: Uint8Array): DecapResult {
    if (this.life.expired) return this.drop("expired");
    if (!this.prot.lengthOk(packet.length)) return this.drop("truncated");
    const lo = getU32(packet, 4);
    // RFC 4303 §3.4.3, Appendix A2: place the number (inferring the high half with ESN), then the
    // pre-check, so that duplicates and old packets cost no crypto.
    const seq = this.esn ? this.window.inferEsn(lo) : lo;
    if (seq < 0 || !this.window.check(seq)) return this.drop("replay");
    const plain = this.prot.open(packet, seq, this.esn);
    if (typeof plain === "string") return this.drop(plain);
    // Only an authenticated packet moves the window (§3.4.3).
    this.window.update(seq);
    const u = unpad(plain);
    if (u === "padding") return this.drop("padding");
    if (u.nextHeader === NEXT_HEADER.NO_NEXT_HEADER) return this.drop("dummy");
    const version = u.payload.length > 0 ? u.payload[0] >> 4 : 0;
    if (!((u.nextHeader === NEXT_HEADER.IPV4 && version === 4) || (u.nextHeader === NEXT_HEADER.IPV6 && version === 6))) return this.drop("next-header");
    this.counters.packets++;
    this.counters.bytes += u.payload.length;
    const signal = this.life.after(this.counters);
    return signal ? { ok: true, inner: u.payload, nextHeader: u.nextHeader, seq, signal } : { ok: true, inner: u.payload, nextHeader: u.nextHeader, seq };
  }

  private drop(reason: DropReason): DecapResult {
    this.counters.drops[reason]++;
    return { ok: false, reason };
  }

  dispose(): void { this.prot.dispose(); }
}

// Message protection: the Encrypted payload SK (RFC 7296 §3.14, RFC 5282 for AEAD) and the Encrypted
// Fragment payload SKF (RFC 7383 §2.5). Works on bytes: the caller encodes the IKE header and any
// cleartext payloads before SK (the "prefix", whose last Next Payload field already says 46 or 53) and
// the inner payload chain; this module adds the SK/SKF payload, encrypts, computes the ICV and patches
// the IKE header's Length field. On receipt, the ICV is checked in constant time before anything inside
// is parsed; a failed check returns null and is counted.
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Next Payload  |C|  RESERVED   |         Payload Length        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  (SKF only:)   Fragment Number  |        Total Fragments      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     Initialization Vector                     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                    Encrypted IKE Payloads                     ~
// +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |               |             Padding (0-255 octets)            |
// +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
// |                                               |  Pad Length   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                    Integrity Checksum Data                    ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { CryptoError, wipe } from "./errors.ts";
import type { Encr, Integ, KeyedAead, KeyedCipher, KeyedInteg, RandomSource } from "./types.ts";

/** RFC 7296 §3.1: the fixed IKE header is 28 octets; Length is at offset 24. */
export const IKE_HEADER_LEN = 28;
export const PAYLOAD_SK = 46;
export const PAYLOAD_SKF = 53;

function putU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24; b[off + 1] = (v >>> 16) & 0xff; b[off + 2] = (v >>> 8) & 0xff; b[off + 3] = v & 0xff;
}
function getU16(b: Uint8Array, off: number): number { return (b[off] << 8) | b[off + 1]; }
function getU32(b: Uint8Array, off: number): number { return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0; }

/** Keys and algorithms for one direction of an IKE SA (SK_ei/SK_ai or SK_er/SK_ar). */
export interface SkDirectionKeys {
  encr: Encr;
  encrKey: Uint8Array;
  integ?: Integ;
  integKey?: Uint8Array;
}

/** Fragment identity carried by SKF (RFC 7383 §2.5). */
export interface FragmentInfo { number: number; total: number }

/** The result of opening an SK or SKF payload. */
export interface Opened {
  /** The Next Payload field of SK/SKF: the type of the first inner payload (0 in SKF fragments after the first). */
  firstInner: number;
  /** The decrypted inner payload chain (padding and Pad Length removed). */
  inner: Uint8Array;
  fragment?: FragmentInfo;
}

/** Protects outgoing messages for one direction. GCM IVs come from a 64-bit counter (unique per key). */
export class SkSealer {
  private readonly cipher: KeyedCipher | null;
  private readonly aead: KeyedAead | null;
  private readonly mac: KeyedInteg | null;
  private counter = 0n;
  readonly ivLen: number;
  readonly icvLen: number;
  readonly blockSize: number;

  constructor(keys: SkDirectionKeys, private readonly random: RandomSource) {
    const e = keys.encr;
    if (keys.encrKey.length !== e.keyMaterialLen) throw new CryptoError("INVALID_KEY_LENGTH", "sk.seal", `${e.name} key material must be ${e.keyMaterialLen} bytes, got ${keys.encrKey.length}`);
    if (e.aead) {
      this.aead = e.withKey(keys.encrKey); this.cipher = null; this.mac = null;
      this.icvLen = e.icvLen; this.blockSize = 1;
    } else {
      if (!keys.integ || !keys.integKey) throw new CryptoError("INVALID_ARGUMENT", "sk.seal", `${e.name} needs an integrity transform and key`);
      this.cipher = e.withKey(keys.encrKey); this.aead = null; this.mac = keys.integ.withKey(keys.integKey);
      this.icvLen = keys.integ.icvLen; this.blockSize = e.blockSize;
    }
    this.ivLen = e.ivLen;
  }

  /** Bytes the SK payload adds around `innerLen` bytes of payloads (header, IV, padding, pad length, ICV). */
  overhead(innerLen: number, fragment = false): number {
    const body = innerLen + 1;
    const pad = (this.blockSize - (body % this.blockSize)) % this.blockSize;
    return 4 + (fragment ? 4 : 0) + this.ivLen + pad + 1 + this.icvLen;
  }

  /** Builds prefix || SK{inner}; patches the IKE header Length. `prefix` starts with the 28-octet IKE header. */
  seal(prefix: Uint8Array, firstInner: number, inner: Uint8Array): Uint8Array {
    return this.build(prefix, firstInner, inner, undefined);
  }

  /** Builds prefix || SKF{chunk} for fragment `number` of `total` (RFC 7383 §2.5). */
  sealFragment(prefix: Uint8Array, firstInner: number, chunk: Uint8Array, number: number, total: number): Uint8Array {
    if (number < 1 || number > total || total > 0xffff) throw new CryptoError("INVALID_ARGUMENT", "sk.sealFragment", `fragment ${number} of ${total} is out of range`);
    return this.build(prefix, number === 1 ? firstInner : 0, chunk, { number, total });
  }

  private nextIv(): Uint8Array {
    const iv = new Uint8Array(this.ivLen);
    if (this.aead) {
      // RFC 5282 §3.1 / RFC 4106 §3.1: the IV must never repeat under one key; a counter guarantees it.
      this.counter++;
      let c = this.counter;
      for (let i = 7; i >= 0; i--) { iv[i] = Number(c & 0xffn); c >>= 8n; }
    } else {
      // RFC 7296 §3.14: for CBC the IV MUST be unpredictable: fresh random bytes.
      this.random(iv);
    }
    return iv;
  }

  private build(prefix: Uint8Array, nextPayload: number, inner: Uint8Array, frag: FragmentInfo | undefined): Uint8Array {
    const fn = frag ? "sk.sealFragment" : "sk.seal";
    if (prefix.length < IKE_HEADER_LEN) throw new CryptoError("INVALID_ARGUMENT", fn, "prefix must start with the 28-octet IKE header");
    const body = inner.length + 1;
    const padLen = (this.blockSize - (body % this.blockSize)) % this.blockSize;
    const plainLen = inner.length + padLen + 1;
    const hdrLen = frag ? 8 : 4;
    const payloadLen = hdrLen + this.ivLen + plainLen + this.icvLen;
    if (payloadLen > 0xffff) throw new CryptoError("INVALID_INPUT_LENGTH", fn, `SK payload of ${payloadLen} bytes exceeds 65535`);
    const total = prefix.length + payloadLen;
    const out = new Uint8Array(total);
    out.set(prefix, 0);
    putU32(out, 24, total);
    let o = prefix.length;
    out[o] = nextPayload; out[o + 1] = 0; out[o + 2] = payloadLen >>> 8; out[o + 3] = payloadLen & 0xff;
    if (frag) { out[o + 4] = frag.number >>> 8; out[o + 5] = frag.number & 0xff; out[o + 6] = frag.total >>> 8; out[o + 7] = frag.total & 0xff; }
    o += hdrLen;
    const aadEnd = o;
    const iv = this.nextIv();
    out.set(iv, o);
    o += this.ivLen;
    const plain = new Uint8Array(plainLen);
    plain.set(inner, 0);
    // Padding content is ours to choose (§3.14): zeros. Pad Length is the last plaintext octet.
    plain[plainLen - 1] = padLen;
    if (this.aead) {
      // RFC 5282 §5.1: AAD = IKE header through the SK (or SKF, RFC 7383 §2.5) payload header.
      this.aead.sealInto(iv, out.subarray(0, aadEnd), plain, out, o);
    } else {
      this.cipher!.encryptInto(iv, plain, out, o);
      // §3.14: the checksum covers the message from the IKE header through the Pad Length.
      this.mac!.computeInto(out.subarray(0, total - this.icvLen), out, total - this.icvLen);
    }
    wipe(plain);
    return out;
  }

  dispose(): void { this.cipher?.dispose(); this.aead?.dispose(); this.mac?.dispose(); }
}

/** Opens incoming SK/SKF payloads for one direction; counts ICV failures. */
export class SkOpener {
  private readonly cipher: KeyedCipher | null;
  private readonly aead: KeyedAead | null;
  private readonly mac: KeyedInteg | null;
  readonly ivLen: number;
  readonly icvLen: number;
  readonly blockSize: number;
  /** Messages dropped because their ICV did not verify (§3.14: drop, no reply). */
  icvFailures = 0;

  constructor(keys: SkDirectionKeys) {
    const e = keys.encr;
    if (keys.encrKey.length !== e.keyMaterialLen) throw new CryptoError("INVALID_KEY_LENGTH", "sk.open", `${e.name} key material must be ${e.keyMaterialLen} bytes, got ${keys.encrKey.length}`);
    if (e.aead) {
      this.aead = e.withKey(keys.encrKey); this.cipher = null; this.mac = null;
      this.icvLen = e.icvLen; this.blockSize = 1;
    } else {
      if (!keys.integ || !keys.integKey) throw new CryptoError("INVALID_ARGUMENT", "sk.open", `${e.name} needs an integrity transform and key`);
      this.cipher = e.withKey(keys.encrKey); this.aead = null; this.mac = keys.integ.withKey(keys.integKey);
      this.icvLen = keys.integ.icvLen; this.blockSize = e.blockSize;
    }
    this.ivLen = e.ivLen;
  }

  /**
   * Opens the SK (type 46) or SKF (type 53) payload that starts at `skOffset` and must end the message.
   * Returns null, and counts, when the ICV fails or the payload is malformed (nothing inside is parsed first).
   */
  open(message: Uint8Array, skOffset: number, payloadType: number = PAYLOAD_SK): Opened | null {
    const frag = payloadType === PAYLOAD_SKF;
    const hdrLen = frag ? 8 : 4;
    if (message.length < IKE_HEADER_LEN || skOffset < IKE_HEADER_LEN || skOffset + hdrLen > message.length) return this.fail();
    if (getU32(message, 24) !== message.length) return this.fail();
    const payloadLen = getU16(message, skOffset + 2);
    if (skOffset + payloadLen !== message.length) return this.fail();
    const cipherLen = payloadLen - hdrLen - this.ivLen - this.icvLen;
    if (cipherLen < 1 || cipherLen % this.blockSize !== 0) return this.fail();
    const ivOff = skOffset + hdrLen;
    const iv = message.subarray(ivOff, ivOff + this.ivLen);
    const ctOff = ivOff + this.ivLen;
    let plain: Uint8Array | null;
    if (this.aead) {
      plain = this.aead.open(iv, message.subarray(0, skOffset + hdrLen), message.subarray(ctOff));
      if (!plain) return this.fail();
    } else {
      const icvOff = message.length - this.icvLen;
      if (!this.mac!.verify(message.subarray(0, icvOff), message.subarray(icvOff))) return this.fail();
      plain = this.cipher!.decrypt(iv, message.subarray(ctOff, icvOff));
    }
    const padLen = plain[plain.length - 1];
    if (padLen + 1 > plain.length) return this.fail();
    const result: Opened = { firstInner: message[skOffset], inner: plain.subarray(0, plain.length - 1 - padLen) };
    if (frag) result.fragment = { number: getU16(message, skOffset + 4), total: getU16(message, skOffset + 6) };
    return result;
  }

  private fail(): null { this.icvFailures++; return null; }

  dispose(): void { this.cipher?.dispose(); this.aead?.dispose(); this.mac?.dispose(); }
}

/**
 * RFC 7383 §2.5: splits `inner` into SKF fragments so that each whole IKE message is at most
 * `maxMessageLen` octets (the caller subtracts IP, UDP and non-ESP-marker overhead from the path MTU).
 */
export function sealFragments(sealer: SkSealer, prefix: Uint8Array, firstInner: number, inner: Uint8Array, maxMessageLen: number): Uint8Array[] {
  // Room for content in one fragment: max - prefix - SKF overhead (worst case padding).
  const fixed = prefix.length + 8 + sealer.ivLen + sealer.icvLen + 1;
  let room = maxMessageLen - fixed;
  if (sealer.blockSize > 1) room = Math.floor((room + 1) / sealer.blockSize) * sealer.blockSize - 1; // chunk + Pad Length fills whole blocks
  if (room < 1) throw new CryptoError("INVALID_ARGUMENT", "sk.sealFragments", `maxMessageLen ${maxMessageLen} leaves no room for fragment content`);
  const total = Math.max(1, Math.ceil(inner.length / room));
  if (total > 0xffff) throw new CryptoError("INVALID_ARGUMENT", "sk.sealFragments", "too many fragments");
  const out: Uint8Array[] = [];
  for (let i = 0; i < total; i++) {
    out.push(sealer.sealFragment(prefix, firstInner, inner.subarray(i * room, Math.min(inner.length, (i + 1) * room)), i + 1, total));
  }
  return out;
}

/** Limits on reassembly (RFC 7383 §2.6 leaves them to the implementation). */
export interface ReassemblyLimits {
  maxFragments: number;
  maxBytes: number;
  /** Time after the first fragment at which an incomplete set is discarded (ms, on the injected clock). */
  timeoutMs: number;
  /** At most this many message IDs reassembled at once per IKE SA. */
  maxPending: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = { maxFragments: 64, maxBytes: 64 * 1024, timeoutMs: 30_000, maxPending: 2 };

interface Pending { total: number; started: number; bytes: number; firstInner: number; parts: (Uint8Array | undefined)[]; have: number }

export type ReassemblyResult =
  | { kind: "complete"; firstInner: number; inner: Uint8Array }
  | { kind: "pending" }
  | { kind: "dropped"; reason: string };

/**
 * Collects authenticated fragments (already opened with SkOpener) per message ID (RFC 7383 §2.6).
 * A fragment set with a larger Total Fragments restarts the set (§2.5.2, PMTUD); a smaller one is ignored.
 */
export class FragmentReassembler {
  private readonly pending = new Map<number, Pending>();
  constructor(private readonly limits: ReassemblyLimits = DEFAULT_REASSEMBLY_LIMITS) {}

  add(messageId: number, opened: Opened, now: number): ReassemblyResult {
    const f = opened.fragment;
    if (!f) return { kind: "dropped", reason: "not a fragment" };
    this.expire(now);
    if (f.number < 1 || f.number > f.total) return { kind: "dropped", reason: `fragment number ${f.number} of ${f.total}` };
    if (f.total > this.limits.maxFragments) return { kind: "dropped", reason: `total fragments ${f.total} exceeds limit ${this.limits.maxFragments}` };
    let p = this.pending.get(messageId);
    if (p && f.total < p.total) return { kind: "dropped", reason: "stale fragment of an earlier, larger set" };
    if (p && f.total > p.total) { this.pending.delete(messageId); p = undefined; }
    if (!p) {
      if (this.pending.size >= this.limits.maxPending) return { kind: "dropped", reason: "too many messages in reassembly" };
      p = { total: f.total, started: now, bytes: 0, firstInner: 0, parts: new Array(f.total), have: 0 };
      this.pending.set(messageId, p);
    }
    if (p.parts[f.number - 1]) return { kind: "dropped", reason: "duplicate fragment" };
    if (p.bytes + opened.inner.length > this.limits.maxBytes) {
      this.pending.delete(messageId);
      return { kind: "dropped", reason: `reassembled size exceeds ${this.limits.maxBytes} bytes` };
    }
    p.parts[f.number - 1] = opened.inner.slice();
    p.bytes += opened.inner.length;
    p.have++;
    if (f.number === 1) p.firstInner = opened.firstInner;
    if (p.have < p.total) return { kind: "pending" };
    this.pending.delete(messageId);
    const inner = new Uint8Array(p.bytes);
    let o = 0;
    for (const part of p.parts) { inner.set(part!, o); o += part!.length; }
    return { kind: "complete", firstInner: p.firstInner, inner };
  }

  /** Discards sets older than the timeout. */
  expire(now: number): void {
    for (const [id, p] of this.pending) if (now - p.started >= this.limits.timeoutMs) this.pending.delete(id);
  }

  /** Earliest time at which expire() has something to do, or undefined. */
  nextDeadline(): number | undefined {
    let d: number | undefined;
    for (const p of this.pending.values()) { const t = p.started + this.limits.timeoutMs; if (d === undefined || t < d) d = t; }
    return d;
  }

  get size(): number { return this.pending.size; }
}

// The ESP packet (RFC 4303 §2) in tunnel mode: framing, padding, and its protection with AES-GCM
// (RFC 4106) or AES-CBC (RFC 3602) with HMAC-SHA1-96 (RFC 2404) / HMAC-SHA2 (RFC 4868), all through the
// CryptoProvider. This layer is stateless about sequence numbers: the caller (ts/esp/sa.ts) chooses
// the number and the IV on the way out, and does the replay checks around open() on the way in.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ----
// |               Security Parameters Index (SPI)                 | ^Int.
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |Cov-
// |                      Sequence Number                          | |ered
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ | ----
// |                    IV (CBC: 16, GCM: 8 octets)                | |   ^
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |   |
// ~          Payload Data: the inner IPv4 or IPv6 packet          ~ |Conf.
// +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |Cov-
// |               |     Padding (0-255 bytes): 1, 2, 3, ...       | |ered*
// +-+-+-+-+-+-+-+-+               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |   |
// |                               |  Pad Length   | Next Header   | v   v
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ------
// |         Integrity Check Value (GCM: 8/12/16, HMAC: 12-32)     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { CryptoError, wipe } from "../crypto/errors.ts";
import type { CryptoProvider, Encr, Integ, KeyedAead, KeyedCipher, KeyedInteg } from "../crypto/types.ts";

/** RFC 4303 §2.1, §2.2: SPI and Sequence Number. */
export const ESP_HEADER_LEN = 8;
/** RFC 4303 §2.6, IANA protocol numbers: what the Next Header of a tunnel-mode packet may say. */
export const NEXT_HEADER = { IPV4: 4, IPV6: 41, NO_NEXT_HEADER: 59 } as const;
/** RFC 4303 §2.4: Pad Length and Next Header end on a 4-octet boundary whatever the cipher. */
const MIN_ALIGN = 4;
const TWO32 = 0x1_0000_0000;

/** The algorithms and keys of one direction of an ESP SA. */
export interface EspDirectionKeys {
  encr: Encr;
  /** AES key, with the 4-byte salt appended for GCM (RFC 4106 §8.1: KEYMAT includes it). */
  encrKey: Uint8Array;
  /** Absent (or INTEG NONE) for AES-GCM. */
  integ?: Integ;
  integKey?: Uint8Array;
}

/** Resolves the IDs a Child SA negotiated (ENCR id + key bits, INTEG id or 0) against a provider. */
export function resolveEspTransforms(p: CryptoProvider, encrId: number, keyBits: number, integId: number): { encr: Encr; integ?: Integ } {
  const encr = p.encr(encrId, keyBits);
  if (encr.aead) {
    if (integId !== 0) throw new CryptoError("INVALID_ARGUMENT", "esp.resolve", `${encr.name} is combined mode; integrity transform ${integId} must be NONE (RFC 7296 §3.3)`);
    return { encr };
  }
  if (integId === 0) throw new CryptoError("INVALID_ARGUMENT", "esp.resolve", `${encr.name} needs an integrity transform (RFC 4303 §3.2: no ESP without integrity here)`);
  return { encr, integ: p.integ(integId) };
}

/** The sequence number of a packet as sent on the wire and used for the ICV. */
export function seqLow(seq: number): number { return seq % TWO32; }
export function seqHigh(seq: number): number { return Math.floor(seq / TWO32); }

function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 0xff; b[o + 2] = (v >>> 8) & 0xff; b[o + 3] = v & 0xff;
}
export function getU32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Why open() or unpad() rejected a packet. */
export type OpenFailure = "truncated" | "icv" | "padding";

/**
 * One direction's ESP protection with keys bound once (key schedules, HMAC pads). Reuses small scratch
 * buffers, so one instance serves one packet at a time.
 */
export class EspProtection {
  readonly ivLen: number;
  readonly icvLen: number;
  /** Alignment of Payload || Padding || Pad Length || Next Header: the cipher block, at least 4. */
  readonly align: number;
  readonly aead: boolean;
  private readonly gcm: KeyedAead | null;
  private readonly cbc: KeyedCipher | null;
  private readonly mac: KeyedInteg | null;
  private readonly aad12 = new Uint8Array(12);
  private scratch = new Uint8Array(2048);

  constructor(keys: EspDirectionKeys) {
    const e = keys.encr;
    if (keys.encrKey.length !== e.keyMaterialLen) {
      throw new CryptoError("INVALID_KEY_LENGTH", "esp", `${e.name}: key material must be ${e.keyMaterialLen} bytes${e.aead ? " (key || 4-byte salt, RFC 4106 §8.1)" : ""}, got ${keys.encrKey.length}`);
    }
    this.ivLen = e.ivLen;
    this.aead = e.aead;
    if (e.aead) {
      this.gcm = e.withKey(keys.encrKey); this.cbc = null; this.mac = null;
      this.icvLen = e.icvLen;
      this.align = MIN_ALIGN;
    } else {
      if (!keys.integ || !keys.integKey) throw new CryptoError("INVALID_ARGUMENT", "esp", `${e.name} needs an integrity transform and key`);
      if (keys.integKey.length !== keys.integ.keyLen) throw new CryptoError("INVALID_KEY_LENGTH", "esp", `${keys.integ.name}: key must be ${keys.integ.keyLen} bytes, got ${keys.integKey.length}`);
      this.cbc = e.withKey(keys.encrKey); this.gcm = null; this.mac = keys.integ.withKey(keys.integKey);
      this.icvLen = keys.integ.icvLen;
      this.align = Math.max(MIN_ALIGN, e.blockSize);
    }
  }

  /** RFC 4303 §2.4: padding so that Payload || Padding || Pad Length || Next Header fills whole `align` units. */
  padLength(payloadLen: number): number {
    return (this.align - ((payloadLen + 2) % this.align)) % this.align;
  }

  /** The length of the ESP packet carrying `payloadLen` bytes. */
  packetLength(payloadLen: number): number {
    return ESP_HEADER_LEN + this.ivLen + payloadLen + this.padLength(payloadLen) + 2 + this.icvLen;
  }

  /** The smallest valid packet: header, IV, one alignment unit of ciphertext, ICV. */
  get minPacketLength(): number { return ESP_HEADER_LEN + this.ivLen + this.align + this.icvLen; }

  private grow(n: number): Uint8Array {
    if (this.scratch.length < n) { wipe(this.scratch); this.scratch = new Uint8Array(Math.max(n, this.scratch.length * 2)); }
    return this.scratch;
  }

  /**
   * Builds the ESP packet for `payload` with sequence number `seq` (its low 32 bits on the wire; with
   * `esn` the high 32 bits enter the ICV, RFC 4303 §2.2.1) and the given IV (8 bytes for GCM, 16 for CBC).
   */
  seal(spi: number, seq: number, esn: boolean, iv: Uint8Array, payload: Uint8Array, nextHeader: number): Uint8Array {
    if (iv.length !== this.ivLen) throw new CryptoError("INVALID_IV_LENGTH", "esp.seal", `IV must be ${this.ivLen} bytes, got ${iv.length}`);
    const padLen = this.padLength(payload.length);
    const plainLen = payload.length + padLen + 2;
    const ctOff = ESP_HEADER_LEN + this.ivLen;
    const total = ctOff + plainLen + this.icvLen;
    // With ESN and HMAC, the high half of the sequence number sits after the ciphertext while the ICV
    // is computed (§2.2.1), then the ICV overwrites it: 4 spare bytes the packet gives back.
    const out = new Uint8Array(total);
    putU32(out, 0, spi >>> 0);
    putU32(out, 4, seqLow(seq));
    out.set(iv, ESP_HEADER_LEN);
    const plain = this.grow(plainLen);
    plain.set(payload, 0);
    // RFC 4303 §2.4: the default padding is the monotonic series 1, 2, 3, ...
    for (let i = 1; i <= padLen; i++) plain[payload.length + i - 1] = i;
    plain[plainLen - 2] = padLen;
    plain[plainLen - 1] = nextHeader;
    const pt = plain.subarray(0, plainLen);
    if (this.gcm) {
      // RFC 4106 §5: AAD = SPI || Sequence Number (32 bits), or SPI || high 32 || low 32 with ESN.
      this.gcm.sealInto(iv, this.aadFor(out, seq, esn), pt, out, ctOff);
    } else {
      this.cbc!.encryptInto(iv, pt, out, ctOff);
      const icvOff = ctOff + plainLen;
      if (esn) {
        const tmp = this.grow(icvOff + 4).subarray(0, icvOff + 4);
        tmp.set(out.subarray(0, icvOff), 0);
        putU32(tmp, icvOff, seqHigh(seq));
        this.mac!.computeInto(tmp, out, icvOff);
      } else {
        this.mac!.computeInto(out.subarray(0, icvOff), out, icvOff);
      }
    }
    this.scratch.fill(0, 0, plainLen);
    return out;
  }

  private aadFor(packet: Uint8Array, seq: number, esn: boolean): Uint8Array {
    if (!esn) return packet.subarray(0, ESP_HEADER_LEN);
    const a = this.aad12;
    a[0] = packet[0]; a[1] = packet[1]; a[2] = packet[2]; a[3] = packet[3];
    putU32(a, 4, seqHigh(seq));
    putU32(a, 8, seqLow(seq));
    return a;
  }

  /** Whether the packet's length fits this SA's layout (checked before any crypto). */
  lengthOk(len: number): boolean {
    const ct = len - ESP_HEADER_LEN - this.ivLen - this.icvLen;
    return ct >= this.align && ct % (this.aead ? 1 : this.align) === 0;
  }

  /**
   * Verifies the ICV (constant time, before decrypting for CBC+HMAC; GCM checks its tag without early
   * exit) and decrypts. Returns the plaintext (payload, padding, Pad Length, Next Header) or a reason.
   * `seq` is the full sequence number the receiver inferred (its high half enters the ICV with ESN).
   */
  open(packet: Uint8Array, seq: number, esn: boolean): Uint8Array | OpenFailure {
    if (!this.lengthOk(packet.length)) return "truncated";
    const ctOff = ESP_HEADER_LEN + this.ivLen;
    const iv = packet.subarray(ESP_HEADER_LEN, ctOff);
    if (this.gcm) {
      const pt = this.gcm.open(iv, this.aadFor(packet, seq, esn), packet.subarray(ctOff));
      return pt ?? "icv";
    }
    const icvOff = packet.length - this.icvLen;
    let ok: boolean;
    if (esn) {
      const tmp = this.grow(icvOff + 4).subarray(0, icvOff + 4);
      tmp.set(packet.subarray(0, icvOff), 0);
      putU32(tmp, icvOff, seqHigh(seq));
      ok = this.mac!.verify(tmp, packet.subarray(icvOff));
    } else {
      ok = this.mac!.verify(packet.subarray(0, icvOff), packet.subarray(icvOff));
    }
    if (!ok) return "icv";
    return this.cbc!.decrypt(iv, packet.subarray(ctOff, icvOff));
  }

  dispose(): void {
    this.gcm?.dispose(); this.cbc?.dispose(); this.mac?.dispose();
    wipe(this.scratch, this.aad12);
  }
}

/** The payload and Next Header of an authenticated plaintext, after the padding check. */
export interface Unpadded { payload: Uint8Array; nextHeader: number }

/**
 * Removes Padding, Pad Length and Next Header (RFC 4303 §2.4-§2.6). The padding must be the default
 * monotonic series 1, 2, 3, ... (§2.4: the receiver SHOULD inspect it; we always send it so).
 */
export function unpad(plain: Uint8Array): Unpadded | "padding" {
  const n = plain.length;
  if (n < 2) return "padding";
  const padLen = plain[n - 2];
  if (padLen + 2 > n) return "padding";
  const start = n - 2 - padLen;
  let bad = 0;
  for (let i = 0; i < padLen; i++) bad |= plain[start + i] ^ ((i + 1) & 0xff);
  if (bad !== 0) return "padding";
  return { payload: plain.subarray(0, start), nextHeader: plain[n - 1] };
}

// Elliptic-curve key exchange groups over @noble/curves: ECP groups 19, 20, 21 (RFC 5903) and
// Curve25519/Curve448 groups 31, 32 (RFC 8031). Also the IKE encodings and peer checks that the native
// provider reuses, so every provider accepts and rejects exactly the same values.
//
// RFC 5903 §7: the KE payload carries x || y (each the field length, no 0x04 prefix); the shared
// secret is the x coordinate alone. RFC 6989 §2.3: the peer's point must have the right length, lie
// on the curve and not be the identity (cofactor 1, so no subgroup check). RFC 8031 §2.1-§2.3: the
// public value is the u-coordinate (32 or 56 octets) and an all-zero shared secret is rejected.
// Private values come from the injected RandomSource. BigInt arithmetic is not constant time: this
// file claims only noble's algorithmic constant time for the scalar multiplication.
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { x448 } from "@noble/curves/ed448.js";
import { CryptoError, assertBytes, wipe } from "../errors.ts";
import type { KeGroup, KeyShare, RandomSource } from "../types.ts";

type Weierstrass = typeof p256;
type Montgomery = typeof x25519;

/** A NIST prime curve group (RFC 5903 §3). */
export interface EcpSpec {
  readonly id: 19 | 20 | 21;
  readonly name: string;
  /** Octets of one coordinate: 32, 48, 66. */
  readonly fieldLen: number;
  readonly curve: Weierstrass;
  readonly p: bigint;
  readonly n: bigint;
  readonly a: bigint;
  readonly b: bigint;
  /** n as fieldLen big-endian bytes, for the private-value range check. */
  readonly nBytes: Uint8Array;
  /** Mask for the first octet of a candidate private value (P-521: n has 521 bits). */
  readonly topMask: number;
}

/** A Montgomery curve group (RFC 7748, RFC 8031). */
export interface XdhSpec {
  readonly id: 31 | 32;
  readonly name: string;
  /** Octets of the u-coordinate and of the private value: 32, 56. */
  readonly len: number;
  readonly curve: Montgomery;
}

function ecpSpec(id: 19 | 20 | 21, name: string, fieldLen: number, curve: Weierstrass): EcpSpec {
  const { p, n, a, b } = curve.Point.CURVE();
  const nBytes = bigToBytes(n, fieldLen);
  const bits = n.toString(2).length;
  const topMask = 0xff >>> (fieldLen * 8 - bits);
  return { id, name, fieldLen, curve, p, n, a, b, nBytes, topMask };
}

export const ECP_SPECS: Readonly<Record<19 | 20 | 21, EcpSpec>> = {
  19: ecpSpec(19, "ECP_256", 32, p256),
  20: ecpSpec(20, "ECP_384", 48, p384),
  21: ecpSpec(21, "ECP_521", 66, p521),
};

export const XDH_SPECS: Readonly<Record<31 | 32, XdhSpec>> = {
  31: { id: 31, name: "CURVE25519", len: 32, curve: x25519 },
  32: { id: 32, name: "CURVE448", len: 56, curve: x448 },
};

/** Every group ID this file implements. */
export const CURVE_GROUP_IDS: readonly number[] = [19, 20, 21, 31, 32];

/** Big-endian bytes to a non-negative integer. @internal */
export function bytesToBig(b: Uint8Array): bigint {
  let hexStr = "";
  for (let i = 0; i < b.length; i++) hexStr += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return hexStr.length === 0 ? 0n : BigInt("0x" + hexStr);
}

/** A non-negative integer to `len` big-endian bytes (the caller guarantees it fits). @internal */
export function bigToBytes(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function mod(v: bigint, m: bigint): bigint {
  const r = v % m;
  return r < 0n ? r + m : r;
}

/**
 * RFC 6989 §2.3 checks on an ECP public value in the RFC 5903 §7 encoding: exactly 2 * fieldLen
 * octets, both coordinates below p, and y^2 = x^3 + ax + b (mod p). The identity has no x || y
 * encoding, and (0, 0) is not on these curves (b != 0), so passing implies "not the identity".
 * Returns the coordinates. Throws CryptoError INVALID_PUBLIC_VALUE.
 */
export function validateEcpPublic(spec: EcpSpec, fn: string, v: Uint8Array): { x: bigint; y: bigint } {
  assertBytes(fn, "public value", v);
  const L = spec.fieldLen;
  if (v.length !== 2 * L) {
    throw new CryptoError("INVALID_PUBLIC_VALUE", fn, `${spec.name} public value must be ${2 * L} bytes (x || y, RFC 5903 §7), got ${v.length}`);
  }
  const x = bytesToBig(v.subarray(0, L)), y = bytesToBig(v.subarray(L));
  if (x >= spec.p || y >= spec.p) {
    throw new CryptoError("INVALID_PUBLIC_VALUE", fn, `${spec.name} public value has a coordinate not below the field prime`);
  }
  const { p, a, b } = spec;
  if (mod(y * y - (x * x * x + a * x + b), p) !== 0n) {
    throw new CryptoError("INVALID_PUBLIC_VALUE", fn, `${spec.name} public value is not a point on the curve (RFC 6989 §2.3)`);
  }
  return { x, y };
}

/**
 * A private value d in [1, n-1] as fieldLen bytes, by testing candidates (FIPS 186-5 A.4.2): draw
 * fieldLen bytes, clear the bits above n's length, keep the first candidate in range. The range test
 * runs without an early exit; a rejected candidate is discarded. A RandomSource that returns a fixed
 * valid d (a test vector) yields exactly that d.
 */
export function drawEcpPrivate(spec: EcpSpec, random: RandomSource): Uint8Array {
  const d = new Uint8Array(spec.fieldLen);
  const n = spec.nBytes;
  for (let attempt = 0; attempt < 128; attempt++) {
    random(d);
    d[0] &= spec.topMask;
    // borrow of d - n, least significant byte first: 1 when d < n.
    let borrow = 0, any = 0;
    for (let i = d.length - 1; i >= 0; i--) {
      borrow = ((d[i] - n[i] - borrow) >>> 8) & 1;
      any |= d[i];
    }
    if ((borrow & ((any + 0xff) >>> 8)) === 1) return d;
  }
  wipe(d);
  throw new CryptoError("INVALID_ARGUMENT", "ke.generate", `${spec.name}: the random source gave 128 private values out of range`);
}

/** RFC 8031 §2.1: the peer's u-coordinate must be exactly 32 (X25519) or 56 (X448) octets. */
export function validateXdhPublic(spec: XdhSpec, fn: string, v: Uint8Array): void {
  assertBytes(fn, "public value", v);
  if (v.length !== spec.len) {
    throw new CryptoError("INVALID_PUBLIC_VALUE", fn, `${spec.name} public value must be ${spec.len} bytes (RFC 8031 §2.1), got ${v.length}`);
  }
}

/** RFC 8031 §2.3: rejects an all-zero shared secret (checked without early exit). */
export function rejectZeroShared(spec: XdhSpec, fn: string, s: Uint8Array): void {
  let acc = 0;
  for (let i = 0; i < s.length; i++) acc |= s[i];
  if (acc === 0) throw zeroSharedError(spec, fn);
}

/** The error for a low-order peer value, whose shared secret is all zero (RFC 8031 §2.3). @internal */
export function zeroSharedError(spec: XdhSpec, fn: string): CryptoError {
  return new CryptoError("INVALID_PUBLIC_VALUE", fn, `${spec.name} shared secret is all zero: the peer sent a low-order point (RFC 8031 §2.3)`);
}

/** x || y of an affine point, each coordinate padded to fieldLen. @internal */
export function encodeXY(spec: EcpSpec, x: bigint, y: bigint): Uint8Array {
  const out = new Uint8Array(2 * spec.fieldLen);
  out.set(bigToBytes(x, spec.fieldLen));
  out.set(bigToBytes(y, spec.fieldLen), spec.fieldLen);
  return out;
}

function usedAfterDispose(name: string): CryptoError {
  return new CryptoError("INVALID_ARGUMENT", "ke.computeShared", `${name} key share used after dispose()`);
}

class NobleEcpShare implements KeyShare {
  readonly group: number;
  #d: Uint8Array | null;
  #pub: Uint8Array | undefined;
  constructor(private readonly spec: EcpSpec, d: Uint8Array) {
    this.group = spec.id;
    this.#d = d;
  }
  /** d*G, computed on first use (a responder that rejects the peer's value never pays for it). */
  get publicValue(): Uint8Array {
    if (!this.#pub) {
      if (!this.#d) throw usedAfterDispose(this.spec.name);
      const { x, y } = this.spec.curve.Point.BASE.multiply(bytesToBig(this.#d)).toAffine();
      this.#pub = encodeXY(this.spec, x, y);
    }
    return this.#pub;
  }
  computeShared(peerPublic: Uint8Array): Uint8Array {
    const fn = "ke.computeShared";
    if (!this.#d) throw usedAfterDispose(this.spec.name);
    const { x, y } = validateEcpPublic(this.spec, fn, peerPublic);
    const s = this.spec.curve.Point.fromAffine({ x, y }).multiply(bytesToBig(this.#d));
    if (s.is0()) throw new CryptoError("INVALID_PUBLIC_VALUE", fn, `${this.spec.name} shared point is the identity`);
    return bigToBytes(s.toAffine().x, this.spec.fieldLen);
  }
  dispose(): void {
    wipe(this.#d);
    this.#d = null;
  }
}

class NobleXdhShare implements KeyShare {
  readonly group: number;
  #k: Uint8Array | null;
  #pub: Uint8Array | undefined;
  constructor(private readonly spec: XdhSpec, k: Uint8Array) {
    this.group = spec.id;
    this.#k = k;
  }
  /** X25519(k, 9) / X448(k, 5), computed on first use. */
  get publicValue(): Uint8Array {
    if (!this.#pub) {
      if (!this.#k) throw usedAfterDispose(this.spec.name);
      this.#pub = this.spec.curve.getPublicKey(this.#k);
    }
    return this.#pub;
  }
  computeShared(peerPublic: Uint8Array): Uint8Array {
    const fn = "ke.computeShared";
    if (!this.#k) throw usedAfterDispose(this.spec.name);
    validateXdhPublic(this.spec, fn, peerPublic);
    let s: Uint8Array;
    try {
      // noble refuses the known low-order u values before its ladder; those are exactly the
      // inputs whose result is all zero, so report them as RFC 8031 §2.3 says.
      s = this.spec.curve.scalarMult(this.#k, peerPublic);
    } catch {
      throw zeroSharedError(this.spec, fn);
    }
    rejectZeroShared(this.spec, fn, s);
    return s;
  }
  dispose(): void {
    wipe(this.#k);
    this.#k = null;
  }
}

/** ECP group 19, 20 or 21 on noble. */
export function createEcpGroup(id: 19 | 20 | 21, random: RandomSource): KeGroup {
  const spec = ECP_SPECS[id];
  return {
    id, name: spec.name, publicLen: 2 * spec.fieldLen,
    generate: () => new NobleEcpShare(spec, drawEcpPrivate(spec, random)),
    validatePublic: (v) => { validateEcpPublic(spec, "ke.validatePublic", v); },
  };
}

/**
 * Curve25519 / Curve448 group on noble. The private value is len random octets (RFC 7748 §6: the
 * clamping happens inside the scalar multiplication). validatePublic checks the length only: any
 * 32/56-octet string is a valid input (RFC 7748 §5); low-order values are caught by the zero check.
 */
export function createXdhGroup(id: 31 | 32, random: RandomSource): KeGroup {
  const spec = XDH_SPECS[id];
  return {
    id, name: spec.name, publicLen: spec.len,
    generate: () => {
      const k = new Uint8Array(spec.len);
      random(k);
      return new NobleXdhShare(spec, k);
    },
    validatePublic: (v) => validateXdhPublic(spec, "ke.validatePublic", v),
  };
}

/** The noble group for a curve group ID, or undefined for any other ID. */
export function createCurveGroup(id: number, random: RandomSource): KeGroup | undefined {
  if (id === 19 || id === 20 || id === 21) return createEcpGroup(id, random);
  if (id === 31 || id === 32) return createXdhGroup(id, random);
  return undefined;
}

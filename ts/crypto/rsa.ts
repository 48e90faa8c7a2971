// RSA signatures (RFC 8017): RSASSA-PKCS1-v1_5 (§8.2, EMSA §9.2) and RSASSA-PSS (§8.1, EMSA §9.1,
// MGF1 §B.2.1) over the wasm Montgomery kernel. Used for IKEv2 AUTH method 1 and RFC 7427 signatures.
//
// Private operation: CRT with base blinding (m' = m·r^e, s = m'^d · r^-1 mod n), CRT exponents at
// the full prime length (the kernel's timing depends on exponent length only), each prime in a
// MontgomeryContext of its own (wiped by dispose()), and a final s^e == m check against faults.
// Limits of the constant-time claim: the exponentiations run in the kernel; the few modular
// multiplications around them (blinding, CRT recombination, unblinding) use BigInt, whose timing
// is not guaranteed. They see blinded values; r^-1 is computed by a blinded inversion
// ((r·u)^-1 · u), so the extended Euclid loop sees only the uniformly random r·u. BigInt values
// and the hex strings used to build them cannot be wiped; the Uint8Array copies are, by dispose().
import { CryptoError, assertBytes, equalBytes, wipe } from "./errors.ts";
import type { HashAlg, RandomSource } from "./types.ts";
import { digestLength, hash } from "./wasm/sha.ts";
import { MontgomeryContext, modexp } from "./wasm/modexp.ts";

export interface RsaPublicKey {
  /** Modulus, big-endian (leading zero bytes allowed). */
  n: Uint8Array;
  /** Public exponent, big-endian. */
  e: Uint8Array;
}

/** The RSAPrivateKey fields of RFC 8017 §A.1.2 (two primes), big-endian. */
export interface RsaPrivateComponents extends RsaPublicKey {
  d: Uint8Array;
  p: Uint8Array;
  q: Uint8Array;
  dp: Uint8Array;
  dq: Uint8Array;
  qinv: Uint8Array;
}

/** RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest octets. */
const DIGEST_INFO_PREFIX: Record<HashAlg, Uint8Array> = {
  sha1: Uint8Array.of(0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14),
  sha256: Uint8Array.of(0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20),
  sha384: Uint8Array.of(0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30),
  sha512: Uint8Array.of(0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40),
};

/** Smallest modulus we accept (bits); IKEv2 peers use 2048 and up, Wycheproof tests 2048+. */
const MIN_MODULUS_BITS = 1024;
const MAX_MODULUS_BITS = 8192;

// ---- byte and BigInt helpers (internal) ----

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function bitLength(b: Uint8Array): number {
  const s = stripZeros(b);
  if (s[0] === 0) return 0;
  return (s.length - 1) * 8 + (32 - Math.clz32(s[0]));
}

/** @internal */
export function toBigInt(b: Uint8Array): bigint {
  let h = "0x0";
  for (let i = 0; i < b.length; i++) h += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return BigInt(h);
}

/** @internal Big-endian, left-padded to len bytes. */
export function fromBigInt(x: bigint, len: number): Uint8Array {
  const h = x.toString(16);
  if (h.length > 2 * len) throw new CryptoError("INVALID_ARGUMENT", "rsa", "integer too large");
  const p = h.padStart(2 * len, "0");
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(p.substr(2 * i, 2), 16);
  return out;
}

/** Left-pads b to len bytes (b must not be longer once leading zeros are dropped). */
function pad(b: Uint8Array, len: number): Uint8Array {
  const s = b.length > len ? stripZeros(b) : b;
  if (s.length > len) throw new CryptoError("INVALID_ARGUMENT", "rsa", "value longer than the modulus");
  const out = new Uint8Array(len);
  out.set(s, len - s.length);
  return out;
}

/** a < b for equal-length big-endian byte strings (public values only: early exit). */
function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [m, ((a % m) + m) % m];
  let [t0, t1] = [0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  if (r0 !== 1n) throw new CryptoError("INVALID_ARGUMENT", "rsa.sign", "blinding value not invertible");
  return ((t0 % m) + m) % m;
}

function checkPublic(fn: string, key: RsaPublicKey): { n: Uint8Array; e: Uint8Array; k: number; bits: number } {
  if (!key || typeof key !== "object") throw new CryptoError("INVALID_ARGUMENT", fn, "key must be an RSA key object");
  assertBytes(fn, "modulus", key.n);
  assertBytes(fn, "exponent", key.e);
  const n = stripZeros(key.n), e = stripZeros(key.e);
  const bits = bitLength(n);
  if (bits < MIN_MODULUS_BITS || bits > MAX_MODULUS_BITS) throw new CryptoError("INVALID_ARGUMENT", fn, `modulus of ${bits} bits (${MIN_MODULUS_BITS}..${MAX_MODULUS_BITS} supported)`);
  if ((n[n.length - 1] & 1) === 0) throw new CryptoError("INVALID_ARGUMENT", fn, "modulus is even");
  if ((e[e.length - 1] & 1) === 0 || bitLength(e) < 2 || e.length > 8) throw new CryptoError("INVALID_ARGUMENT", fn, "public exponent must be odd, > 1 and at most 64 bits");
  return { n, e, k: n.length, bits };
}

// ---- encodings ----

/** EMSA-PKCS1-v1_5 (RFC 8017 §9.2): 0x00 0x01 FF..FF 0x00 DigestInfo, emLen bytes. */
function emsaPkcs1(fn: string, alg: HashAlg, msg: Uint8Array, emLen: number): Uint8Array {
  const prefix = DIGEST_INFO_PREFIX[alg];
  if (!prefix) throw new CryptoError("UNSUPPORTED", fn, `hash ${String(alg)}`);
  const h = hash(alg, msg);
  const tLen = prefix.length + h.length;
  if (emLen < tLen + 11) throw new CryptoError("INVALID_ARGUMENT", fn, "intended encoded message length too short");
  const em = new Uint8Array(emLen);
  em[1] = 0x01;
  em.fill(0xff, 2, emLen - tLen - 1);
  em.set(prefix, emLen - tLen);
  em.set(h, emLen - h.length);
  return em;
}

/** MGF1 (RFC 8017 §B.2.1), XORed into out. */
function mgf1Xor(alg: HashAlg, seed: Uint8Array, out: Uint8Array): void {
  const hLen = digestLength(alg);
  const buf = new Uint8Array(seed.length + 4);
  buf.set(seed);
  for (let c = 0, o = 0; o < out.length; c++, o += hLen) {
    new DataView(buf.buffer).setUint32(seed.length, c);
    const t = hash(alg, buf);
    for (let i = 0; i < hLen && o + i < out.length; i++) out[o + i] ^= t[i];
  }
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with emBits = modBits - 1. */
function emsaPssEncode(alg: HashAlg, msg: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const hLen = digestLength(alg), emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + salt.length + 2) throw new CryptoError("INVALID_ARGUMENT", "rsa.signPss", "salt too long for this modulus");
  const mHash = hash(alg, msg);
  const mp = new Uint8Array(8 + hLen + salt.length);
  mp.set(mHash, 8);
  mp.set(salt, 8 + hLen);
  const h = hash(alg, mp);
  const em = new Uint8Array(emLen);
  const db = em.subarray(0, emLen - hLen - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  mgf1Xor(alg, h, db);
  db[0] &= 0xff >>> (8 * emLen - emBits);
  em.set(h, emLen - hLen - 1);
  em[emLen - 1] = 0xbc;
  return em;
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2). saltLength "any" recovers it from the encoding. */
function emsaPssVerify(alg: HashAlg, msg: Uint8Array, em: Uint8Array, emBits: number, saltLength: number | "any", mgfHash: HashAlg): boolean {
  const hLen = digestLength(alg), emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen) return false;
  if (emLen < hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const db = em.slice(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = (0xff << (8 - (8 * emLen - emBits))) & 0xff;
  if (db[0] & topMask) return false;
  mgf1Xor(mgfHash, h, db);
  db[0] &= ~topMask & 0xff;
  let i = 0;
  while (i < db.length && db[i] === 0) i++;
  if (i === db.length || db[i] !== 0x01) return false;
  const salt = db.subarray(i + 1);
  if (saltLength !== "any" && salt.length !== saltLength) return false;
  const mp = new Uint8Array(8 + hLen + salt.length);
  mp.set(hash(alg, msg), 8);
  mp.set(salt, 8 + hLen);
  return equalBytes(hash(alg, mp), h);
}

// ---- public operation ----

/** RSAVP1 (RFC 8017 §5.2.2): s^e mod n as k bytes, or null when s is not k bytes or s >= n. */
function rsavp1(key: { n: Uint8Array; e: Uint8Array; k: number }, sig: Uint8Array): Uint8Array | null {
  if (sig.length !== key.k || !lessThan(sig, key.n)) return null;
  return modexp(sig, key.e, key.n);
}

/** RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2). False on any mismatch; throws only on a bad key. */
export function rsaVerifyPkcs1(key: RsaPublicKey, alg: HashAlg, msg: Uint8Array, sig: Uint8Array): boolean {
  const pk = checkPublic("rsa.verifyPkcs1", key);
  assertBytes("rsa.verifyPkcs1", "message", msg);
  assertBytes("rsa.verifyPkcs1", "signature", sig);
  const em = rsavp1(pk, sig);
  if (!em) return false;
  return equalBytes(em, emsaPkcs1("rsa.verifyPkcs1", alg, msg, pk.k));
}

export interface PssParams {
  /** Salt length in bytes; default the hash length. "any" accepts every salt length. */
  saltLength?: number | "any";
  /** MGF1 hash; default the message hash. */
  mgfHash?: HashAlg;
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2). */
export function rsaVerifyPss(key: RsaPublicKey, alg: HashAlg, msg: Uint8Array, sig: Uint8Array, params: PssParams = {}): boolean {
  const pk = checkPublic("rsa.verifyPss", key);
  assertBytes("rsa.verifyPss", "message", msg);
  assertBytes("rsa.verifyPss", "signature", sig);
  const m = rsavp1(pk, sig);
  if (!m) return false;
  const emBits = pk.bits - 1;
  // When emBits is a multiple of 8 the leading byte of m must be zero (RFC 8017 §8.1.2 step 2c).
  const emLen = Math.ceil(emBits / 8);
  if (emLen < pk.k && m[0] !== 0) return false;
  return emsaPssVerify(alg, msg, m.subarray(pk.k - emLen), emBits, params.saltLength ?? digestLength(alg), params.mgfHash ?? alg);
}

// ---- private operation ----

/** An RSA private key bound to its Montgomery contexts. Call dispose() to wipe it. */
export class RsaPrivateKey {
  readonly publicKey: RsaPublicKey;
  /** Modulus length in bytes (the signature length). */
  readonly byteLength: number;
  readonly bits: number;
  readonly #n: Uint8Array;
  readonly #e: Uint8Array;
  #d: Uint8Array;
  #p: Uint8Array;
  #q: Uint8Array;
  #dp: Uint8Array;
  #dq: Uint8Array;
  #qinv: bigint;
  #ctxN: MontgomeryContext;
  #ctxP: MontgomeryContext | null;
  #ctxQ: MontgomeryContext | null;
  #disposed = false;

  constructor(c: RsaPrivateComponents) {
    const fn = "rsa.privateKey";
    const pk = checkPublic(fn, c);
    for (const f of ["d", "p", "q", "dp", "dq", "qinv"] as const) assertBytes(fn, f, c[f]);
    this.#n = pk.n.slice();
    this.#e = pk.e.slice();
    this.byteLength = pk.k;
    this.bits = pk.bits;
    this.publicKey = { n: this.#n, e: this.#e };
    this.#p = stripZeros(c.p).slice();
    this.#q = stripZeros(c.q).slice();
    this.#d = pad(c.d, pk.k);
    this.#dp = pad(c.dp, this.#p.length);
    this.#dq = pad(c.dq, this.#q.length);
    this.#qinv = toBigInt(c.qinv);
    // Consistency of the components (RFC 8017 §3.2), once at load: a wrong d, dP, dQ or qInv would
    // otherwise surface only as failed signatures. BigInt here, on a path no peer can time.
    const [p, q, e, d] = [toBigInt(this.#p), toBigInt(this.#q), toBigInt(this.#e), toBigInt(this.#d)];
    if (p * q !== toBigInt(this.#n)) throw new CryptoError("INVALID_ARGUMENT", fn, "p·q is not the modulus");
    if ((e * d) % (p - 1n) !== 1n || (e * d) % (q - 1n) !== 1n || (e * toBigInt(this.#dp)) % (p - 1n) !== 1n || (e * toBigInt(this.#dq)) % (q - 1n) !== 1n ||
      (this.#qinv * q) % p !== 1n) {
      throw new CryptoError("INVALID_ARGUMENT", fn, "inconsistent private key components (d, dP, dQ or qInv do not belong to p, q and e)");
    }
    this.#ctxN = new MontgomeryContext(this.#n);
    // CRT needs each half to take the full-width base (kernel: base at most twice the modulus length).
    const crt = 2 * this.#p.length >= pk.k && 2 * this.#q.length >= pk.k;
    this.#ctxP = crt ? new MontgomeryContext(this.#p) : null;
    this.#ctxQ = crt ? new MontgomeryContext(this.#q) : null;
  }

  /** RSASP1 (RFC 8017 §5.2.1) on the integer em (k bytes, < n), blinded, with the fault check. */
  #privateOp(fn: string, em: Uint8Array, random: RandomSource): Uint8Array {
    if (this.#disposed) throw new CryptoError("INVALID_ARGUMENT", fn, "key was disposed");
    if (typeof random !== "function") throw new CryptoError("INVALID_ARGUMENT", fn, "random must be a RandomSource");
    const k = this.byteLength, n = toBigInt(this.#n);
    // r and u uniform in [1, n): draw 64 extra bits and reduce, so the bias is negligible.
    const draw = (): bigint => {
      const b = new Uint8Array(k + 8);
      random(b);
      const v = toBigInt(b) % (n - 1n) + 1n;
      wipe(b);
      return v;
    };
    const r = draw(), u = draw();
    const rInv = (modInverse((r * u) % n, n) * u) % n;
    const rE = toBigInt(this.#ctxN.pow(fromBigInt(r, k), this.#e));
    const blinded = fromBigInt((toBigInt(em) * rE) % n, k);
    let s: bigint;
    if (this.#ctxP && this.#ctxQ) {
      const p = toBigInt(this.#p), q = toBigInt(this.#q);
      const sp = toBigInt(this.#ctxP.pow(blinded, this.#dp));
      const sq = toBigInt(this.#ctxQ.pow(blinded, this.#dq));
      const h = (this.#qinv * (((sp - sq) % p) + p)) % p;
      s = sq + h * q;
    } else {
      s = toBigInt(this.#ctxN.pow(blinded, this.#d));
    }
    const sig = fromBigInt((s * rInv) % n, k);
    // Fault attack guard (Boneh-DeMillo-Lipton): a CRT half computed wrongly would leak a factor.
    if (!equalBytes(modexp(sig, this.#e, this.#n), em)) {
      wipe(sig);
      throw new CryptoError("INVALID_ARGUMENT", fn, "signature failed its s^e == m check (fault or inconsistent key)");
    }
    return sig;
  }

  /** RSASSA-PKCS1-v1_5-SIGN (RFC 8017 §8.2.1). */
  signPkcs1(alg: HashAlg, msg: Uint8Array, random: RandomSource): Uint8Array {
    assertBytes("rsa.signPkcs1", "message", msg);
    return this.#privateOp("rsa.signPkcs1", emsaPkcs1("rsa.signPkcs1", alg, msg, this.byteLength), random);
  }

  /** RSASSA-PSS-SIGN (RFC 8017 §8.1.1), MGF1 with the same hash; salt length default the hash length. */
  signPss(alg: HashAlg, msg: Uint8Array, random: RandomSource, saltLength = digestLength(alg)): Uint8Array {
    assertBytes("rsa.signPss", "message", msg);
    if (typeof random !== "function") throw new CryptoError("INVALID_ARGUMENT", "rsa.signPss", "random must be a RandomSource");
    if (!Number.isInteger(saltLength) || saltLength < 0) throw new CryptoError("INVALID_ARGUMENT", "rsa.signPss", "salt length must be a non-negative integer");
    const salt = new Uint8Array(saltLength);
    random(salt);
    const emBits = this.bits - 1;
    const em = pad(emsaPssEncode(alg, msg, emBits, salt), this.byteLength);
    return this.#privateOp("rsa.signPss", em, random);
  }

  /** Wipes the private values and the prime contexts. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    wipe(this.#d, this.#p, this.#q, this.#dp, this.#dq);
    this.#qinv = 0n;
    this.#ctxP?.dispose();
    this.#ctxQ?.dispose();
    this.#ctxN.dispose();
  }
}

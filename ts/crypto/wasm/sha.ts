// SHA-1/SHA-2 hashes (FIPS 180-4), HMAC (RFC 2104, RFC 4868) and prf+ (RFC 7296 §2.13) on the
// core-wasm/sha.ts kernel. Inputs of any size stream through the kernel's fixed 64 KiB input region;
// prf+ runs all its iterations in one kernel call for seeds below 64 KiB (longer seeds stream one HMAC per block).
//
// Key hygiene: the kernel wipes its key, pads, chaining states and input copy before each call
// returns, and this wrapper zeroes the output region after copying a result out. What stays
// alive is the pair of chaining states an Hmac keeps (inner after K^ipad, outer after K^opad): they
// are key-equivalent (anyone holding them can compute MACs), live only in that object's own
// Uint8Array, and are wiped by dispose(). Values in wasm locals and JS engine registers cannot be wiped.
import * as embedded from "./gen/sha.gen.ts";
import { instantiate } from "./load.ts";
import { CryptoError, assertBytes } from "../errors.ts";
import type { HashAlg } from "../types.ts";

interface ShaExports {
  inPtr(): number;
  inSize(): number;
  outPtr(): number;
  keyPtr(): number;
  savedPtr(): number;
  hash(alg: number, len: number): void;
  hashInit(alg: number): void;
  update(len: number): void;
  hashFinal(): void;
  hmacSetup(alg: number, keyLen: number): void;
  hmac(alg: number, len: number): void;
  hmacWithKey(alg: number, keyLen: number, len: number): void;
  hmacInit(alg: number): void;
  hmacFinal(): void;
  prfPlus(alg: number, keyLen: number, seedLen: number, outLen: number): void;
}

/** Kernel algorithm ids (core-wasm/sha.ts). */
const SHA1 = 1, SHA256 = 2, SHA384 = 3, SHA512 = 4;
const DIGEST_LEN = [0, 20, 32, 48, 64];
const BLOCK_LEN = [0, 64, 64, 128, 128];
/** Where prf+ expects its seed in the input region (core-wasm/sha.ts PRF_SEED_AT). */
const PRF_SEED_AT = 64;

interface Kernel {
  ex: ShaExports;
  mem: Uint8Array;
  inAt: number;
  inSize: number;
  outAt: number;
  keyAt: number;
  savedAt: number;
  /** OUT[0..digest length] per algorithm id, so copying a digest out allocates nothing. */
  digestView: Uint8Array[];
}

let kernel: Kernel | undefined;

function load(): Kernel {
  const { exports: ex, memory } = instantiate<ShaExports>(embedded, "scalar");
  // The kernel never grows its memory (static regions, stub runtime), so these views stay valid.
  const mem = new Uint8Array(memory.buffer);
  const outAt = ex.outPtr();
  return {
    ex, mem, outAt,
    inAt: ex.inPtr(),
    inSize: ex.inSize(),
    keyAt: ex.keyPtr(),
    savedAt: ex.savedPtr(),
    digestView: DIGEST_LEN.map((n) => mem.subarray(outAt, outAt + n)),
  };
}

function k(): Kernel {
  return kernel ?? (kernel = load());
}

function algId(fn: string, alg: HashAlg): number {
  switch (alg) {
    case "sha1": return SHA1;
    case "sha256": return SHA256;
    case "sha384": return SHA384;
    case "sha512": return SHA512;
  }
  throw new CryptoError("UNSUPPORTED", fn, `unknown hash algorithm ${String(alg)}`);
}

function checkOut(fn: string, out: unknown, offset: number, n: number): asserts out is Uint8Array {
  assertBytes(fn, "out", out);
  if (!Number.isInteger(offset) || offset < 0 || offset + n > out.length) {
    throw new CryptoError("INVALID_OUTPUT", fn, `out needs ${n} bytes at offset ${offset} but has length ${out.length}`);
  }
}

/** Copies OUT[0..n] to out[offset..] and zeroes OUT[0..n]. */
function takeOut(kn: Kernel, id: number, out: Uint8Array, offset: number, n: number): void {
  const { mem, outAt } = kn;
  if (n === DIGEST_LEN[id]) {
    out.set(kn.digestView[id], offset);
  } else {
    for (let i = 0; i < n; i++) out[offset + i] = mem[outAt + i];
  }
  mem.fill(0, outAt, outAt + DIGEST_LEN[id]);
}

/** Feeds data through the input region to the kernel's update, one region-full at a time. */
function stream(kn: Kernel, data: Uint8Array): void {
  const { ex, mem, inAt, inSize } = kn;
  for (let o = 0; o < data.length; o += inSize) {
    const n = Math.min(inSize, data.length - o);
    mem.set(data.subarray(o, o + n), inAt);
    ex.update(n);
  }
}

function hashToOut(kn: Kernel, id: number, data: Uint8Array): void {
  if (data.length <= kn.inSize) {
    kn.mem.set(data, kn.inAt);
    kn.ex.hash(id, data.length);
  } else {
    kn.ex.hashInit(id);
    stream(kn, data);
    kn.ex.hashFinal();
  }
}

/** Places the HMAC key in KEY, hashing it first when longer than a block (RFC 2104 §2). */
function placeKey(kn: Kernel, id: number, key: Uint8Array): number {
  if (key.length <= BLOCK_LEN[id]) {
    kn.mem.set(key, kn.keyAt);
    return key.length;
  }
  hashToOut(kn, id, key);
  const n = DIGEST_LEN[id];
  kn.mem.copyWithin(kn.keyAt, kn.outAt, kn.outAt + n);
  kn.mem.fill(0, kn.outAt, kn.outAt + n);
  return n;
}

/** Output length in bytes of a hash: 20, 32, 48 or 64. */
export function digestLength(alg: HashAlg): number {
  return DIGEST_LEN[algId("digestLength", alg)];
}

/** The digest of `data` (any length). */
export function hash(alg: HashAlg, data: Uint8Array): Uint8Array {
  const id = algId("hash", alg);
  assertBytes("hash", "data", data);
  const kn = k();
  const out = new Uint8Array(DIGEST_LEN[id]);
  hashToOut(kn, id, data);
  takeOut(kn, id, out, 0, out.length);
  return out;
}

/** Writes the digest of `data` at out[offset..]. */
export function hashInto(alg: HashAlg, data: Uint8Array, out: Uint8Array, offset = 0): void {
  const id = algId("hashInto", alg);
  assertBytes("hashInto", "data", data);
  checkOut("hashInto", out, offset, DIGEST_LEN[id]);
  const kn = k();
  hashToOut(kn, id, data);
  takeOut(kn, id, out, offset, DIGEST_LEN[id]);
}

/**
 * HMAC with the key set up once: the object keeps the chaining states after the ipad and opad
 * blocks, so each MAC costs only the message blocks and one outer block. Those states are
 * key-equivalent; dispose() wipes them.
 */
export class Hmac {
  readonly outLen: number;
  private readonly id: number;
  /** Inner state at 0, outer state at 64 (the kernel's SAVED layout). */
  private readonly states = new Uint8Array(128);
  private disposed = false;

  constructor(alg: HashAlg, key: Uint8Array) {
    this.id = algId("Hmac", alg);
    assertBytes("Hmac", "key", key);
    this.outLen = DIGEST_LEN[this.id];
    const kn = k();
    kn.ex.hmacSetup(this.id, placeKey(kn, this.id, key));
    this.states.set(kn.mem.subarray(kn.savedAt, kn.savedAt + 128));
    kn.mem.fill(0, kn.savedAt, kn.savedAt + 128);
  }

  /** Leaves the MAC of `data` in the kernel's output region. */
  private run(fn: string, data: Uint8Array): Kernel {
    if (this.disposed) throw new CryptoError("INVALID_ARGUMENT", fn, "this Hmac was disposed");
    assertBytes(fn, "data", data);
    const kn = k();
    kn.mem.set(this.states, kn.savedAt);
    if (data.length <= kn.inSize) {
      kn.mem.set(data, kn.inAt);
      kn.ex.hmac(this.id, data.length);
    } else {
      kn.ex.hmacInit(this.id);
      stream(kn, data);
      kn.ex.hmacFinal();
    }
    return kn;
  }

  /** HMAC over several parts as if concatenated (the prf+ fallback for very long seeds). @internal */
  macParts(parts: Uint8Array[], out: Uint8Array, offset: number, n: number): void {
    if (this.disposed) throw new CryptoError("INVALID_ARGUMENT", "Hmac.mac", "this Hmac was disposed");
    const kn = k();
    kn.mem.set(this.states, kn.savedAt);
    kn.ex.hmacInit(this.id);
    for (const p of parts) stream(kn, p);
    kn.ex.hmacFinal();
    takeOut(kn, this.id, out, offset, n);
  }

  mac(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.outLen);
    takeOut(this.run("Hmac.mac", data), this.id, out, 0, this.outLen);
    return out;
  }

  /** Writes the MAC, or its first `truncate` bytes (RFC 4868 ICVs), at out[offset..]. */
  macInto(data: Uint8Array, out: Uint8Array, offset = 0, truncate = this.outLen): void {
    if (!Number.isInteger(truncate) || truncate < 1 || truncate > this.outLen) {
      throw new CryptoError("INVALID_ARGUMENT", "Hmac.macInto", `truncate must be 1..${this.outLen}, got ${truncate}`);
    }
    checkOut("Hmac.macInto", out, offset, truncate);
    takeOut(this.run("Hmac.macInto", data), this.id, out, offset, truncate);
  }

  /** True when `icv` equals the first icv.length bytes of the MAC; compared without early exit. */
  verify(data: Uint8Array, icv: Uint8Array): boolean {
    assertBytes("Hmac.verify", "icv", icv);
    const kn = this.run("Hmac.verify", data);
    const { mem, outAt } = kn;
    const n = icv.length;
    let diff = n === 0 || n > this.outLen ? 1 : 0;
    const m = Math.min(n, this.outLen);
    for (let i = 0; i < m; i++) diff |= mem[outAt + i] ^ icv[i];
    mem.fill(0, outAt, outAt + this.outLen);
    return diff === 0;
  }

  /** Wipes the saved states; the object cannot be used afterwards. */
  dispose(): void {
    this.states.fill(0);
    this.disposed = true;
  }
}

/** One-shot HMAC (key setup, MAC and wipe in one kernel call for inputs up to the region size). */
export function hmac(alg: HashAlg, key: Uint8Array, data: Uint8Array): Uint8Array {
  const id = algId("hmac", alg);
  assertBytes("hmac", "key", key);
  assertBytes("hmac", "data", data);
  const kn = k();
  const out = new Uint8Array(DIGEST_LEN[id]);
  const keyLen = placeKey(kn, id, key);
  if (data.length <= kn.inSize) {
    kn.mem.set(data, kn.inAt);
    kn.ex.hmacWithKey(id, keyLen, data.length);
  } else {
    kn.ex.hmacSetup(id, keyLen);
    kn.ex.hmacInit(id);
    stream(kn, data);
    kn.ex.hmacFinal();
  }
  takeOut(kn, id, out, 0, out.length);
  return out;
}

function checkPrfLength(fn: string, id: number, length: number): void {
  const max = 255 * DIGEST_LEN[id];
  if (!Number.isInteger(length) || length < 1 || length > max) {
    throw new CryptoError("INVALID_ARGUMENT", fn, `length must be 1..${max} (255 * output length, RFC 7296 §2.13), got ${length}`);
  }
}

/** prf+ (RFC 7296 §2.13) with HMAC: the first `length` bytes of T1 | T2 | ..., at most 255 blocks. */
export function prfPlus(alg: HashAlg, key: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const id = algId("prfPlus", alg);
  checkPrfLength("prfPlus", id, length);
  const out = new Uint8Array(length);
  prfPlusChecked("prfPlus", id, key, seed, out, 0, length);
  return out;
}

/** prf+ into out[offset..offset + length]; length defaults to the rest of out. */
export function prfPlusInto(alg: HashAlg, key: Uint8Array, seed: Uint8Array, out: Uint8Array, offset = 0, length?: number): void {
  const id = algId("prfPlusInto", alg);
  assertBytes("prfPlusInto", "out", out);
  const n = length ?? out.length - offset;
  checkPrfLength("prfPlusInto", id, n);
  checkOut("prfPlusInto", out, offset, n);
  prfPlusChecked("prfPlusInto", id, key, seed, out, offset, n);
}

function prfPlusChecked(fn: string, id: number, key: Uint8Array, seed: Uint8Array, out: Uint8Array, offset: number, length: number): void {
  assertBytes(fn, "key", key);
  assertBytes(fn, "seed", seed);
  const kn = k();
  if (PRF_SEED_AT + seed.length + 1 <= kn.inSize) {
    const keyLen = placeKey(kn, id, key);
    kn.mem.set(seed, kn.inAt + PRF_SEED_AT);
    kn.ex.prfPlus(id, keyLen, seed.length, length);
    const { mem, outAt } = kn;
    out.set(mem.subarray(outAt, outAt + length), offset);
    mem.fill(0, outAt, outAt + length);
    return;
  }
  // A seed too long for the input region: one streamed HMAC per block.
  const L = DIGEST_LEN[id];
  const mac = new Hmac(algName(id), key);
  const t = new Uint8Array(L), counter = new Uint8Array(1);
  try {
    for (let n = 1, done = 0; done < length; n++) {
      counter[0] = n;
      mac.macParts(n === 1 ? [seed, counter] : [t, seed, counter], t, 0, L);
      const take = Math.min(L, length - done);
      out.set(take === L ? t : t.subarray(0, take), offset + done);
      done += take;
    }
  } finally {
    mac.dispose();
    t.fill(0);
  }
}

/** The kernel's whole linear memory, for the hygiene test (every export leaves it as instantiated). @internal */
export function _kernelMemory(): Uint8Array {
  return k().mem;
}

function algName(id: number): HashAlg {
  return id === SHA1 ? "sha1" : id === SHA256 ? "sha256" : id === SHA384 ? "sha384" : "sha512";
}
